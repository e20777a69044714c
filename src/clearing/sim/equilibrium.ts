/**
 * Off-chain solver of the clearing problem (spec §1): the complementarity conditions
 * `mu >= 0, S(mu) <= m, mu (m - S(mu)) = 0`, or, when the fixed fee makes `S` jump over `m`,
 * the smallest `mu` with `S(mu) <= m`. `S` is non-increasing, so bisection to adjacent doubles
 * is exact to double precision and never loops forever.
 */
import { type AgentType, aggregateDemand, bestResponse } from "../agents/reference";

export interface Clearing {
  /** Clearing shadow price `mu*`. */
  mu: number;
  /** Demand `S(mu*)`. */
  demand: number;
  /** Best-response demands at `mu*`. */
  x: number[];
  /** Capacity binds (`mu* > 0`). */
  binding: boolean;
  /** `S` jumps over `m` at `mu*` (no root: leftover capacity stays unallocated). */
  gap: boolean;
}

export function solveClearing(agents: AgentType[], capacity: number, tau: number, fixedFee: number): Clearing {
  const S = (mu: number) => aggregateDemand(agents, tau, mu, fixedFee);
  const at = (mu: number, binding: boolean, gap: boolean): Clearing => ({
    mu,
    demand: S(mu),
    x: agents.map((a) => bestResponse(a, tau + mu, fixedFee)),
    binding,
    gap,
  });
  if (S(0) <= capacity) return at(0, false, false);
  let lo = 0;
  let hi = 1;
  while (S(hi) > capacity) {
    lo = hi;
    hi *= 2;
    if (!Number.isFinite(hi)) throw new Error("solveClearing: demand never falls to capacity");
  }
  // Invariant: S(lo) > m >= S(hi). Stop when no double lies strictly between them.
  for (;;) {
    const mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    if (S(mid) > capacity) lo = mid;
    else hi = mid;
  }
  const demandBelow = S(lo);
  const demandAt = S(hi);
  // A continuous S crosses m between adjacent doubles by at most a rounding error.
  const gap = demandBelow - demandAt > 1e-9 * Math.max(1, capacity);
  return at(hi, true, gap);
}
