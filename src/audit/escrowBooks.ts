/**
 * The escrow auditor's books: a deal as the replay keeps it (the contract's slot plus its terms,
 * table and the money it holds) and the summary drawn from all of them at the end of the log.
 */
import { stateName } from "../exchange/model/payoutTable";
import type { PayoutTable } from "../exchange/model/payoutTable";
import type { Terms } from "../exchange/model/terms";

/** `IExchangeEscrow.Stage`. */
export enum Stage {
  None,
  Offered,
  Redeem,
  Complaint,
  Fault,
  Final,
  Withdrawn,
}

export interface Book {
  terms: Terms;
  table: PayoutTable;
  stage: Stage;
  flags: number;
  deadline: bigint;
  createdAt: bigint;
  /** Money the deal holds (Offered: the offerer's part; open: the pot; else 0). */
  held: bigint;
  /** Its fault window ended by time (WindowExpired(Fault)): finalized by anyone. */
  expired: boolean;
}

export const newBook = (terms: Terms, table: PayoutTable, stage: Stage, createdAt: bigint, held: bigint): Book => ({
  terms,
  table,
  stage,
  flags: 0,
  deadline: terms.expiry,
  createdAt,
  held,
  expired: false,
});

/** The escrow's books at the end of the replay, for the comparison with the contract's views. */
export interface EscrowBooks {
  deals: Map<string, Book>;
  /** "account:asset" (lower case) -> balance. */
  balances: Map<string, bigint>;
  burnSettings: number;
  tables: number;
}

export interface EscrowSummary {
  tables: number;
  /** Tables whose minPrice could not be checked (not a core-exchange design at delta 0.01), with why. */
  notCheckable: { tableId: string; reason: string }[];
  /**
   * Tables registered with a minPrice below the recomputed p0 that no deal uses: anyone may register a
   * table, so such a table is a note, and a finding only at the creation of a deal on it.
   */
  unsafeUnused: { table: bigint; tableId: string; reason: string }[];
  deals: number;
  /** Deals opened (both parties' funds in), and how many of them by a signed offer. */
  opened: number;
  signed: number;
  withdrawnOffers: number;
  cancelledSigned: number;
  final: number;
  /** Final deals per contract state. */
  states: Record<string, number>;
  /** Share of final deals that ended on the honest path R-NC-NC. */
  honestShare: number;
  /** Non-zero payouts (seller, buyer, refunds) pushed, and credited after a failed push. */
  pushed: number;
  credited: number;
  /** Per asset: traded value, burn credited, money in open deals, in balances, and their sum (owed). */
  assets: Record<string, { volume: bigint; burn: bigint; inDeals: bigint; balances: bigint; owed: bigint }>;
}

export type Counts = Pick<
  EscrowSummary,
  "tables" | "notCheckable" | "unsafeUnused" | "signed" | "pushed" | "credited"
> & {
  withdrawn: number;
  cancelled: number;
};

const add = (m: Map<string, bigint>, k: string, x: bigint) => m.set(k, (m.get(k) ?? 0n) + x);

/**
 * @param balances "account:asset" (lower case) -> balance.
 * @param volume, burnt asset (lower case) -> traded value, burn credited.
 */
export function summarize(
  deals: Map<string, Book>,
  balances: Map<string, bigint>,
  counts: Counts,
  volume: Map<string, bigint>,
  burnt: Map<string, bigint>,
): EscrowSummary {
  const all = [...deals.values()];
  const final = all.filter((d) => d.stage === Stage.Final);
  const states: Record<string, number> = {};
  for (const d of final) states[stateName(d.flags & 7)] = (states[stateName(d.flags & 7)] ?? 0) + 1;
  const inDeals = new Map<string, bigint>();
  for (const d of all) add(inDeals, d.terms.asset.toLowerCase(), d.held);
  const inBalances = new Map<string, bigint>();
  for (const [key, x] of balances) add(inBalances, key.split(":")[1], x);
  const assets: EscrowSummary["assets"] = {};
  for (const asset of new Set([...inDeals.keys(), ...inBalances.keys()])) {
    const [held, owedBalances] = [inDeals.get(asset) ?? 0n, inBalances.get(asset) ?? 0n];
    assets[asset] = {
      volume: volume.get(asset) ?? 0n,
      burn: burnt.get(asset) ?? 0n,
      inDeals: held,
      balances: owedBalances,
      owed: held + owedBalances,
    };
  }
  return {
    tables: counts.tables,
    notCheckable: counts.notCheckable,
    unsafeUnused: counts.unsafeUnused,
    deals: all.length,
    opened: all.filter((d) => d.stage >= Stage.Redeem && d.stage <= Stage.Final).length,
    signed: counts.signed,
    withdrawnOffers: counts.withdrawn,
    cancelledSigned: counts.cancelled,
    final: final.length,
    states,
    honestShare: final.length ? (states["R-NC-NC"] ?? 0) / final.length : 0,
    pushed: counts.pushed,
    credited: counts.credited,
    assets,
  };
}

/** The tables below p0 that no deal used: a note in the summary, not a finding. */
export const unusedUnsafe = (unsafe: Map<bigint, { tableId: string; reason: string; used: boolean }>) =>
  [...unsafe.entries()]
    .filter(([, u]) => !u.used)
    .map(([table, u]) => ({ table, tableId: u.tableId, reason: u.reason }));
