/**
 * Twin of `contracts/clearing/AdaptivePrice.sol`: the adaptive rule, a safeguarded root finder
 * on the bounded excess demand `min(S(mu) - m, m)` (bracket, Illinois regula falsi projected as in
 * ITP, secant with a hyperbolic correction and geometric growth outside the bracket; every move at
 * most doubles or halves the price, or is `eta * m`).
 */
import { UNIT, abs, max, min, mulDiv } from "../../common/fixed";
import { MAX_PRICE, ascentStep, boundedExcess, limitMove, move } from "./priceUpdate";

export interface Bracket {
  lo: bigint;
  hi: bigint;
  hasLo: boolean;
  hasHi: boolean;
  excessLo: bigint;
  shortfallHi: bigint;
  lastMoved: number;
  gapConfirmed: boolean;
  stepsLeft: number;
  loChecked: boolean;
}

export interface Observation {
  valid: boolean;
  mu: bigint;
  excess: bigint;
}

const MAX_GROWTH = 4n;
const EXTRA_STEPS = 3;
/** `AdaptivePrice.REPROBE_ROUNDS`: rounds a certified gap is believed before `lo` is probed again. */
const REPROBE_ROUNDS = 32;
const MAX_WEIGHT = (1n << 112n) - 1n;
const MOVED_LO = 1;
const MOVED_HI = 2;

/** `AdaptivePrice.empty()`: no end known; `hi` (the price cap) and `stepsLeft` (1) are placeholders. */
export const emptyBracket = (): Bracket => ({
  lo: 0n,
  hi: MAX_PRICE,
  hasLo: false,
  hasHi: false,
  excessLo: 0n,
  shortfallHi: 0n,
  lastMoved: 0,
  gapConfirmed: false,
  stepsLeft: 1,
  loChecked: false,
});

const halve = (w: bigint): bigint => w - w / 2n;
const weight = (w: bigint): bigint => min(w, MAX_WEIGHT);
/** `Math.log2(x, Ceil)` for x >= 1. */
const log2Ceil = (x: bigint): number => (x <= 1n ? 0 : (x - 1n).toString(2).length);

