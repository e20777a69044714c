/**
 * From a designed table (real numbers, units of the price) to the contract's 18-decimal
 * `PayoutTable` and back, so that backward induction can re-check exactly what is deployed. A
 * state whose transfers would exceed its pot after conversion is trimmed (buyer first), so the
 * contract's budget check always passes.
 */
import { formatUnits, parseUnits } from "ethers";
import { UNIT } from "../../common/fixed";
import { type PayoutTable, stateIndex, stateName } from "../model/payoutTable";
import type { DesignedTable } from "./designer";
import type { Game } from "./game";
import type { StateTransfers } from "./induction";

/**
 * A designed value (already cleaned of solver noise to 10 decimals by the designer) in 18-decimal
 * fixed point. Exact: no binary-float digits beyond the 12th leak into the table.
 */
export const fixed = (x: number): bigint => parseUnits(x.toFixed(12), 18);

/** The eight states ExchangeEscrow pays out in, in its order. */
export const ESCROW_STATES: readonly string[] = Array.from({ length: 8 }, (_, i) => stateName(i));

const quoted = (xs: string[]) => xs.map((x) => `"${x}"`).join(", ");

/**
 * Why ExchangeEscrow cannot take a table designed for `game`, or undefined when it can: the escrow
 * knows a seller "S" who pays nothing in, a buyer "B" who pays the price (1), and exactly the eight
 * core-exchange states `(R|RfE)-(C|NC)-(CF|NC)`.
 */
export function escrowMismatch(game: Pick<Game, "players" | "states">): string | undefined {
  const ids = game.players.map((p) => p.id);
  if (ids.length !== 2 || !ids.includes("S") || !ids.includes("B")) {
    return `its players are ${quoted(ids)}, the escrow's are "S" (seller) and "B" (buyer)`;
  }
  const pays = Object.fromEntries(game.players.map((p) => [p.id, p.pays]));
  if (pays.S !== 0 || pays.B !== 1) {
    return `the escrow's seller pays in 0 and its buyer the price 1, here S pays ${pays.S} and B ${pays.B}`;
  }
  const foreign = game.states.filter((s) => !ESCROW_STATES.includes(s));
  if (foreign.length) {
    const what = foreign.length > 1 ? "are not core-exchange states" : "is not a core-exchange state";
    return `state${foreign.length > 1 ? "s" : ""} ${quoted(foreign)} ${what} (R|RfE)-(C|NC)-(CF|NC)`;
  }
  const missing = ESCROW_STATES.filter((s) => !game.states.includes(s));
  if (missing.length) return `the game never reaches ${quoted(missing)}; the escrow pays out in all eight states`;
  return undefined;
}

/**
 * Fixed-point table from a designed core-exchange table (players "S" and "B"; see `escrowMismatch`),
 * with the smallest price it is safe at (`minPrice`, p0, base units of the asset; 0 = no minimum),
 * which the designer computes.
 */
export function toPayoutTable(d: DesignedTable, minPrice: bigint = 0n): PayoutTable {
  const sellerDeposit = fixed(d.deposits.S);
  const buyerDeposit = fixed(d.deposits.B);
  const seller = Array<bigint>(8).fill(0n);
  const buyer = Array<bigint>(8).fill(0n);
  const pot = sellerDeposit + buyerDeposit + UNIT;
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
  return { sellerDeposit, buyerDeposit, seller, buyer, minPrice };
}

/** The chain table in units of the price, for backward induction on exactly what is deployed. */
export function fromPayoutTable(t: PayoutTable): { table: StateTransfers; deposits: Record<string, number> } {
  const f = (x: bigint) => Number(formatUnits(x, 18));
  const table: StateTransfers = {};
  for (let i = 0; i < 8; i++) table[stateName(i)] = { S: f(t.seller[i]), B: f(t.buyer[i]) };
  return { table, deposits: { S: f(t.sellerDeposit), B: f(t.buyerDeposit) } };
}
