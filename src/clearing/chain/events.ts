/**
 * The one reader of ClearingMarket's round events: a `RoundClosed` (with its `Converged`, emitted
 * in the same transaction) as the model's `RoundClosedEvent`, a `ParamsScheduled` as the model's
 * `ParamsInput`, and a whole log as the `PlayedRound`s the off-chain engine produces. The driver,
 * the auditor and the tests read events through these.
 */
import type { DecodedLog } from "../../chain/logs";
import type { PlayedRound } from "../sim/rounds";
import type { ParamsInput, RoundClosedEvent } from "../model/types";

/** Whether a transaction's logs (raw or decoded by name) include a `Converged` event. */
export const hasConverged = (logs: readonly { name?: string }[]): boolean => logs.some((l) => l.name === "Converged");

/** The parameters a `ParamsScheduled` event announces. */
export const paramsOf = (a: DecodedLog["args"]): ParamsInput => {
  const p = a.params;
  return {
    capacity: p.capacity,
    tau: p.tau,
    fixedFee: p.fixedFee,
    rule: Number(p.rule),
    eta: p.eta,
    tolPrimal: p.tolPrimal,
    tolDual: p.tolDual,
    roundDuration: p.roundDuration,
    rationing: Number(p.rationing),
  };
};

/**
 * A `RoundClosed` event's arguments as the model's event; `converged` says whether the same
 * transaction emitted `Converged` for the round.
 */
export function roundClosedOf(a: DecodedLog["args"], converged: boolean): RoundClosedEvent {
  return {
    round: a.round,
    totalDemand: a.totalDemand,
    capacity: a.capacity,
    mu: a.mu,
    nextMu: a.nextMu,
    primalResidual: a.primalResidual,
    dualResidual: a.dualResidual,
    version: a.version,
    converged,
  };
}

/**
 * The rounds of a market from its decoded event log: parameters by version from
 * `ParamsScheduled`, each agent's last `DemandSubmitted` per round, `RoundClosed` and
 * `Converged`. `agents` gives the population order (addresses).
 */
export function roundsFromLogs(logs: DecodedLog[], agents: string[]): PlayedRound[] {
  const index = new Map(agents.map((a, i) => [a.toLowerCase(), i]));
  const params = new Map<bigint, ParamsInput>();
  const demands = new Map<bigint, (bigint | null)[]>();
  const out: PlayedRound[] = [];
  const byRound = new Map<bigint, PlayedRound>();
  for (const log of logs) {
    const a = log.args;
    if (log.name === "ParamsScheduled") params.set(a.version, paramsOf(a));
    else if (log.name === "DemandSubmitted") {
      const i = index.get(String(a.agent).toLowerCase());
      if (i === undefined) continue;
      const row = demands.get(a.round) ?? agents.map(() => null);
      row[i] = a.demand;
      demands.set(a.round, row);
    } else if (log.name === "Left") {
      // A leave within the round withdraws the agent's demand of that round.
      const i = index.get(String(a.agent).toLowerCase());
      const row = demands.get(a.round);
      if (i !== undefined && row) row[i] = null;
    } else if (log.name === "RoundClosed") {
      const p = params.get(a.version);
      if (!p) throw new Error(`roundsFromLogs: round ${a.round} closed under unknown parameters version ${a.version}`);
      const r: PlayedRound = {
        ...roundClosedOf(a, false),
        tau: p.tau,
        fixedFee: p.fixedFee,
        demands: demands.get(a.round) ?? agents.map(() => null),
      };
      out.push(r);
      byRound.set(r.round, r);
    } else if (log.name === "Converged") {
      const r = byRound.get(a.round);
      if (r) r.converged = true;
    }
  }
  return out;
}
