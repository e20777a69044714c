/**
 * Agent types drawn from a seed, uniformly within ranges: by default the paper's Table 3
 * (`alpha ~ U(5, 20)`, `beta ~ U(0.5, 5)`).
 */
import { normal, rng, uniform } from "../../common/random";
import type { AgentType } from "./reference";

/** Where the value scale `alpha` and the cost `beta` of drawn agents lie. */
export interface TypeRanges {
  alphaRange: [number, number];
  betaRange: [number, number];
}

export const PAPER_RANGES: TypeRanges = { alphaRange: [5, 20], betaRange: [0.5, 5] };

export function drawAgents(n: number, seed: number, ranges: TypeRanges = PAPER_RANGES): AgentType[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => ({
    alpha: uniform(r, ...ranges.alphaRange),
    beta: uniform(r, ...ranges.betaRange),
  }));
}

/**
 * A heavy-tailed population (issue 13): lognormal `alpha` (`ln alpha ~ N(ln 10, 1)`: median 10, a
 * few agents ten times that) and `beta ~ U(0.005, 0.015)`, near 0.
 */
export function drawHeavyTail(n: number, seed: number): AgentType[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => ({ alpha: 10 * Math.exp(normal(r)), beta: uniform(r, 0.005, 0.015) }));
}
