/**
 * Runs an audit against a node: fetches and decodes the log, replays it, and cross-checks the
 * contract's final balance of each asset (the only reads besides the log) with the replay.
 */
import { type Interface, type Provider, ZeroAddress, formatUnits, getAddress, isAddress } from "ethers";
import { type DecodedLog, type FetchOptions, LogReadError, fetchDecodedLogs } from "../chain/logs";
import type { Discrepancy } from "./findings";
import { type Consents, type MarketAudit, replayMarket } from "./market";
import { type EscrowAudit, type EscrowBooks, replayEscrow } from "./escrow";
import { type Holdings, checkHoldings, checkTransfers } from "./holdings";
import { reconcileEscrowState, reconcileMarketState } from "./reconcile";
import { ReplayTrail } from "./trail";
import type { ClearingModel } from "../clearing/model/clearingMarket";
import { escrowDomain } from "../exchange/model/terms";

export type AuditKind = "market" | "escrow";

export interface AuditReport {
  kind: AuditKind;
  address: string;
  events: number;
  market?: MarketAudit;
  escrow?: EscrowAudit;
  /** Per asset: balance held by the contract, what the replay says it owes (at the last block). */
  balances: { asset: string; held: bigint; owed: bigint }[];
  /** Where the holdings were checked: at every block with events, or (pruned history) the last block only. */
  checked: Holdings["checked"];
  /** Money that arrived without a call (not a discrepancy). */
  notes: string[];
  discrepancies: Discrepancy[];
}

export async function audit(
  provider: Provider,
  kind: AuditKind,
  address: string,
  abi: Interface,
  opts: FetchOptions = {},
): Promise<AuditReport> {
  if (!isAddress(address)) throw new LogReadError(`"${address}" is not an address`);
  const checksummed = getAddress(address);
  const latest = opts.toBlock ?? (await provider.getBlockNumber());
  const logs = await fetchDecodedLogs(provider, checksummed, abi, { ...opts, toBlock: latest });
  const report: AuditReport = {
    kind,
    address: checksummed,
    events: logs.length,
    balances: [],
    checked: "every block with events",
    notes: [],
    discrepancies: [],
  };
  let assets: string[];
  let state: Discrepancy[];
  if (kind === "market") {
    if (!logs.some((l) => l.name === "MarketOpened"))
      throw new LogReadError(`${checksummed} is not a ClearingMarket: no MarketOpened event`);
    const trail = new ReplayTrail<ClearingModel>();
    report.market = replayMarket(logs, await consentsOf(provider, checksummed, abi, logs), trail);
    report.discrepancies.push(...report.market.discrepancies);
    assets = [report.market.summary.asset.toLowerCase()];
    state = await reconcileMarketState(provider, checksummed, abi, trail.final!, trail, latest);
    await reconcileMoney(provider, report, trail, assets, latest);
  } else {
    const timestamps = new Map<number, bigint>();
    for (const n of new Set(logs.map((l) => l.blockNumber))) {
      timestamps.set(n, BigInt((await provider.getBlock(n))!.timestamp));
    }
    const domain = escrowDomain((await provider.getNetwork()).chainId, checksummed);
    const trail = new ReplayTrail<EscrowBooks>();
    report.escrow = replayEscrow(logs, timestamps, { domain }, trail);
    report.discrepancies.push(...report.escrow.discrepancies);
    assets = Object.keys(report.escrow.summary.assets);
    state = await reconcileEscrowState(provider, checksummed, abi, trail.final!, trail, latest);
    await reconcileMoney(provider, report, trail, assets, latest);
  }
  report.discrepancies.push(...state);
  return report;
}

/** The money checks (holdings at every block with events, token transfers per transaction) into the report. */
async function reconcileMoney(
  provider: Provider,
  report: AuditReport,
  trail: ReplayTrail,
  assets: string[],
  latest: number,
): Promise<void> {
  const holdings = await checkHoldings(provider, report.address, trail, assets, latest);
  report.balances = holdings.balances;
  report.checked = holdings.checked;
  report.notes = holdings.notes;
  report.discrepancies.push(...holdings.findings);
  const tokens = assets.filter((a) => a !== ZeroAddress.toLowerCase());
  report.discrepancies.push(...(await checkTransfers(provider, report.address, trail, tokens)));
}

