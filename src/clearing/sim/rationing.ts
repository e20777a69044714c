/**
 * Rationing rules as the off-chain measurements apply them to a played round, exactly as the contract settles it:
 * the model's `RoundRationing` (pro rata, or the uniform rule's tree, close and allocation, bit for bit) on the
 * round's demands. The price path does not depend on the rule (the price moves on the total demand only), so one
 * engine run serves both; every benchmark keyed `"<rule>/<rationing>"` takes the rules from `RATIONINGS`.
 */
import { RoundRationing } from "../model/roundRationing";
import { type RationingName, rationing as rationingOf, rationingNames } from "../model/settings";
import type { PlayedRound } from "./rounds";

export const RATIONINGS = rationingNames;
export type Rationing = RationingName;

/** Each participant's allocation in a played round (fixed point; 0 for one that did not take part). */
export function allocations(rationing: Rationing, r: PlayedRound): bigint[] {
  const rule = rationingOf(rationing);
  const round = new RoundRationing();
  for (const d of r.demands) if (d) round.move(rule, 1n, 0n, d);
  round.close(rule, 1n, r.totalDemand, r.capacity);
  return r.demands.map((d) => (d === null ? 0n : round.allocation(rule, 1n, d, r.totalDemand, r.capacity)));
}
