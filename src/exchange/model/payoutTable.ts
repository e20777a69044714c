/**
 * The payout table as ExchangeEscrow stores it: deposits and transfers as 18-decimal
 * multiples of the price, states indexed `4 R + 2 C + CF` (R = Redeem, C = Complaint,
 * CF = CancelOrFault received), and the smallest price it is safe at. Twin of the
 * `PayoutTable` struct of `IExchangeEscrow.sol`.
 */
import { AbiCoder, keccak256 } from "ethers";

export interface PayoutTable {
  sellerDeposit: bigint;
  buyerDeposit: bigint;
  seller: bigint[];
  buyer: bigint[];
  /**
   * p0, in base units of the deal's asset: the smallest price at which the integer payouts
   * (deposits rounded up, payouts down) keep honest play the unique subgame-perfect equilibrium
   * with every margin at least delta/2; 0 = no minimum. The escrow refuses offers below it.
   */
  minPrice: bigint;
}

const TABLE_TYPE = "tuple(uint96,uint96,uint96[8],uint96[8],uint64)";

/** A table's id as the escrow computes it (`tableIdOf`, `tableOf`): the hash of its ABI encoding. */
export const tableIdOf = (t: PayoutTable): string =>
  keccak256(
    AbiCoder.defaultAbiCoder().encode([TABLE_TYPE], [[t.sellerDeposit, t.buyerDeposit, t.seller, t.buyer, t.minPrice]]),
  );

/** Contract state index of a core-exchange state name such as "R-NC-CF". */
export function stateIndex(state: string): number {
  const [redeem, complaint, fault] = state.split("-");
  if (!["R", "RfE"].includes(redeem) || !["C", "NC"].includes(complaint) || !["CF", "NC"].includes(fault)) {
    throw new Error(`"${state}" is not a core-exchange state (R|RfE)-(C|NC)-(CF|NC)`);
  }
  return (redeem === "R" ? 4 : 0) + (complaint === "C" ? 2 : 0) + (fault === "CF" ? 1 : 0);
}

export function stateName(index: number): string {
  return `${index & 4 ? "R" : "RfE"}-${index & 2 ? "C" : "NC"}-${index & 1 ? "CF" : "NC"}`;
}

export const payoutTableToJson = (t: PayoutTable) => ({
  sellerDeposit: t.sellerDeposit.toString(),
  buyerDeposit: t.buyerDeposit.toString(),
  seller: t.seller.map(String),
  buyer: t.buyer.map(String),
  minPrice: t.minPrice.toString(),
});

/** The table a `payoutTableToJson` wrote; `minPrice` is required (write "0" for no minimum). */
export function payoutTableFromJson(j: ReturnType<typeof payoutTableToJson>): PayoutTable {
  if (typeof j.minPrice !== "string") throw new Error('payout table: "minPrice" is missing (a decimal string)');
  return {
    sellerDeposit: BigInt(j.sellerDeposit),
    buyerDeposit: BigInt(j.buyerDeposit),
    seller: j.seller.map(BigInt),
    buyer: j.buyer.map(BigInt),
    minPrice: BigInt(j.minPrice),
  };
}