const fmt = (x: bigint) => formatUnits(x, 18);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function formatReport(r: AuditReport): string {
  const lines: string[] = [
    `Audit of ${r.kind === "market" ? "ClearingMarket" : "ExchangeEscrow"} ${r.address}: ${r.events} events replayed`,
  ];
  if (r.market) {
    const s = r.market.summary;
    lines.push(
      `  rounds ${s.rounds}, agents ${s.agents}, volume ${s.volume.toFixed(6)} units, ` +
        `fees ${s.fees.toFixed(6)}, revenue ${s.revenue.toFixed(6)}`,
      `  Gini of allocations ${s.gini.toFixed(4)} (fairness ${s.fairness.toFixed(4)}), ` +
        `participation ${pct(s.participation)}, utilization ${pct(s.utilization)}`,
      `  converged in ${s.convergedRounds} round(s)` +
        `${s.firstConvergedRound !== null ? `, first at round ${s.firstConvergedRound}` : ""}` +
        `; posted price now ${s.finalPrice.toFixed(9)}`,
    );
  }
  if (r.escrow) {
    const s = r.escrow.summary;
    lines.push(
      `  tables ${s.tables}, deals ${s.deals} (opened ${s.opened}, ${s.signed} of them signed; ` +
        `offers withdrawn ${s.withdrawnOffers}, signed offers cancelled ${s.cancelledSigned}, final ${s.final}; ` +
        `honest path ${pct(s.honestShare)})`,
      `  payouts pushed ${s.pushed}, credited after a failed push ${s.credited}`,
      ...s.notCheckable.map((t) => `  table ${t.tableId}: minPrice not checkable (${t.reason})`),
      ...s.unsafeUnused.map((t) => `  table ${t.table} (${t.tableId}), used by no deal: ${t.reason}`),
      `  final states: ${
        Object.entries(s.states)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ") || "none"
      }`,
    );
    for (const [asset, a] of Object.entries(s.assets)) {
      lines.push(
        `  asset ${asset}: traded ${fmt(a.volume)}, burn credited ${fmt(a.burn)}, ` +
          `in open deals ${fmt(a.inDeals)}, in balances ${fmt(a.balances)}`,
      );
    }
  }
  for (const b of r.balances)
    lines.push(`  balance of ${b.asset}: held ${fmt(b.held)}, owed by the replay ${fmt(b.owed)}`);
  lines.push(`  holdings checked at ${r.checked}; the contract's views compared with the replay's end state`);
  for (const note of r.notes) lines.push(`  note: ${note}`);
  if (r.discrepancies.length === 0)
    lines.push("No discrepancy: every event, balance and view matches the exact replay.");
  else {
    lines.push(`${r.discrepancies.length} discrepanc${r.discrepancies.length === 1 ? "y" : "ies"}:`);
    for (const d of r.discrepancies) {
      const where = d.logIndex >= 0 ? `tx ${d.txHash} log ${d.logIndex}` : `tx ${d.txHash}`;
      lines.push(`  ${d.subject}: ${where} (block ${d.blockNumber}, ${d.event}): ${d.message}`);
    }
  }
  return lines.join("\n");
}

/**
 * The round and the cap each sender named in its `submitDemand` call, for the submissions sent
 * straight to the market (one transaction read per submission); calls through another contract are
 * not decoded.
 */
async function consentsOf(provider: Provider, market: string, abi: Interface, logs: DecodedLog[]): Promise<Consents> {
  const consents: Consents = new Map();
  for (const hash of new Set(logs.filter((l) => l.name === "DemandSubmitted").map((l) => l.txHash))) {
    const tx = await provider.getTransaction(hash);
    if (!tx?.to || getAddress(tx.to) !== market) continue;
    const call = abi.parseTransaction({ data: tx.data });
    if (call?.name !== "submitDemand") continue;
    const [round, , maxReserve] = call.args as unknown as [bigint, bigint, bigint];
    consents.set(hash, new Map([[tx.from.toLowerCase(), { round, maxReserve }]]));
  }
  return consents;
}
