/**
 * Cold starts (`jump` and `heavy-tail`, from mu = 0) against their floors. A round at most doubles the price, or
 * raises it by `eta m` when that is more (issue 13, point 3), so at the configured `eta` the climb from zero to
 * the prices the tolerance accepts takes `climbFloor` rounds under every rule with that bound. Where S jumps
 * over m (fixed-fee drop-outs) the bracket must then be narrowed to `tolDual`, for which issue 13 allows
 * bisection's count from the first bracket plus 5 (`log2(initial bracket / tolerance) + 5`). The robustness
 * part reports both beside the rounds themselves.
 */
import type { MarketSettings } from "../model/settings";
import { aggregateDemand } from "../agents/reference";
import { solveClearing } from "../sim/equilibrium";
import type { PlayedRound } from "../sim/rounds";
import { fromFixed } from "../../common/fixed";
import { bisect, bracketBound, climbFloor, firstBracket, rankQuantile } from "./metrics";
import type { Setup } from "./scenarios";

/**
 * One cold start's rounds against their floors: `climbFloor` the earliest round any rule under the move bound can
 * post a price the primal tolerance accepts ({climbFloor}); `afterBracket` the rounds from the first bracket
 * formed before re-convergence to it (null: none formed, the market converged from below, or it never
 * re-converged), and whether they stay within {bracketBound} of that bracket's width.
 */
export interface ColdStartOutcome {
  climbFloor: number;
  afterBracket: number | null;
  withinBracketBound: boolean;
}

/**
 * Over the seeds: the median floor and the rounds beyond it; over the seeds that formed a bracket before
 * re-converging (`seedsBracketed` of `seeds`), the rounds after it and how many stayed within the bound.
 */
export type ColdStartEntry = {
  climbFloor: number | null;
  roundsBeyondClimb: number | null;
  roundsBeyondClimbP90: number | null;
  roundsAfterFirstBracket: number | null;
  roundsAfterFirstBracketP90: number | null;
  seedsWithinBracketBound: number;
  seedsBracketed: number;
  seeds: number;
};

/** The lowest price at which S exceeds m by at most `tolPrimal` (bisection on the non-increasing S, from above). */
function lowestAcceptedPrice(setup: Setup, muStar: number, tolPrimal: number): number {
  const { capacity, tau, fixedFee } = setup.market;
  const accepted = (mu: number) => aggregateDemand(setup.agents, tau, mu, fixedFee) <= capacity + tolPrimal;
  return accepted(0) ? 0 : bisect(accepted, 0, muStar)[1];
}

/**
 * The outcome of a run from mu = 0 (the setup's starting market) that re-converged in `rounds` (null: never). A
 * converged round's excess is at most `tolPrimal` ({residuals}), so its price is at least the lowest accepted one.
 */
export function coldStartOutcome(
  run: PlayedRound[],
  rounds: number | null,
  setup: Setup,
  settings: MarketSettings,
): ColdStartOutcome {
  const { capacity, tau, fixedFee } = setup.market;
  const muStar = solveClearing(setup.agents, capacity, tau, fixedFee).mu;
  // Only the rounds up to re-convergence: a market that converged from below forms no bracket before it.
  const played = rounds === null ? [] : run.slice(0, rounds);
  const bracket = firstBracket(
    played.map((r) => fromFixed(r.mu)),
    played.map((r) => (r.totalDemand > r.capacity ? 1 : -1)),
  );
  const afterBracket = rounds === null || bracket === undefined ? null : rounds - bracket.round;
  return {
    climbFloor: climbFloor(lowestAcceptedPrice(setup, muStar, settings.tolPrimal), settings.eta * settings.capacity),
    afterBracket,
    withinBracketBound: afterBracket !== null && afterBracket <= bracketBound(bracket!.width, settings.tolDual),
  };
}

/** The entry's cold-start figures from each seed's outcome and rounds (null: never re-converged). */
export function summarizeColdStarts(cold: (ColdStartOutcome & { rounds: number | null })[]): ColdStartEntry {
  const beyond = cold.map((c) => (c.rounds === null ? null : c.rounds - c.climbFloor));
  const after = cold.flatMap((c) => (c.afterBracket === null ? [] : [c.afterBracket]));
  const floors = cold.map((c) => c.climbFloor);
  return {
    climbFloor: rankQuantile(floors, 0.5),
    roundsBeyondClimb: rankQuantile(beyond, 0.5),
    roundsBeyondClimbP90: rankQuantile(beyond, 0.9),
    roundsAfterFirstBracket: rankQuantile(after, 0.5),
    roundsAfterFirstBracketP90: rankQuantile(after, 0.9),
    seedsWithinBracketBound: cold.filter((c) => c.withinBracketBound).length,
    seedsBracketed: after.length,
    seeds: cold.length,
  };
}
