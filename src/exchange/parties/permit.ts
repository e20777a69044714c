/**
 * An offerer's EIP-2612 permit for its part of a signed offer (`acceptSignedWithPermit`): the escrow
 * may take exactly that part from its wallet until the offer expires. Needs only ethers.
 */
import { Contract, Signature, type Signer, ZeroAddress } from "ethers";
import type { Terms } from "../model/terms";
import { ERC20_ABI } from "../../chain/erc20";
import { EscrowInputError } from "./inputs";

/** An EIP-2612 permit's deadline and signature, as `acceptSignedWithPermit` takes it. */
export interface PermitSignature {
  deadline: bigint;
  v: number;
  r: string;
  s: string;
}

/** The EIP-2612 permit type. */
const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** `signer` permits `escrow` to take `value` of the terms' token, until the terms' expiry. */
export async function signPermit(signer: Signer, escrow: string, t: Terms, value: bigint): Promise<PermitSignature> {
  if (t.asset === ZeroAddress) throw new EscrowInputError("escrow client: a permit needs a token, not native ETH");
  const provider = signer.provider;
  if (!provider) throw new EscrowInputError("escrow client: the signer has no provider");
  const token = new Contract(t.asset, ERC20_ABI, provider);
  const owner = await signer.getAddress();
  let name: string;
  let version: string;
  let nonce: bigint;
  try {
    [, name, version] = (await token.eip712Domain()) as [string, string, string];
    nonce = (await token.nonces(owner)) as bigint;
  } catch {
    throw new EscrowInputError(`escrow client: token ${t.asset} has no EIP-2612 permit (nonces, eip712Domain)`);
  }
  const { chainId } = await provider.getNetwork();
  const domain = { name, version, chainId, verifyingContract: t.asset };
  const message = { owner, spender: escrow, value, nonce, deadline: t.expiry };
  const sig = Signature.from(await signer.signTypedData(domain, PERMIT_TYPES, message));
  return { deadline: t.expiry, v: sig.v, r: sig.r, s: sig.s };
}
