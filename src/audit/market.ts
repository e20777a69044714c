/**
 * Audit of a ClearingMarket from its event log: every event is replayed through the exact
 * model (src/clearing/model/clearingMarket.ts) and every number the contract reported is compared with the
 * model's. The log is the only input besides the ABI.
 */
import { fromFixed } from "../common/fixed";
import { gini } from "../common/metrics";
import { ClearingModel } from "../clearing/model/clearingMarket";
import { type DecodedLog, byTransaction } from "../chain/logs";
import { Findings, subjectOf } from "./findings";
import { type Owed, ReplayTrail } from "./trail";
import { paramsOf, roundClosedOf } from "../clearing/chain/events";

export interface MarketSummary {
  asset: string;
  allowListOnly: boolean;
  rounds: number;
  agents: number;
  /** Units allocated over all closed rounds. */
  volume: number;
  /** Fees and congestion revenue settled so far (asset units). */
  fees: number;
  revenue: number;
  /** Gini of each agent's total allocation, and 1 - Gini. */
  gini: number;
  fairness: number;
  /** Mean share of active agents with a positive demand per closed round. */
  participation: number;
  /** Mean allocated / capacity per closed round. */
  utilization: number;
  convergedRounds: number;
  firstConvergedRound: number | null;
  finalPrice: number;
  liabilities: bigint;
}

export interface MarketRound {
  round: number;
  totalDemand: number;
  capacity: number;
  mu: number;
  nextMu: number;
  primalResidual: number;
  dualResidual: number;
  converged: boolean;
  participants: number;
  active: number;
}

export interface MarketAudit {
  summary: MarketSummary;
  rounds: MarketRound[];
  discrepancies: Findings["list"];
}

/** A sender's consent to a charge, read from its `submitDemand` calldata (transaction hash -> agent -> consent). */
export type Consents = Map<string, Map<string, { round: bigint; maxReserve: bigint }>>;

/**
 * Replays a market's log. With `consents` (the calldata of submissions sent straight to the market),
 * each demand is replayed with the round and the cap its sender named, so a contract that charged a
 * round or a reserve its sender did not consent to is a finding; a submission made through another
 * contract (a wallet, a bundler) is replayed with the cap the event shows.
 */
