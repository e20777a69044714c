/**
 * A signed offer as a file the offerer hands to its counterparty: the offer (terms, id, signature, maybe
 * its permit) with the escrow and the chain it was signed for, so that the counterparty's side refuses
 * it on another escrow or chain, or once its terms were altered, before sending anything. Only the
 * data: reading and writing the file is the caller's. Needs only ethers and zod.
 */
import type { TypedDataDomain } from "ethers";
import { dealIdOf, packTerms } from "../model/terms";
import type { SignedOffer } from "./escrowClient";
import { EscrowInputError, SIGNED_OFFER_KIND, parseSignedOfferFile } from "./inputs";

/** A signed offer file's content (bigints stay bigints: write it with `toJson`). */
export interface SignedOfferFile {
  kind: typeof SIGNED_OFFER_KIND;
  escrow: string;
  chainId: bigint;
  id: string;
  terms: SignedOffer["terms"];
  signature: string;
  permit?: SignedOffer["permit"];
}

/** The file's content for `offer`, signed in the escrow's `domain`. */
export function signedOfferFile(offer: SignedOffer, domain: TypedDataDomain): SignedOfferFile {
  return {
    kind: SIGNED_OFFER_KIND,
    escrow: String(domain.verifyingContract),
    chainId: BigInt(domain.chainId!),
    id: offer.id,
    terms: offer.terms,
    signature: offer.signature,
    ...(offer.permit ? { permit: offer.permit } : {}),
  };
}

/**
 * The offer in a file's parsed JSON, checked against the escrow it is about to be opened on (`domain`):
 * well formed (one line naming the field otherwise), for this escrow and chain, and its id the hash of its
 * terms. The signature itself is the escrow's to check (a contract wallet's is not an ECDSA signature).
 */
export function readSignedOffer(raw: unknown, domain: TypedDataDomain): SignedOffer {
  const f = parseSignedOfferFile(raw);
  const refuse = (why: string): never => {
    throw new EscrowInputError(`escrow client: signed offer ${f.id}: ${why}`);
  };
  const [escrow, chainId] = [String(domain.verifyingContract), BigInt(domain.chainId!)];
  if (f.escrow.toLowerCase() !== escrow.toLowerCase() || f.chainId !== chainId) {
    refuse(`signed for escrow ${f.escrow} on chain ${f.chainId}, not ${escrow} on chain ${chainId}`);
  }
  const id = dealIdOf(domain, f.terms);
  if (id !== f.id) refuse(`its terms hash to ${id}: the file was altered`);
  const offer: SignedOffer = { terms: f.terms, packed: packTerms(f.terms), id, signature: f.signature };
  if (f.permit) offer.permit = f.permit;
  return offer;
}
