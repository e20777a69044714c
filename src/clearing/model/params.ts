/**
 * The governed parameters' bounds (`ClearingMarket._pack`) and a closed round's residuals and
 * convergence test (`ClearingMarket.closeRound`), as the contract computes them.
 */
import { abs } from "../../common/fixed";
import { MAX_PRICE } from "./priceUpdate";
import {
  MarketError,
  MAX_QUANTITY,
  MAX_ROUND_DURATION,
  type Params,
  type ParamsInput,
  Rationing,
  StepRule,
} from "./types";

const U96 = (1n << 96n) - 1n;

/** Residuals and the convergence flag of a closed round, as `RoundClosed`/`Converged` report them. */
export function residuals(mu: bigint, nextMu: bigint, excess: bigint, collapsed: boolean, p: Params) {
  const primal = mu === 0n && excess <= 0n ? 0n : abs(excess);
  const dual = abs(nextMu - mu);
  const converged = dual <= p.tolDual && (primal <= p.tolPrimal || (collapsed && excess <= 0n));
  return { primal, dual, converged };
}

/** `ClearingMarket._pack`: validates governed parameters. */
export function validateParams(input: ParamsInput, startRound: bigint): Params {
  if (input.capacity === 0n || input.capacity > MAX_QUANTITY)
    throw new MarketError("InvalidCapacity", [input.capacity]);
  if (input.tau > MAX_PRICE) throw new MarketError("InvalidPrice", [input.tau]);
  if (input.fixedFee > U96) throw new MarketError("InvalidFixedFee", [input.fixedFee]);
  if (input.rule > StepRule.Adaptive) throw new MarketError("InvalidStepRule", [BigInt(input.rule)]);
  if (input.rationing > Rationing.Uniform) throw new MarketError("InvalidRationing", [BigInt(input.rationing)]);
  if (input.eta > U96 || (input.eta === 0n && input.rule === StepRule.Adaptive)) {
    throw new MarketError("InvalidStepSize", [input.eta]);
  }
  if (input.tolDual === 0n || input.tolDual > U96 || input.tolPrimal > U96) {
    throw new MarketError("InvalidTolerance", [input.tolPrimal, input.tolDual]);
  }
  if (input.roundDuration === 0n || input.roundDuration > MAX_ROUND_DURATION) {
    throw new MarketError("InvalidRoundDuration", [input.roundDuration]);
  }
  return { ...input, rule: input.rule as StepRule, rationing: input.rationing as Rationing, startRound };
}
