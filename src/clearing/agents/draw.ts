/**
 * Scenarios of the clearing game: agent populations drawn as in the paper's Table 3
 * (`alpha ~ U(5, 20)`, `beta ~ U(0.5, 5)`) from a seed, with market settings.
 */
import { rng, uniform } from "../../common/random";
import type { AgentType } from "./reference";

export interface Population {
  alphaRange: [number, number];
  betaRange: [number, number];
}

export const PAPER_POPULATION: Population = { alphaRange: [5, 20], betaRange: [0.5, 5] };

export function drawAgents(n: number, seed: number, population: Population = PAPER_POPULATION): AgentType[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => ({
    alpha: uniform(r, ...population.alphaRange),
    beta: uniform(r, ...population.betaRange),
  }));
}
