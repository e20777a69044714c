/**
 * Runs an audit against a node: fetches and decodes the log, replays it, and cross-checks the
 * contract's final balance of each asset (the only reads besides the log) with the replay.
 */
import { Contract, Interface, type Provider, formatUnits, getAddress, isAddress } from "ethers";
import { type DecodedLog, type FetchOptions, LogReadError, fetchDecodedLogs } from "../chain/logs";
import type { Discrepancy } from "./findings";
import { type Consents, type MarketAudit, replayMarket } from "./market";
import { type EscrowAudit, replayEscrow } from "./escrow";
import { escrowDomain } from "../exchange/model/terms";

export type AuditKind = "market" | "escrow";

export interface AuditReport {
  kind: AuditKind;
  address: string;
  events: number;
  market?: MarketAudit;
  escrow?: EscrowAudit;
  /** Per asset: balance held by the contract, what the replay says it owes. */
  balances: { asset: string; held: bigint; owed: bigint }[];
  discrepancies: Discrepancy[];
}

const ERC20 = new Interface(["function balanceOf(address) view returns (uint256)"]);
const NATIVE = "0x0000000000000000000000000000000000000000";

async function balanceOf(provider: Provider, asset: string, holder: string): Promise<bigint> {
  if (asset.toLowerCase() === NATIVE) return provider.getBalance(holder);
  return (await new Contract(asset, ERC20, provider).balanceOf(holder)) as bigint;
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
  const logs = await fetchDecodedLogs(provider, checksummed, abi, opts);
  const report: AuditReport = { kind, address: checksummed, events: logs.length, balances: [], discrepancies: [] };
  const lastBlock = logs.length ? logs[logs.length - 1].blockNumber : undefined;
  const owedByAsset = new Map<string, bigint>();
  if (kind === "market") {
    if (!logs.some((l) => l.name === "MarketOpened"))
      throw new LogReadError(`${checksummed} is not a ClearingMarket: no MarketOpened event`);
    report.market = replayMarket(logs, await consentsOf(provider, checksummed, abi, logs));
    report.discrepancies = report.market.discrepancies;
    owedByAsset.set(report.market.summary.asset, report.market.summary.liabilities);
  } else {
    const timestamps = new Map<number, bigint>();
    for (const n of new Set(logs.map((l) => l.blockNumber))) {
      timestamps.set(n, BigInt((await provider.getBlock(n))!.timestamp));
    }
    const domain = escrowDomain((await provider.getNetwork()).chainId, checksummed);
    report.escrow = replayEscrow(logs, timestamps, { domain });
    report.discrepancies = report.escrow.discrepancies;
    for (const [asset, a] of Object.entries(report.escrow.summary.assets)) owedByAsset.set(asset, a.owed);
  }
  // Cross-check: the contract holds what the replay says it owes. A market must hold at least
  // that (force-sent ETH is never accounted for); an escrow exactly that, per asset: the money
  // of its open deals plus every balance (more is money sent to it without a call).
  for (const [asset, owed] of owedByAsset) {
    const held = await balanceOf(provider, asset, checksummed);
    report.balances.push({ asset, held, owed });
    if ((held < owed || (kind === "escrow" && held > owed)) && lastBlock !== undefined) {
      report.discrepancies.push({
        txHash: "(final state)",
        logIndex: -1,
        blockNumber: lastBlock,
        event: "balance",
        message:
          `the contract holds ${held} of asset ${asset} but owes ${owed}` +
          (held > owed ? " (the surplus came without a call, or a payout is missing from the books)" : ""),
      });
    }
  }
  return report;
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
  if (r.discrepancies.length === 0) lines.push("No discrepancy: every event matches the exact replay.");
  else {
    lines.push(`${r.discrepancies.length} discrepanc${r.discrepancies.length === 1 ? "y" : "ies"}:`);
    for (const d of r.discrepancies)
      lines.push(`  tx ${d.txHash} log ${d.logIndex} (block ${d.blockNumber}, ${d.event}): ${d.message}`);
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