function observe(b: Bracket, mu: bigint, excess: bigint, tolPrimal: bigint): void {
  if (excess > 0n) {
    const probeAnswered = b.hasLo && b.hasHi && mu === b.lo;
    if (b.hasHi && mu >= b.hi) b.hasHi = false;
    else if (b.hasHi && b.lastMoved === MOVED_LO && mu !== b.lo) b.shortfallHi = halve(b.shortfallHi);
    b.gapConfirmed = probeAnswered && b.hasHi;
    b.loChecked = b.hasLo && mu === b.lo;
    b.lo = mu;
    b.excessLo = weight(excess);
    b.hasLo = true;
    b.lastMoved = MOVED_LO;
  } else {
    // Compared as the weight it is stored as (a shortfall beyond MAX_WEIGHT would read as moved every round).
    const shortfall = weight(-excess);
    const sameEnd = b.hasHi && mu === b.hi;
    if (!sameEnd) b.gapConfirmed = false;
    else if (b.lastMoved === MOVED_HI && abs(shortfall - b.shortfallHi) > tolPrimal) {
      b.gapConfirmed = false;
      // Demand at `hi` fell by more than the excess seen at `lo`: that excess is gone too, `lo` is stale.
      if (shortfall > b.shortfallHi + b.excessLo) b.hasLo = false;
    }
    if (b.hasLo && mu <= b.lo) b.hasLo = false;
    else if (b.hasLo && b.lastMoved === MOVED_HI && !sameEnd) b.excessLo = halve(b.excessLo);
    b.hi = mu;
    b.shortfallHi = weight(shortfall);
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

/** `AdaptivePrice._bracketStep`: Illinois regula falsi projected towards the midpoint (ITP). */
/**
 * `AdaptivePrice._sameSideSecant`: the root of the secant through the last two observations when both
 * lie on the same side of the root, if it falls inside the bracket; at or below `lo`, `lo` itself (a
 * probe) unless `lo` was already checked there. Undefined when there is no such point.
 */
function sameSideSecant(mu: bigint, excess: bigint, previous: Observation, b: Bracket): bigint | undefined {
  const step = secantStep(mu, excess, previous);
  if (step === 0n || excess > 0n !== previous.excess > 0n) return undefined;
  if (excess > 0n) return mu + step < b.hi ? mu + step : undefined;
  if (step < mu - b.lo) return mu - step;
  return b.loChecked ? undefined : b.lo;
}

function bracketStep(b: Bracket, width: bigint, widthBefore: bigint, tolDual: bigint, secant?: bigint): bigint {
  if (widthBefore === 0n || width > widthBefore || b.stepsLeft === 0) {
    b.stepsLeft = log2Ceil((width + tolDual - 1n) / tolDual) + EXTRA_STEPS;
  } else if (b.stepsLeft > 1) {
    b.stepsLeft -= 1;
  }
  let x = secant;
  if (x === undefined) {
    x = b.lo + mulDiv(width, b.excessLo, b.excessLo + b.shortfallHi);
    if (x <= b.lo) x = b.lo + width / 2n;
  }
  const mid = b.lo + width / 2n;
  const upperHalf = width - width / 2n;
  const allowed = tolDual << BigInt(b.stepsLeft - 1);
  const radius = allowed > upperHalf ? allowed - upperHalf : 0n;
  if (x > mid + radius) return mid + radius;
  if (x + radius < mid) return mid - radius;
  return x;
}

/** `AdaptivePrice._searchStep`: the longest of the corrected secant, the ascent step and the growth. */
function searchStep(mu: bigint, rawExcess: bigint, previous: Observation, ctx: AdaptiveContext): bigint {
  const lastMove = abs(mu - previous.mu);
  let secant = secantStep(mu, rawExcess, previous);
  if (secant !== 0n) secant = min(hyperbolic(secant, previous.excess, ctx), MAX_GROWTH * lastMove);
  const excess = boundedExcess(rawExcess, ctx.capacity);
  let ascent = ascentStep(ctx.eta, abs(excess));
  if (excess > 0n) ascent = hyperbolic(ascent, excess, ctx);
  const flat = previous.valid && boundedExcess(previous.excess, ctx.capacity) === excess;
  const growth = flat ? 2n * lastMove : 0n;
  return max(max(secant, ascent), growth);
}

/** `AdaptivePrice.update`: mutates `b`, returns the next price and whether the bracket collapsed. */
export function adaptiveUpdate(
  b: Bracket,
  mu: bigint,
  rawExcess: bigint,
  previous: Observation,
  ctx: AdaptiveContext,
): { nextMu: bigint; collapsed: boolean } {
  const excess = boundedExcess(rawExcess, ctx.capacity);
  const widthBefore = b.hasLo && b.hasHi ? b.hi - b.lo : 0n;
  observe(b, mu, excess, ctx.tolPrimal);
  let nextMu: bigint;
  if (b.hasLo && b.hasHi) {
    const width = b.hi - b.lo;
    if (width <= ctx.tolDual) {
      if (b.shortfallHi > ctx.tolPrimal) {
        if (!b.gapConfirmed) return { nextMu: b.lo, collapsed: false };
        // Observed at `lo`: the probe was just answered, the count starts.
        if (mu === b.lo) b.stepsLeft = REPROBE_ROUNDS;
        else if (b.stepsLeft <= 1) return { nextMu: b.lo, collapsed: false };
        else b.stepsLeft -= 1;
      }
      return { nextMu: b.hi, collapsed: true };
    }
    if (excess <= 0n && -excess <= ctx.tolPrimal) return { nextMu: mu, collapsed: false };
    nextMu = bracketStep(b, width, widthBefore, ctx.tolDual, sameSideSecant(mu, rawExcess, previous, b));
  } else {
    nextMu = move(mu, excess, searchStep(mu, rawExcess, previous, ctx));
  }
  return { nextMu: limitMove(mu, nextMu, ascentStep(ctx.eta, ctx.capacity)), collapsed: false };
}
