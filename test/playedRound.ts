import type { PlayedRound } from "../src/clearing/sim/rounds";

/**
 * A closed round for tests of the measures that read played rounds: round 1 at mu = 0, no fees,
 * nothing converged, total demand the sum of `demands`, unless `over` says otherwise.
 */
export function playedRound(
  demands: (bigint | null)[],
  capacity: bigint,
  over: Partial<PlayedRound> = {},
): PlayedRound {
  return {
    round: 1n,
    totalDemand: demands.reduce<bigint>((a, d) => a + (d ?? 0n), 0n),
    capacity,
    mu: 0n,
    nextMu: 0n,
    primalResidual: 0n,
    dualResidual: 0n,
    version: 1n,
    converged: false,
    tau: 0n,
    fixedFee: 0n,
    demands,
    ...over,
  };
}
