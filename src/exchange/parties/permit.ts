/**
 * An offerer's EIP-2612 permit for its part of a signed offer (`acceptSignedWithPermit`): the escrow
 * may take exactly that part from its wallet until the offer expires. Needs only ethers.
 */
import { type Signer, ZeroAddress } from "ethers";
import { NoPermitError, type PermitSignature, signTokenPermit } from "../../chain/permit";
import type { Terms } from "../model/terms";
import { EscrowInputError } from "./inputs";

export type { PermitSignature };

/** `signer` permits `escrow` to take `value` of the terms' token, until the terms' expiry. */
export async function signPermit(signer: Signer, escrow: string, t: Terms, value: bigint): Promise<PermitSignature> {
  if (t.asset === ZeroAddress) throw new EscrowInputError("escrow client: a permit needs a token, not native ETH");
  if (!signer.provider) throw new EscrowInputError("escrow client: the signer has no provider");
  try {
    return await signTokenPermit(signer, t.asset, escrow, value, t.expiry);
  } catch (e) {
    if (e instanceof NoPermitError) throw new EscrowInputError(`escrow client: ${e.message}`);
    throw e;
  }
}
