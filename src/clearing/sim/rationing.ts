/**
 * Rationing rules as the off-chain measurements apply them to a played round. Only pro-rata exists
 * in the contract today (`Settlement.allocation`, rounded down); the uniform rule (issue 13, point 2)
 * will be a field of the market settings and an entry here, and every benchmark keyed
 * `"<rule>/<rationing>"` picks it up from `RATIONINGS`.
 */
import { allocation } from "../model/settlement";
import type { PlayedRound } from "./rounds";

export const RATIONINGS = ["pro-rata"] as const;
export type Rationing = (typeof RATIONINGS)[number];

/** Each participant's allocation in a played round (fixed point; 0 for one that did not take part). */
export function allocations(rationing: Rationing, r: PlayedRound): bigint[] {
  switch (rationing) {
    case "pro-rata":
      return r.demands.map((d) => (d === null ? 0n : allocation(d, r.totalDemand, r.capacity)));
  }
}
