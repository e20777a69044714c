/**
 * Twin of the `PriceUpdate` library in `contracts/clearing/PriceUpdate.sol`: the projected dual
 * ascent step of the constant and diminishing rules. The step's magnitude rounds down.
 */
import { UNIT, min, mulDiv, udDiv, udSqrt } from "../../common/fixed";
import { StepRule } from "./types";

/** Highest posted congestion price (`type(uint120).max`). */
export const MAX_PRICE = (1n << 120n) - 1n;

export const ascentStep = (eta: bigint, absExcess: bigint): bigint => mulDiv(eta, absExcess, UNIT);

/** `PriceUpdate.move`: projected step, capped at MAX_PRICE. */
export function move(mu: bigint, excess: bigint, step: bigint): bigint {
  if (excess > 0n) return min(mu + min(step, MAX_PRICE), MAX_PRICE);
  return step >= mu ? 0n : mu - step;
}

export const diminishingEta = (eta0: bigint, k: bigint): bigint => udDiv(eta0, udSqrt(k * UNIT));

/** The next price under the constant or the diminishing rule (`k` counted from the parameters' first round). */
export function scheduledStep(rule: StepRule, eta0: bigint, k: bigint, mu: bigint, excess: bigint): bigint {
  const eta = rule === StepRule.Diminishing ? diminishingEta(eta0, k) : eta0;
  return move(mu, excess, ascentStep(eta, excess < 0n ? -excess : excess));
}
