/**
 * Welfare of a clearing-market round (spec §3), from what the contract recorded (demands,
 * total, capacity, prices) plus the agents' private types. Allocations are recomputed with the
 * contract's own rounding (`allocation`, pro rata rounded down).
 */
import { fromFixed } from "../../common/fixed";
import { gini, participation } from "../../common/metrics";
import type { AgentType } from "../agents/reference";
import { solveClearing } from "./equilibrium";
import { allocation } from "../model/settlement";
import type { PlayedRound } from "./rounds";

/** Surplus of one agent receiving `q`: `V(q) - C(q) - tau q - g 1{q > 0}` (fees are a loss; `mu q` is a transfer). */
export function surplus(agent: AgentType, q: number, tau: number, fixedFee: number): number {
  return q > 0 ? agent.alpha * Math.log1p(q) - (agent.beta + tau) * q - fixedFee : 0;
}

/** `Eff = sum_i surplus_i` (spec §3). */
export function efficiency(agents: AgentType[], quantities: number[], tau: number, fixedFee: number): number {
  return agents.reduce((sum, a, i) => sum + surplus(a, quantities[i], tau, fixedFee), 0);
}

export interface RoundWelfare {
  round: number;
  mu: number;
  price: number;
  totalDemand: number;
  capacity: number;
  /** Allocation of each present agent (absent agents are left out of every metric). */
  allocations: number[];
  efficiency: number;
  gini: number;
  fairness: number;
  participation: number;
  utilization: number;
  /** Mean cost per present agent: own cost `beta q` plus payment `(tau + mu) q + g 1{q > 0}`. */
  avgCost: number;
  /** Exact clearing price `mu*` for the round's agents, capacity and fees. */
  muStar: number;
  /** Per-round optimum (Eff at the exact clearing solution for the round's agents and fees). */
  optimum: number;
}

/**
 * Welfare of a round played by `types` (the population's types during that round). `feeTau`
 * overrides the per-unit fee counted as a loss (the flat baseline posts `tau + mu_flat` as its
 * fee but `mu_flat` is congestion pricing, a transfer like `mu`).
 */
export function roundWelfare(r: PlayedRound, types: AgentType[], feeTau?: number): RoundWelfare {
  const posted = fromFixed(r.tau);
  const tau = feeTau ?? posted;
  const g = fromFixed(r.fixedFee);
  const mu = fromFixed(r.mu) + posted - tau;
  const capacity = fromFixed(r.capacity);
  const present = r.demands.flatMap((d, i) => (d === null ? [] : [i]));
  const agents = present.map((i) => types[i]);
  const q = present.map((i) => fromFixed(allocation(r.demands[i]!, r.totalDemand, r.capacity)));
  const fairness = 1 - gini(q);
  const star = solveClearing(agents, capacity, tau, g);
  const paid = q.reduce((s, x, k) => s + (agents[k].beta + tau + mu) * x + (x > 0 ? g : 0), 0);
  return {
    round: Number(r.round),
    mu,
    price: tau + mu,
    totalDemand: fromFixed(r.totalDemand),
    capacity,
    allocations: q,
    efficiency: efficiency(agents, q, tau, g),
    gini: 1 - fairness,
    fairness,
    participation: participation(q),
    utilization: q.reduce((a, b) => a + b, 0) / capacity,
    avgCost: agents.length ? paid / agents.length : 0,
    muStar: star.mu,
    optimum: efficiency(agents, star.x, tau, g),
  };
}
