/**
 * The measures of the robustness and attack measurements (issue 13, point 5), as pure functions of
 * per-round series so that they are tested on hand-made cases (test/bench/robustness.test.ts).
 */
import type { AgentType } from "../agents/reference";

/** Rounds a market must stay converged to count as re-converged. */
export const STAY = 20;

/**
 * Rounds from the shock to re-convergence: `i - from + 1` for the first round index `i >= from`
 * whose flag and the `stay - 1` next ones are all true (flags indexed by round, 0-based; `from` the
 * index of the first round played after the shock). Undefined when no such stay fits in the series.
 */
export function roundsToReconverge(flags: boolean[], from: number, stay = STAY): number | undefined {
  let run = 0;
  for (let i = Math.max(0, from); i < flags.length; i++) {
    run = flags[i] ? run + 1 : 0;
    if (run === stay) return i - stay + 1 - from + 1;
  }
  return undefined;
}

/** Whether the last `stay` flags from index `from` on are all true (the runs stop there). */
export function stayedConverged(flags: boolean[], from: number, stay = STAY): boolean {
  return flags.length - from >= stay && flags.slice(-stay).every(Boolean);
}

/**
 * The earliest round in which a price rule bounded as the market's ({PriceUpdate-limitMove}: a round at most
 * doubles the price, or raises it by `eta m` when that is more) can post a price of at least `muLow` from a cold
 * start: round 1 posts 0, round 2 at most `eta m`, round k at most `2^(k-2) eta m`. With `muLow` the lowest
 * price at which the primal tolerance accepts the excess, no rule under that bound and step converges sooner.
 */
export function climbFloor(muLow: number, etaTimesCapacity: number): number {
  if (!(etaTimesCapacity > 0)) throw new Error("climbFloor: eta m must be positive");
  if (muLow <= 0) return 1;
  return muLow <= etaTimesCapacity ? 2 : 2 + Math.ceil(Math.log2(muLow / etaTimesCapacity));
}

/**
 * Narrows `[lo, hi]` by bisection, to a width of 1e-15 `hi`, around the point where `reached` turns true (false at
 * `lo`, true at `hi`, monotone between): the last bracket.
 */
export function bisect(reached: (x: number) => boolean, lo: number, hi: number): [number, number] {
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (reached(mid)) hi = mid;
    else lo = mid;
  }
  return [lo, hi];
}

/**
 * The first bracket of a cold start (prices and excesses per round, index 0 = round 1): the first round whose
 * excess is not positive after at least one round whose excess was, and its width, that round's price less
 * the highest price with excess demand before it. Undefined when the series has no such round.
 */
export function firstBracket(mus: number[], excesses: number[]): { round: number; width: number } | undefined {
  let lo = -Infinity;
  for (let i = 0; i < mus.length; i++) {
    if (excesses[i] > 0) lo = Math.max(lo, mus[i]);
    else if (lo > -Infinity) return { round: i + 1, width: mus[i] - lo };
  }
  return undefined;
}

/** Bisection's count for a bracket of `width` down to `tol`, plus the allowance of 5 rounds. */
export const bracketBound = (width: number, tol: number): number => Math.max(0, Math.ceil(Math.log2(width / tol))) + 5;

/**
 * A dead round: agents would demand at the clearing price (`demandAtClearing > 0`, their demand
 * `S(mu*)` for the round's agents and parameters) but the round allocates nothing to anyone.
 */
export const isDead = (allocations: bigint[], demandAtClearing: number): boolean =>
  demandAtClearing > 0 && allocations.every((q) => q === 0n);

/**
 * Nearest-rank quantile of rounds (null or undefined = never, counted as +infinity): the value at rank
 * `ceil(q n)`; null when that value is infinite. `q = 0.5` is the lower median.
 */
export function rankQuantile(values: (number | null | undefined)[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = values.map((v) => v ?? Infinity).sort((a, b) => a - b);
  const v = sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
  return Number.isFinite(v) ? v : null;
}

/**
 * The griefing factor: the others' welfare loss over the attacker's own payoff loss against truthful
 * play; +Infinity when the others lost something and the attacker nothing, 0 when the others lost nothing.
 */
export function griefingFactor(othersLoss: number, attackerLoss: number): number {
  if (!(othersLoss > 0)) return 0;
  return attackerLoss > 0 ? othersLoss / attackerLoss : Infinity;
}

/** `(attack - truthful) / max(|truthful|, g)`: the attacker's relative gain in the attack rounds. */
export const inflationGain = (attackPayoff: number, truthfulPayoff: number, fixedFee: number): number =>
  (attackPayoff - truthfulPayoff) / Math.max(Math.abs(truthfulPayoff), fixedFee);

/** `sum_t (W*_t - W_t) / sum_t W*_t`. */
export function regretPerRound(optimum: number[], achieved: number[]): number {
  if (optimum.length !== achieved.length) throw new Error("regret: series of different lengths");
  const best = optimum.reduce((a, b) => a + b, 0);
  return optimum.reduce((a, w, t) => a + w - achieved[t], 0) / best;
}

/**
 * An agent's payoff in a round, through one identity or several (a Sybil): value minus own cost minus
 * payments, `alpha ln(1 + Q) - (beta + price) Q - g k` with `Q` the sum of its allocations and `k` the
 * number of its positive demands (the fixed fee is due on a demand even when its allocation rounds to 0).
 */
export function roundPayoff(agent: AgentType, demands: number[], allocated: number[], price: number, fixedFee: number) {
  const k = demands.filter((d) => d > 0).length;
  if (k === 0) return 0;
  const q = allocated.reduce((a, b) => a + b, 0);
  return agent.alpha * Math.log1p(q) - (agent.beta + price) * q - fixedFee * k;
}

/** JSON form of a factor: finite numbers as they are, +Infinity as the string "Infinity". */
export const jsonFactor = (v: number): number | string => (Number.isFinite(v) ? v : "Infinity");

/** A factor back from its JSON form (`jsonFactor`): "Infinity" as +Infinity. */
export const parseFactor = (v: number | string): number => (typeof v === "number" ? v : Number(v));
