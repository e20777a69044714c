/**
 * What a design becomes once it is checked and ready to deploy: its smallest safe price `p0`, and
 * for a table ExchangeEscrow can take, the 18-decimal `PayoutTable` (carrying `p0` as `minPrice`,
 * so the table's hash covers it) re-checked by backward induction on exactly those numbers.
 * Nothing is published from a table that fails a check: each failure is a one-line `GameError`.
 */
import { type PayoutTable, payoutTableToJson } from "../model/payoutTable";
import { escrowMismatch, fixed, fromPayoutTable, toPayoutTable } from "./contractTable";
import { type DesignedTable, checkPasses } from "./designer";
import { type Game, GameError } from "./game";
import { backwardInduction } from "./induction";
import { type FixedTransfers, chainTransfers, smallestSafePrice } from "./safePrice";

export interface PublishedDesign {
  design: DesignedTable;
  /** p0, in base units of the asset (see safePrice.ts). */
  smallestSafePrice: bigint;
  /** The escrow's form of the table, with `minPrice` = p0; absent when the escrow cannot take it. */
  chain?: PayoutTable;
  /** Why the escrow cannot take the table (absent when it can). */
  notForEscrow?: string;
}

/** The transfers in 18-decimal fixed point, as `toPayoutTable` converts them (for any game). */
function fixedTransfers(table: DesignedTable["table"]): FixedTransfers {
  const out: FixedTransfers = {};
  for (const [state, row] of Object.entries(table)) {
    out[state] = Object.fromEntries(Object.entries(row).map(([p, x]) => [p, fixed(x)]));
  }
  return out;
}

/** Checks a design, computes its `p0` and, when the escrow can take it, its fixed-point table. */
export function publishDesign(game: Game, design: DesignedTable): PublishedDesign {
  if (!checkPasses(design)) throw new GameError("the designed table failed its backward-induction check");
  const notForEscrow = escrowMismatch(game);
  if (notForEscrow !== undefined) {
    const p0 = design.delta > 0 ? smallestSafePrice(game, fixedTransfers(design.table), design.delta) : 0n;
    return { design, smallestSafePrice: p0, notForEscrow };
  }
  const unpriced = toPayoutTable(design);
  const exact = fromPayoutTable(unpriced);
  const check = backwardInduction(game, exact.table, exact.deposits);
  if (check.deviations.length || check.minMargin < design.delta - 1e-9) {
    throw new GameError("the fixed-point table failed its backward-induction check");
  }
  const p0 = design.delta > 0 ? smallestSafePrice(game, chainTransfers(unpriced), design.delta) : 0n;
  return { design, smallestSafePrice: p0, chain: { ...unpriced, minPrice: p0 } };
}

/** The JSON a design task writes: the design, `smallestSafePrice`, and the escrow's form as `chain`. */
export const publishedJson = (p: PublishedDesign): Record<string, unknown> => ({
  ...p.design,
  smallestSafePrice: p.smallestSafePrice,
  ...(p.chain ? { chain: payoutTableToJson(p.chain) } : {}),
});
