/**
 * Metrics shared by the reports and the auditor (spec §3). Pure functions of numbers: the
 * clearing-specific welfare lives in src/clearing/sim/welfare.ts.
 */

/** Gini coefficient of non-negative values (0: equal, -> 1: concentrated). Paper eq. (9). */
export function gini(values: number[]): number {
  const n = values.length;
  const total = values.reduce((a, b) => a + b, 0);
  if (n === 0 || total === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  let weighted = 0;
  sorted.forEach((v, i) => (weighted += (i + 1) * v));
  return (2 * weighted) / (n * total) - (n + 1) / n;
}

/** Share of `values` that are positive (participation when the values are allocations). */
export function participation(values: number[]): number {
  return values.length === 0 ? 0 : values.filter((v) => v > 0).length / values.length;
}

/**
 * Max-min fair split of `capacity` among claims capped at `caps` (water-filling): every
 * agent gets the same share `s` or its cap if smaller, with `sum min(cap, s) = min(capacity, sum caps)`.
 */
export function waterFill(caps: number[], capacity: number): number[] {
  const order = caps.map((c, i) => [c, i] as const).sort((a, b) => a[0] - b[0]);
  const out = caps.map(() => 0);
  let left = capacity;
  order.forEach(([cap, i], k) => {
    const share = left / (order.length - k);
    out[i] = Math.min(cap, share);
    left -= out[i];
  });
  return out;
}

/** Price of fairness `max Eff / Eff(fair)` (>= 1 when the fair allocation costs efficiency). */
export function priceOfFairness(optimalEfficiency: number, fairEfficiency: number): number {
  if (!(fairEfficiency > 0)) throw new Error(`price of fairness: fair efficiency ${fairEfficiency} is not positive`);
  return optimalEfficiency / fairEfficiency;
}

/** Shock resilience `R = mean(post) / mean(pre)` of efficiency over windows around a shock. */
export function resilience(pre: number[], post: number[]): number {
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  if (pre.length === 0 || post.length === 0) throw new Error("resilience: empty window");
  return mean(post) / mean(pre);
}

/** Cumulative dynamic regret `sum_{s <= t} (optimum_s - achieved_s)` for every t (Definition 3.10). */
export function dynamicRegret(optimum: number[], achieved: number[]): number[] {
  if (optimum.length !== achieved.length) throw new Error("dynamic regret: series of different lengths");
  let sum = 0;
  return optimum.map((o, t) => (sum += o - achieved[t]));
}

/** Mean and (sample) standard deviation. */
export function meanStd(values: number[]): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance) };
}

/** Median (of a copy). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
