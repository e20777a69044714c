/**
 * EIP-2612 permits for any token that has them: an owner signs, off chain, that a spender may take an amount of
 * its tokens; anyone submits the signature (`permit`), so the owner needs no gas for an approval. Needs only
 * ethers; the escrow's signed offers and the agent wallets' funding share it.
 */
import { Contract, type Provider, Signature, type Signer } from "ethers";

/** An EIP-2612 permit's deadline and signature, as a token's `permit` (and the escrow) take it. */
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

/** The reads a permit needs: the token's EIP-712 domain (ERC-5267) and the owner's permit nonce. */
const PERMIT_READS = [
  "function nonces(address owner) view returns (uint256)",
  "function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, " +
    "address verifyingContract, bytes32 salt, uint256[] extensions)",
];

/** The calls of a token with EIP-2612 permits: the reads and `permit` itself. */
export const PERMIT_ABI = [
  ...PERMIT_READS,
  "function permit(address owner, address spender, uint256 value, uint256 deadline, uint8 v, bytes32 r, bytes32 s)",
] as const;

/** A token without `nonces` and `eip712Domain` (or whose domain cannot be read): no permit can be signed for it. */
export class NoPermitError extends Error {}

/**
 * `signer` permits `spender` to take `value` of `token` until `deadline` (seconds), at the owner's next nonce.
 * Throws {@link NoPermitError} when the token does not tell its EIP-712 domain and nonces.
 */
export async function signTokenPermit(
  signer: Signer,
  token: string,
  spender: string,
  value: bigint,
  deadline: bigint,
): Promise<PermitSignature> {
  const provider: Provider | null = signer.provider;
  if (!provider) throw new NoPermitError("permit: the signer has no provider");
  const contract = new Contract(token, PERMIT_READS, provider);
  const owner = await signer.getAddress();
  let name: string;
  let version: string;
  let nonce: bigint;
  try {
    [, name, version] = (await contract.eip712Domain()) as [string, string, string];
    nonce = (await contract.nonces(owner)) as bigint;
  } catch {
    throw new NoPermitError(`token ${token} has no EIP-2612 permit (nonces, eip712Domain)`);
  }
  const { chainId } = await provider.getNetwork();
  const domain = { name, version, chainId, verifyingContract: token };
  const message = { owner, spender, value, nonce, deadline };
  const sig = Signature.from(await signer.signTypedData(domain, PERMIT_TYPES, message));
  return { deadline, v: sig.v, r: sig.r, s: sig.s };
}
