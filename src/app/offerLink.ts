/**
 * A signed offer as a link the offerer hands over (`#/offer/<the offer file, base64url>`), or as the file
 * `escrow:offer --signed` writes: the same JSON either way, so a file from the command line opens here too.
 */
import type { TypedDataDomain } from "ethers";
import { toJson } from "../common/json";
import type { SignedOffer } from "../exchange/parties/escrowClient";
import { signedOfferFile } from "../exchange/parties/offerFile";

const toBase64Url = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromBase64Url = (s: string) => atob(s.replace(/-/g, "+").replace(/_/g, "/"));

/** The offer file's JSON text. */
export const offerJson = (offer: SignedOffer, domain: TypedDataDomain) => toJson(signedOfferFile(offer, domain), 2);

/** The page route that opens the offer. */
export const offerRoute = (json: string) => `#/offer/${toBase64Url(JSON.stringify(JSON.parse(json)))}`;

/** The offer file's parsed JSON from a route's code, a full link, or the file's text. */
export function offerFromText(text: string): unknown {
  const t = text.trim();
  if (t.startsWith("{")) return JSON.parse(t);
  const code = /#\/offer\/([A-Za-z0-9_-]+)/.exec(t)?.[1] ?? t;
  try {
    return JSON.parse(fromBase64Url(code));
  } catch {
    throw new Error("not a signed offer: paste its link or the offer file's JSON");
  }
}
