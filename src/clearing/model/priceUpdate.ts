/**
 * Twin of the `PriceUpdate` library in `contracts/clearing/PriceUpdate.sol`: the projected dual
 * ascent step of the constant and diminishing rules. The step's magnitude rounds down.
 */
import { UNIT, max, min, mulDiv, udDiv, udSqrt } from "../../common/fixed";
import { StepRule } from "./types";

/** Highest posted congestion price (`type(uint120).max`). */
export const MAX_PRICE = (1n << 120n) - 1n;

export const ascentStep = (eta: bigint, absExcess: bigint): bigint => mulDiv(eta, absExcess, UNIT);

/** `PriceUpdate.boundedExcess`: the excess the price step uses, at most `m`. */
export const boundedExcess = (excess: bigint, capacity: bigint): bigint => (excess > capacity ? capacity : excess);

/** `PriceUpdate.limitMove`: at most doubling or halving the price, or `floor` when that is more. */
export function limitMove(mu: bigint, nextMu: bigint, floor: bigint): bigint {
  if (nextMu > mu) return min(nextMu, mu + max(mu, floor));
  const maxDown = max(mu / 2n, floor);
  return maxDown >= mu ? nextMu : max(nextMu, mu - maxDown);
}

/** `PriceUpdate.move`: projected step, capped at MAX_PRICE. */
export function move(mu: bigint, excess: bigint, step: bigint): bigint {
  if (excess > 0n) return min(mu + min(step, MAX_PRICE), MAX_PRICE);
  return step >= mu ? 0n : mu - step;
}

export const diminishingEta = (eta0: bigint, k: bigint): bigint => udDiv(eta0, udSqrt(k * UNIT));

/**
 * The next price under the constant or the diminishing rule (`k` counted from the parameters' first
 * round), on the excess bounded by `capacity`.
 */
export function scheduledStep(
  rule: StepRule,
  eta0: bigint,
  k: bigint,
  mu: bigint,
  excess: bigint,
  capacity: bigint,
): bigint {
  const eta = rule === StepRule.Diminishing ? diminishingEta(eta0, k) : eta0;
  const bounded = boundedExcess(excess, capacity);
  return move(mu, bounded, ascentStep(eta, bounded < 0n ? -bounded : bounded));
}