export function replayMarket(
  logs: DecodedLog[],
  consents: Consents = new Map(),
  trail: ReplayTrail<ClearingModel> = new ReplayTrail(),
): MarketAudit {
  const findings = new Findings();
  let model: ClearingModel | undefined;
  let asset = "";
  let allowListOnly = false;
  let recipients = { fee: "", revenue: "" };
  const rounds: MarketRound[] = [];
  const demands = new Map<string, bigint>(); // this round's demand per agent
  const allocated = new Map<string, number>();
  let joined = 0;

  const run = (log: DecodedLog, step: () => void) => findings.attempt(log, step);

  // What the market owes: every agent's balance and the accrued fees and revenue (`totalLiabilities`).
  const owed = (): Owed => (model ? new Map([[asset.toLowerCase(), model.totalLiabilities]]) : new Map());
  for (const tx of byTransaction(logs)) {
    const mark = { txHash: tx[0].txHash, blockNumber: tx[0].blockNumber };
    const owedBefore = owed();
    for (let i = 0; i < tx.length; i++) {
      const log = tx[i];
      const a = log.args;
      const subject = subjectOf(log);
      if (subject !== "contract") trail.touch(subject, mark);
      // A close also sets the next round's price.
      if (log.name === "RoundClosed") trail.touch(`round ${BigInt(a.round) + 1n}`, mark);
      if (log.name === "DemandSubmitted" || log.name === "Left") trail.touch(`round ${a.round}`, mark);
      if (log.name === "MarketOpened") {
        asset = a.asset;
        allowListOnly = a.allowListOnly;
        continue;
      }
      if (log.name === "RecipientsSet") {
        recipients = { fee: a.feeRecipient, revenue: a.revenueRecipient };
        if (model) {
          model.feeRecipient = recipients.fee.toLowerCase();
          model.revenueRecipient = recipients.revenue.toLowerCase();
        }
        continue;
      }
      if (log.name === "ParamsScheduled" && !model) {
        model = new ClearingModel(
          { feeRecipient: recipients.fee, revenueRecipient: recipients.revenue, allowListOnly, params: paramsOf(a) },
          0n,
        );
        continue;
      }
      if (!model) {
        if (!log.name.startsWith("Ownership")) findings.at(log, "event before the market's creation events");
        continue;
      }
      const m = model;
      switch (log.name) {
        case "ParamsScheduled":
          run(log, () => {
            const version = m.scheduleParams(paramsOf(a));
            findings.same(log, { version: [a.version, version], fromRound: [a.fromRound, m.round + 1n] });
          });
          break;
        case "ParamsActivated":
          findings.same(log, { version: [a.version, m.version], round: [a.round, m.round] });
          break;
        case "AllowListSet":
          if (a.allowed) m.allowed.add(a.account.toLowerCase());
          else m.allowed.delete(a.account.toLowerCase());
          break;
        case "Joined":
          run(log, () => m.join(a.agent, 0n));
          joined++;
          break;
        case "Deposited":
          run(log, () => m.deposit(a.agent, a.amount));
          break;
        case "Settled":
          run(log, () => {
            m.settle(a.agent);
            const s = m.settled.pop();
            if (!s) return findings.at(log, "settlement of an agent with nothing to settle");
            findings.same(log, {
              round: [a.round, s.round],
              allocation: [a.allocation, s.allocation],
              fee: [a.fee, s.fee],
              revenue: [a.revenue, s.revenue],
              refund: [a.refund, s.refund],
            });
          });
          break;
        case "DemandSubmitted": {
          // `leave` cancels a pending demand with a zero DemandSubmitted right before its Left (same agent and
          // round). A demand followed by a Left later in the transaction (a smart account's batch: submit, close,
          // leave) stood, and is replayed.
          const next = tx[i + 1];
          const cancelled =
            next?.name === "Left" && next.args.agent === a.agent && next.args.round === a.round && a.demand === 0n;
          if (cancelled) break; // replayed at Left
          run(log, () => {
            const said = consents.get(log.txHash)?.get(a.agent.toLowerCase());
            const [round, cap] = said ? [said.round, said.maxReserve] : [BigInt(a.round), BigInt(a.reserved)];
            m.submitDemand(a.agent, round, a.demand, cap, m.deadline - 1n);
            const books = m.agent(a.agent);
            findings.same(log, {
              round: [a.round, m.round],
              reserved: [a.reserved, books.reserved],
              totalDemand: [a.totalDemand, m.rounds.get(m.round)!.totalDemand],
            });
            demands.set(a.agent.toLowerCase(), a.demand);
          });
          if (m.settled.length)
            findings.at(
              log,
              `the agent had round ${m.settled.splice(0)[0].round} to settle first, and no Settled event says so`,
            );
          break;
        }
        case "Left":
          run(log, () => {
            m.leave(a.agent);
            findings.same(log, { round: [a.round, m.round] });
            demands.delete(a.agent.toLowerCase());
          });
          break;
        case "Withdrawn":
          run(log, () => m.withdraw(a.agent, a.amount));
          break;
        case "RoundClosed":
          run(log, () => {
            const active = Number(m.active);
            const participants = Number(m.positive);
            const ev = m.closeRound(m.deadline);
            const converged = tx.slice(i + 1).some((l) => l.name === "Converged" && l.args.round === a.round);
            findings.sameAs(log, roundClosedOf(a, converged), ev);
            const rule = m.params.get(ev.version)!.rationing;
            for (const [agent, x] of demands) {
              const q = m.rationing.allocation(rule, ev.round, x, ev.totalDemand, ev.capacity);
              allocated.set(agent, (allocated.get(agent) ?? 0) + fromFixed(q));
            }
            demands.clear();
            rounds.push({
              round: Number(ev.round),
              totalDemand: fromFixed(ev.totalDemand),
              capacity: fromFixed(ev.capacity),
              mu: fromFixed(ev.mu),
              nextMu: fromFixed(ev.nextMu),
              primalResidual: fromFixed(ev.primalResidual),
              dualResidual: fromFixed(ev.dualResidual),
              converged: ev.converged,
              participants,
              active,
            });
          });
          break;
        case "Converged":
          break; // checked with its RoundClosed
        case "FeesWithdrawn":
          run(log, () => findings.same(log, { amount: [a.amount, m.withdrawFees(a.recipient)] }));
          break;
        case "RevenueWithdrawn":
          run(log, () => findings.same(log, { amount: [a.amount, m.withdrawRevenue(a.recipient)] }));
          break;
        default:
          findings.unknownEvent(log);
      }
    }
    trail.recordTx(mark, owedBefore, owed());
  }
  if (!model) throw new Error("the log has no ClearingMarket creation events (MarketOpened, ParamsScheduled)");
  trail.final = model;

  let fees = 0n;
  let revenue = 0n;
  for (const log of logs) {
    if (log.name === "Settled") {
      fees += log.args.fee;
      revenue += log.args.revenue;
    }
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
  const g = gini([...allocated.values()]);
  const convergedRounds = rounds.filter((r) => r.converged);
  return {
    summary: {
      asset,
      allowListOnly,
      rounds: rounds.length,
      agents: joined,
      volume: rounds.reduce((s, r) => s + Math.min(r.totalDemand, r.capacity), 0),
      fees: fromFixed(fees),
      revenue: fromFixed(revenue),
      gini: g,
      fairness: 1 - g,
      participation: mean(rounds.filter((r) => r.active > 0).map((r) => r.participants / r.active)),
      utilization: mean(rounds.map((r) => Math.min(r.totalDemand, r.capacity) / r.capacity)),
      convergedRounds: convergedRounds.length,
      firstConvergedRound: convergedRounds[0]?.round ?? null,
      finalPrice: fromFixed(model.currentParams().tau + model.mu()),
      liabilities: model.totalLiabilities,
    },
    rounds,
    discrepancies: findings.list,
  };
}
