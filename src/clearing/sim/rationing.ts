/**
 * Rationing rules as the off-chain measurements apply them to a played round, exactly as the contract settles it:
 * pro rata (`Settlement.allocation`, rounded down) or the uniform rule (`UniformRationing`: the round's demands in
 * a fresh tree, its close and each agent's allocation, bit for bit). The price path does not depend on the rule
 * (the price moves on the total demand only), so one engine run serves both; every benchmark keyed
 * `"<rule>/<rationing>"` takes the rules from `RATIONINGS`.
 */
import { type RationingName, rationingNames } from "../model/settings";
import { allocation } from "../model/settlement";
import { RationingTree, allocation as uniformAllocation } from "../model/uniformRationing";
import type { PlayedRound } from "./rounds";

export const RATIONINGS = rationingNames;
export type Rationing = RationingName;

/** Each participant's allocation in a played round (fixed point; 0 for one that did not take part). */
export function allocations(rationing: Rationing, r: PlayedRound): bigint[] {
  if (rationing === "pro-rata" || r.totalDemand <= r.capacity) {
    return r.demands.map((d) => (d === null ? 0n : allocation(d, r.totalDemand, r.capacity)));
  }
  const tree = new RationingTree();
  for (const d of r.demands) if (d) tree.move(1n, 0n, d);
  const result = tree.close(1n, r.capacity);
  return r.demands.map((d) => (d === null ? 0n : uniformAllocation(d, result)));
}
