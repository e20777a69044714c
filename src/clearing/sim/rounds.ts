/**
 * One experiment run of the clearing market, in the form both the off-chain engine and the
 * on-chain driver produce: each closed round with the parameters in force and every agent's
 * demand. On a chain it is rebuilt from the contract's events alone (`roundsFromLogs`).
 */
import { z } from "zod";
import type { DecodedLog } from "../../chain/logs";
import { type MarketSettings, marketSettingsSchema } from "../model/settings";
import type { RoundClosedEvent } from "../model/types";

/** A governance change that takes effect at round `round` (scheduled during round `round - 1`). */
export const paramShockSchema = z.object({
  round: z.number().int().min(2),
  set: marketSettingsSchema.partial(),
});
export type ParamShock = z.infer<typeof paramShockSchema>;

export interface PlayedRound extends RoundClosedEvent {
  /** Per-unit and fixed fee in force (fixed point). */
  tau: bigint;
  fixedFee: bigint;
  /** Each population member's demand in the round (fixed point), `null` when it did not take part. */
  demands: (bigint | null)[];
}

export interface RunOptions {
  rounds: number;
  shocks?: ParamShock[];
  /** Stop at the first converged round at or after the last shock. */
  untilConverged?: boolean;
  onRound?: (round: PlayedRound, done: number, total: number) => void;
}

/** Settings in force from each round on, after the shocks so far. */
export function settingsAfter(settings: MarketSettings, shocks: ParamShock[], round: number): MarketSettings {
  return shocks
    .filter((s) => s.round <= round)
    .sort((a, b) => a.round - b.round)
    .reduce((cur, s) => ({ ...cur, ...s.set }), settings);
}

export const lastShockRound = (shocks: ParamShock[] = []): number => Math.max(1, ...shocks.map((s) => s.round));

/** A `RoundClosed` event's arguments as the model's event (`converged` from a separate `Converged` event). */
export function roundClosedFromArgs(a: DecodedLog["args"]): RoundClosedEvent {
  return {
    round: a.round,
    totalDemand: a.totalDemand,
    capacity: a.capacity,
    mu: a.mu,
    nextMu: a.nextMu,
    primalResidual: a.primalResidual,
    dualResidual: a.dualResidual,
    version: a.version,
    converged: false,
  };
}

/**
 * The rounds of a market from its decoded event log: parameters by version from
 * `ParamsScheduled`, each agent's last `DemandSubmitted` per round, `RoundClosed` and
 * `Converged`. `agents` gives the population order (addresses).
 */
export function roundsFromLogs(logs: DecodedLog[], agents: string[]): PlayedRound[] {
  const index = new Map(agents.map((a, i) => [a.toLowerCase(), i]));
  const params = new Map<bigint, { tau: bigint; fixedFee: bigint }>();
  const demands = new Map<bigint, (bigint | null)[]>();
  const out: PlayedRound[] = [];
  const byRound = new Map<bigint, PlayedRound>();
  for (const log of logs) {
    const a = log.args;
    if (log.name === "ParamsScheduled") params.set(a.version, { tau: a.params.tau, fixedFee: a.params.fixedFee });
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
        ...roundClosedFromArgs(a),
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
