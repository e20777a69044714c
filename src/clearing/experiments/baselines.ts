/**
 * The four mechanisms compared in the paper's Table 6, each defined precisely and, wherever
 * possible, as a parameterization of the same ClearingMarket run by the exact engine, and one of
 * ours beside them:
 *
 * - proposed: the contract with the adaptive price rule, played until its `Converged` event;
 *   outcome of the converged round.
 * - flat: the contract with `eta = 0` and a flat posted price `tau + mu_flat`, where `mu_flat`
 *   is set once, ex ante, as the clearing price of a large reference population drawn from the
 *   same distribution (it does not see the agents present). Pro-rata rationing if `S > m`;
 *   `mu_flat q` counts as congestion revenue (a transfer), like `mu q`.
 * - proportional: the contract with `eta = 0` (`mu` stays 0): agents demand at the fee alone and
 *   the contract rations pro rata when `S > m`.
 * - no enforcement: no contract: no fees (`tau = g = 0`) and no capacity cap (the contract with
 *   `m` unbounded records the demands). The resource still delivers only `m`: each agent gets
 *   `x m / S` when `S > m`, but bears its own cost `beta x` on everything it asked for.
 * - proposed, uniform: proposed with the uniform rationing rule instead of pro-rata (the paper's).
 */
import { type AgentType } from "../agents/reference";
import type { MarketSettings } from "../model/settings";
import { runEngine } from "../sim/engine";
import { solveClearing } from "../sim/equilibrium";
import { Population } from "../agents/population";
import { drawAgents } from "../agents/draw";
import { roundWelfare } from "../sim/welfare";
import { fromFixed } from "../../common/fixed";
import { gini, participation } from "../../common/metrics";
import { settingsFor } from "./scenarios";

/** The paper's four mechanisms (Table 6, Table 8), each with pro-rata rationing as in the paper. */
export const PAPER_MECHANISMS = ["no enforcement", "proportional", "flat", "proposed"] as const;
export type PaperMechanism = (typeof PAPER_MECHANISMS)[number];
/**
 * The paper's mechanisms and one of ours beside them: the proposed contract with the uniform
 * rationing rule (water-filling, strategy-proof; the default of new deployments, docs/clearing.md).
 */
export const MECHANISMS = [...PAPER_MECHANISMS, "proposed, uniform"] as const;
export type Mechanism = (typeof MECHANISMS)[number];

export interface MechanismOutcome {
  mechanism: Mechanism;
  efficiency: number;
  avgCost: number;
  gini: number;
  participation: number;
  utilization: number;
  /** Rounds played (1 for the static baselines). */
  rounds: number;
  converged: boolean;
}

export interface Market {
  agents: AgentType[];
  capacity: number;
  tau: number;
  fixedFee: number;
}

/** A large reference population from the paper's distribution, for `mu_flat`. */
export const referencePopulation = (): AgentType[] => drawAgents(2000, 0x5eed);

/** `mu_flat`: the clearing price of `reference` at the same capacity per agent. */
export function flatSurcharge(reference: AgentType[], capacityPerAgent: number, tau: number, fixedFee: number): number {
  return solveClearing(reference, capacityPerAgent * reference.length, tau, fixedFee).mu;
}

/** The contract with `eta = 0`: the posted price stays `tau` (mu stays 0). */
const staticSettings = (capacity: number, tau: number, fixedFee: number): MarketSettings => ({
  capacity,
  tau,
  fixedFee,
  rule: "constant",
  eta: 0,
  tolPrimal: 1e-6 * capacity,
  tolDual: 1e-9,
  roundDuration: 3600,
});

/** Plays one market under `mechanism` and measures it. `muFlat` is the flat baseline's surcharge. */
export function playMechanism(mechanism: Mechanism, m: Market, muFlat = 0, maxRounds = 200): MechanismOutcome {
  const pop = () => new Population(m.agents, 0);
  const outcome = (w: ReturnType<typeof roundWelfare>, rounds: number, converged: boolean): MechanismOutcome => ({
    mechanism,
    efficiency: w.efficiency,
    avgCost: w.avgCost,
    gini: w.gini,
    participation: w.participation,
    utilization: w.utilization,
    rounds,
    converged,
  });
  if (mechanism === "proposed" || mechanism === "proposed, uniform") {
    const settings = settingsFor(m.agents, m.capacity, m.tau, m.fixedFee);
    const rationing = mechanism === "proposed" ? "pro-rata" : "uniform";
    const run = runEngine(
      pop(),
      { ...settings, rationing },
      {
        rounds: maxRounds,
        untilConverged: true,
      },
    );
    const last = run[run.length - 1];
    return outcome(roundWelfare(last, m.agents), run.length, last.converged);
  }
  if (mechanism === "proportional" || mechanism === "flat") {
    const posted = mechanism === "flat" ? m.tau + muFlat : m.tau;
    const [r] = runEngine(pop(), staticSettings(m.capacity, posted, m.fixedFee), { rounds: 1 });
    return outcome(roundWelfare(r, m.agents, m.tau), 1, true);
  }
  // No enforcement: the contract only records; the congested resource delivers x m / S.
  const unbounded = 1e12;
  const [r] = runEngine(pop(), staticSettings(unbounded, 0, 0), { rounds: 1 });
  const x = r.demands.map((d) => fromFixed(d ?? 0n));
  const total = x.reduce((a, b) => a + b, 0);
  const delivered = x.map((d) => (total > m.capacity ? (d * m.capacity) / total : d));
  const cost = m.agents.map((a, i) => a.beta * x[i]);
  const eff = m.agents.reduce((s, a, i) => s + (x[i] > 0 ? a.alpha * Math.log1p(delivered[i]) : 0) - cost[i], 0);
  return {
    mechanism,
    efficiency: eff,
    avgCost: cost.reduce((a, b) => a + b, 0) / m.agents.length,
    gini: gini(delivered),
    participation: participation(delivered),
    utilization: delivered.reduce((a, b) => a + b, 0) / m.capacity,
    rounds: 1,
    converged: true,
  };
}

/** Every mechanism on the same market, in `MECHANISMS` order. */
export const playMechanisms = (m: Market, muFlat: number): MechanismOutcome[] =>
  MECHANISMS.map((mech) => playMechanism(mech, m, muFlat));
