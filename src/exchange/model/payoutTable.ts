/**
 * The payout table as ExchangeEscrow stores it: deposits and transfers as 18-decimal
 * multiples of the price, states indexed `4 R + 2 C + CF` (R = Redeem, C = Complaint,
 * CF = CancelOrFault received). A state whose transfers would exceed its pot after conversion
 * is trimmed (buyer first), so the contract's budget check always passes; the backward-induction
 * check then runs on exactly these numbers.
 */
import { parseUnits, formatUnits } from "ethers";
import type { DesignedTable } from "../design/designer";
import type { PayoutTable } from "../design/induction";

export interface ChainTable {
  sellerDeposit: bigint;
  buyerDeposit: bigint;
  seller: bigint[];
  buyer: bigint[];
}

export const ONE = 10n ** 18n;

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

/**
 * A designed value (already cleaned of solver noise to 12 decimals by the designer) in 18-decimal
 * fixed point. Exact: no binary-float digits beyond the 12th leak into the table.
 */
const fixed = (x: number): bigint => parseUnits(x.toFixed(12), 18);

/** Fixed-point table from a designed core-exchange table (players "S" and "B"). */
export function toChainTable(d: DesignedTable): ChainTable {
  const sellerDeposit = fixed(d.deposits.S);
  const buyerDeposit = fixed(d.deposits.B);
  const seller = Array<bigint>(8).fill(0n);
  const buyer = Array<bigint>(8).fill(0n);
  const pot = sellerDeposit + buyerDeposit + ONE;
  for (const [state, row] of Object.entries(d.table)) {
    const i = stateIndex(state);
    seller[i] = fixed(row.S ?? 0);
    buyer[i] = fixed(row.B ?? 0);
    // Solver noise must never make a state pay more than its pot: trim the buyer, then the seller.
    const over = seller[i] + buyer[i] - pot;
    if (over > 0n) {
      const fromBuyer = over < buyer[i] ? over : buyer[i];
      buyer[i] -= fromBuyer;
      seller[i] -= over - fromBuyer;
    }
  }
  return { sellerDeposit, buyerDeposit, seller, buyer };
}

/** The chain table in units of the price, for backward induction on exactly what is deployed. */
export function fromChainTable(t: ChainTable): { table: PayoutTable; deposits: Record<string, number> } {
  const f = (x: bigint) => Number(formatUnits(x, 18));
  const table: PayoutTable = {};
  for (let i = 0; i < 8; i++) table[stateName(i)] = { S: f(t.seller[i]), B: f(t.buyer[i]) };
  return { table, deposits: { S: f(t.sellerDeposit), B: f(t.buyerDeposit) } };
}

export const chainTableJson = (t: ChainTable) => ({
  sellerDeposit: t.sellerDeposit.toString(),
  buyerDeposit: t.buyerDeposit.toString(),
  seller: t.seller.map(String),
  buyer: t.buyer.map(String),
});

export const chainTableFromJson = (j: ReturnType<typeof chainTableJson>): ChainTable => ({
  sellerDeposit: BigInt(j.sellerDeposit),
  buyerDeposit: BigInt(j.buyerDeposit),
  seller: j.seller.map(BigInt),
  buyer: j.buyer.map(BigInt),
});
