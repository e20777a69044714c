/**
 * Twin of `contracts/clearing/AdaptivePrice.sol`: the adaptive rule, a safeguarded root finder
 * on the excess demand `S(mu) - m` (bracket, Illinois regula falsi, secant with a hyperbolic
 * correction outside the bracket).
 */
import { UNIT, abs, max, min, mulDiv } from "../../common/fixed";
import { MAX_PRICE, ascentStep, move } from "./priceUpdate";

export interface Bracket {
  lo: bigint;
  hi: bigint;
  hasLo: boolean;
  hasHi: boolean;
  excessLo: bigint;
  shortfallHi: bigint;
  lastMoved: number;
  gapConfirmed: boolean;
}

export interface Observation {
  valid: boolean;
  mu: bigint;
  excess: bigint;
}

const MAX_GROWTH = 4n;
const MOVED_LO = 1;
const MOVED_HI = 2;

export const emptyBracket = (): Bracket => ({
  lo: 0n,
  hi: 0n,
  hasLo: false,
  hasHi: false,
  excessLo: 0n,
  shortfallHi: 0n,
  lastMoved: 0,
  gapConfirmed: false,
});

const halve = (w: bigint): bigint => w - w / 2n;

function observe(b: Bracket, mu: bigint, excess: bigint, tolPrimal: bigint): void {
  if (excess > 0n) {
    const probeAnswered = b.hasLo && b.hasHi && mu === b.lo;
    if (b.hasHi && mu >= b.hi) b.hasHi = false;
    else if (b.hasHi && b.lastMoved === MOVED_LO) b.shortfallHi = halve(b.shortfallHi);
    b.gapConfirmed = probeAnswered && b.hasHi;
    b.lo = mu;
    b.excessLo = excess;
    b.hasLo = true;
    b.lastMoved = MOVED_LO;
  } else {
    const shortfall = -excess;
    const sameEnd = b.hasHi && mu === b.hi;
    if (!sameEnd) b.gapConfirmed = false;
    else if (b.lastMoved === MOVED_HI && abs(shortfall - b.shortfallHi) > tolPrimal) b.gapConfirmed = false;
    if (b.hasLo && mu <= b.lo) b.hasLo = false;
    else if (b.hasLo && b.lastMoved === MOVED_HI) b.excessLo = halve(b.excessLo);
    b.hi = mu;
    b.shortfallHi = shortfall;
    b.hasHi = true;
    b.lastMoved = MOVED_HI;
  }
}

function secantStep(mu: bigint, excess: bigint, previous: Observation): bigint {
  if (!previous.valid || previous.mu === mu || previous.excess === excess) return 0n;
  const priceRose = mu > previous.mu;
  const demandFell = excess < previous.excess;
  if (priceRose !== demandFell) return 0n;
  return mulDiv(abs(excess), abs(mu - previous.mu), abs(previous.excess - excess));
}

export interface AdaptiveContext {
  capacity: bigint;
  /** Agents that demanded a positive quantity in the round. */
  participants: bigint;
  eta: bigint;
  tolPrimal: bigint;
  tolDual: bigint;
}

/** `AdaptivePrice._hyperbolic`: `step (S + K) / (m + K)` with `S = m + excess`. */
function hyperbolic(step: bigint, excess: bigint, ctx: AdaptiveContext): bigint {
  const k = ctx.participants * UNIT;
  return mulDiv(min(step, MAX_PRICE), ctx.capacity + excess + k, ctx.capacity + k);
}

/** `AdaptivePrice.update`: mutates `b`, returns the next price and whether the bracket collapsed. */
export function adaptiveUpdate(
  b: Bracket,
  mu: bigint,
  excess: bigint,
  previous: Observation,
  ctx: AdaptiveContext,
): { nextMu: bigint; collapsed: boolean } {
  observe(b, mu, excess, ctx.tolPrimal);
  if (b.hasLo && b.hasHi) {
    const width = b.hi - b.lo;
    if (width <= ctx.tolDual) {
      if (b.shortfallHi > ctx.tolPrimal && !b.gapConfirmed) return { nextMu: b.lo, collapsed: false };
      return { nextMu: b.hi, collapsed: true };
    }
    let nextMu = b.lo + mulDiv(width, b.excessLo, b.excessLo + b.shortfallHi);
    if (nextMu <= b.lo) nextMu = b.lo + width / 2n;
    return { nextMu, collapsed: false };
  }
  let secant = secantStep(mu, excess, previous);
  if (secant !== 0n) secant = min(hyperbolic(secant, previous.excess, ctx), MAX_GROWTH * abs(mu - previous.mu));
  let ascent = ascentStep(ctx.eta, abs(excess));
  if (excess > 0n) ascent = hyperbolic(ascent, excess, ctx);
  return { nextMu: move(mu, excess, max(secant, ascent)), collapsed: false };
}
