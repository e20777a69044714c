/**
 * Cold starts (`jump` and `heavy-tail`, from mu = 0) against their floors. A round at most doubles the price, or
 * raises it by `eta m` when that is more (issue 13, point 3), so the climb from zero to `mu*` alone takes
 * `climbFloor` rounds under every rule with that bound; and a jump of S over m (fixed-fee drop-outs) is found by
 * no rule faster than bisection, whose count from the first bracket issue 13 allows 5 more rounds than
 * (`log2(initial bracket / tolerance) + 5`). The robustness part reports both beside the rounds themselves.
 */
import type { MarketSettings } from "../model/settings";
import { solveClearing } from "../sim/equilibrium";
import type { PlayedRound } from "../sim/rounds";
import { fromFixed } from "../../common/fixed";
import { bracketBound, climbFloor, firstBracket, rankQuantile } from "./metrics";
import type { Setup } from "./scenarios";

/**
 * One cold start's rounds against their floors: `climbFloor` the earliest round any rule under the move bound can
 * post `mu*` ({climbFloor}); `afterBracket` the rounds from the first bracket to re-convergence (null: never),
 * and whether they stay within {bracketBound} of that bracket's width.
 */
export interface ColdStartOutcome {
  climbFloor: number;
  afterBracket: number | null;
  withinBracketBound: boolean;
}

/** Over the seeds: the median floor, the rounds beyond it and after the first bracket, the seeds within the bound. */
export interface ColdStartEntry {
  climbFloor: number | null;
  roundsBeyondClimb: number | null;
  roundsBeyondClimbP90: number | null;
  roundsAfterFirstBracket: number | null;
  roundsAfterFirstBracketP90: number | null;
  seedsWithinBracketBound: number;
  seeds: number;
}

/** The outcome of a run from mu = 0 (the setup's starting market) that re-converged in `rounds` (null: never). */
export function coldStartOutcome(
  run: PlayedRound[],
  rounds: number | null,
  setup: Setup,
  settings: MarketSettings,
): ColdStartOutcome {
  const { capacity, tau, fixedFee } = setup.market;
  const muStar = solveClearing(setup.agents, capacity, tau, fixedFee).mu;
  const bracket = firstBracket(
    run.map((r) => fromFixed(r.mu)),
    run.map((r) => (r.totalDemand > r.capacity ? 1 : -1)),
  );
  const afterBracket = rounds === null || bracket === undefined ? null : rounds - bracket.round;
  return {
    climbFloor: climbFloor(muStar, settings.eta * settings.capacity),
    afterBracket,
    withinBracketBound: afterBracket !== null && afterBracket <= bracketBound(bracket!.width, settings.tolDual),
  };
}

/** The entry's cold-start figures from each seed's outcome and rounds (null: never re-converged). */
export function summarizeColdStarts(cold: (ColdStartOutcome & { rounds: number | null })[]): ColdStartEntry {
  const beyond = cold.map((c) => (c.rounds === null ? null : c.rounds - c.climbFloor));
  const after = cold.map((c) => c.afterBracket);
  const floors = cold.map((c) => c.climbFloor);
  return {
    climbFloor: rankQuantile(floors, 0.5),
    roundsBeyondClimb: rankQuantile(beyond, 0.5),
    roundsBeyondClimbP90: rankQuantile(beyond, 0.9),
    roundsAfterFirstBracket: rankQuantile(after, 0.5),
    roundsAfterFirstBracketP90: rankQuantile(after, 0.9),
    seedsWithinBracketBound: cold.filter((c) => c.withinBracketBound).length,
    seeds: cold.length,
  };
}
