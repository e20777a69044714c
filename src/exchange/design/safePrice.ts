/**
 * The smallest safe price `p0` of a table (spec core-exchange §6): the least price, in base units
 * of the asset, from which on every price keeps every incentive margin at least `delta / 2`
 * (so no ties) once the contract rounds to whole units (deposits up, payouts down).
 *
 * At price P the contract pays `floor(t * P / 1e18)` for a transfer t of the 18-decimal table.
 * Deposits are paid in whatever happens, so they cancel in every incentive margin. A margin is
 * `sum(c * paid) / P + utility gap` over the mover's transfers with chance weights c; rounding
 * down lowers it by less than `sum(c > 0) / P`. So each incentive row r is safe for every
 * P >= P*_r = sum(c > 0) / (exact margin - delta / 2); below P*_r the prices are tried one by one,
 * downwards, until one fails. `p0` is the largest of the rows' least safe prices.
 */
import { incentiveRows } from "./program";
import { UNIT } from "../../common/fixed";
import { type Game, GameError } from "./game";
import { type PayoutTable, stateName } from "../model/payoutTable";

/** state -> player -> 18-decimal transfer (multiples of the price, 1e18 = the price). */
export type FixedTransfers = Record<string, Record<string, bigint>>;

/** Prices tried one by one per row at most; a margin thinner than this allows is refused. */
export const MAX_SCANNED_PRICE = 10_000_000;
/** Float comparison slack (the margins' utility gaps are binary floats). */
const SLACK = 1e-12;

/** The smallest safe price of `table` for `game`, whose every margin was designed to be at least `delta` > 0. */
export function smallestSafePrice(game: Game, table: FixedTransfers, delta: number): bigint {
  if (!(delta > 0)) throw new GameError(`the smallest safe price needs a positive margin delta, got ${delta}`);
  const floor = delta / 2;
  let p0 = 1;
  for (const row of incentiveRows(game, 0)) {
    // Row: sum(c * t) >= rhs, the margin being sum(c * t) - rhs (utility gap = -rhs).
    const terms = Object.entries(row.terms).map(([v, c]) => {
      const [, player, state] = v.split(":");
      return { c, t: table[state]?.[player] ?? 0n };
    });
    const exact = terms.reduce((acc, { c, t }) => acc + c * (Number(t) / 1e18), 0) - row.rhs;
    if (exact < floor - SLACK) {
      throw new GameError(`${row.name}: margin ${exact} is below delta / 2 = ${floor} at every price`);
    }
    const loss = terms.reduce((acc, { c }) => acc + (c > 0 ? c : 0), 0);
    const safeFrom = exact - floor > SLACK ? Math.ceil(loss / (exact - floor)) : Infinity;
    if (safeFrom > MAX_SCANNED_PRICE) {
      throw new GameError(
        `${row.name}: the smallest safe price may be above ${MAX_SCANNED_PRICE} base units, too many to check ` +
          `one by one (margin ${exact}, delta / 2 = ${floor}); design with a larger delta`,
      );
    }
    const at = (price: number): number => {
      const p = BigInt(price);
      return terms.reduce((acc, { c, t }) => acc + (c * Number((t * p) / UNIT)) / price, 0) - row.rhs;
    };
    for (let price = safeFrom - 1; price >= p0; price--) {
      if (at(price) < floor - SLACK) {
        p0 = price + 1;
        break;
      }
    }
  }
  return BigInt(p0);
}

/** The transfers of the contract's table, by state name and player ("S", "B"). */
export function chainTransfers(t: PayoutTable): FixedTransfers {
  const out: FixedTransfers = {};
  for (let i = 0; i < 8; i++) out[stateName(i)] = { S: t.seller[i], B: t.buyer[i] };
  return out;
}
