/**
 * A deal's terms (twin of `contracts/exchange/PackedTerms.sol`): the readable form, the four words
 * every escrow call takes and every event carries, and the EIP-712 typed data an offerer signs,
 * whose hash is the deal's id. Needs only ethers.
 */
import { type TypedDataDomain, TypedDataEncoder, getAddress, toBeHex } from "ethers";

export interface Terms {
  seller: string;
  buyer: string;
  /** The payment asset; the zero address is native ETH. */
  asset: string;
  price: bigint;
  /** The payout table's registration number in the escrow (`tableOf(tableId)` on chain; from 1). */
  table: bigint;
  /** The offer can be accepted before this time (unix seconds), not at or after it. */
  expiry: bigint;
  redeemWindow: bigint;
  complaintWindow: bigint;
  faultWindow: bigint;
  /** The seller offers (and funds first); else the buyer does. */
  sellerOffers: boolean;
  /** Tells apart offers with otherwise equal terms (96 bits). */
  salt: bigint;
  /**
   * The owner's burn-recipient setting the offerer agrees to (its index, `burnSetting()` on chain):
   * the deal's remainder goes to its recipient only if it is still in force when the deal is created.
   */
  burnSetting: bigint;
  /** A signed offer's offerer pays from its wallet by an EIP-2612 permit, not from its escrow balance. */
  fromWallet: boolean;
}

/** The four words of `PackedTerms.sol`. */
export type PackedTerms = [string, string, string, string];

const ADDRESS = (1n << 160n) - 1n;
const bits = (x: bigint, at: bigint, width: bigint) => (x >> at) & ((1n << width) - 1n);
const word = (x: bigint) => toBeHex(x, 32);

/** Refuses a field out of its range rather than pack it wrongly. */
function fits(name: string, value: bigint, width: bigint): bigint {
  if (value < 0n || value >= 1n << width) throw new RangeError(`terms.${name}: ${value} does not fit ${width} bits`);
  return value;
}

export function packTerms(t: Terms): PackedTerms {
  const w0 =
    BigInt(getAddress(t.seller)) |
    (fits("expiry", t.expiry, 40n) << 160n) |
    (fits("redeemWindow", t.redeemWindow, 32n) << 200n) |
    ((t.sellerOffers ? 1n : 0n) << 232n) |
    ((t.fromWallet ? 1n : 0n) << 233n);
  const w1 =
    BigInt(getAddress(t.buyer)) |
    (fits("complaintWindow", t.complaintWindow, 32n) << 160n) |
    (fits("faultWindow", t.faultWindow, 32n) << 192n) |
    (fits("burnSetting", t.burnSetting, 32n) << 224n);
  const w2 = BigInt(getAddress(t.asset)) | (fits("salt", t.salt, 96n) << 160n);
  const w3 = fits("price", t.price, 128n) | (fits("table", t.table, 32n) << 128n);
  return [word(w0), word(w1), word(w2), word(w3)];
}

export function unpackTerms(p: readonly string[]): Terms {
  const [w0, w1, w2, w3] = p.map((x) => BigInt(x));
  const address = (x: bigint) => getAddress(toBeHex(x & ADDRESS, 20));
  return {
    seller: address(w0),
    buyer: address(w1),
    asset: address(w2),
    price: bits(w3, 0n, 128n),
    table: bits(w3, 128n, 32n),
    expiry: bits(w0, 160n, 40n),
    redeemWindow: bits(w0, 200n, 32n),
    complaintWindow: bits(w1, 160n, 32n),
    faultWindow: bits(w1, 192n, 32n),
    sellerOffers: bits(w0, 232n, 1n) === 1n,
    salt: bits(w2, 160n, 96n),
    burnSetting: bits(w1, 224n, 32n),
    fromWallet: bits(w0, 233n, 1n) === 1n,
  };
}

/** The offerer (who funds first) and the counterparty. */
export const partiesOf = (t: Terms): { offerer: string; counterparty: string } =>
  t.sellerOffers ? { offerer: t.seller, counterparty: t.buyer } : { offerer: t.buyer, counterparty: t.seller };

/** The EIP-712 type an offerer signs (`PackedTerms.TERMS_TYPE`). */
export const TERMS_TYPES = {
  Terms: [
    { name: "seller", type: "address" },
    { name: "buyer", type: "address" },
    { name: "asset", type: "address" },
    { name: "price", type: "uint128" },
    { name: "table", type: "uint32" },
    { name: "expiry", type: "uint40" },
    { name: "redeemWindow", type: "uint32" },
    { name: "complaintWindow", type: "uint32" },
    { name: "faultWindow", type: "uint32" },
    { name: "sellerOffers", type: "bool" },
    { name: "salt", type: "uint96" },
    { name: "burnSetting", type: "uint32" },
    { name: "fromWallet", type: "bool" },
  ],
};

/** The escrow's EIP-712 domain (its name and version are the contract's constructor's). */
export const escrowDomain = (chainId: bigint, escrow: string): TypedDataDomain => ({
  name: "ExchangeEscrow",
  version: "2",
  chainId,
  verifyingContract: escrow,
});

/** A deal's id: the EIP-712 hash of its terms in the escrow's domain (what the contract's `dealId` returns). */
export const dealIdOf = (domain: TypedDataDomain, t: Terms): string => TypedDataEncoder.hash(domain, TERMS_TYPES, t);
