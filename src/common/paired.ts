/**
 * Paired comparison of two mechanisms measured on the same replications (the same population in
 * both): the difference of means, the relative difference, wins / ties / losses, and a 95 %
 * confidence interval of the relative difference by a paired bootstrap with a fixed seed.
 *
 * Why paired: the populations vary far more between replications than the mechanisms differ on
 * one population, so two overlapping boxes can hide a difference that holds in 191 of 200 pairs.
 */
import { rng } from "./random";

export type Better = "higher" | "lower";

export interface PairedComparison {
  replications: number;
  treatmentMean: number;
  baselineMean: number;
  /** mean(treatment) - mean(baseline). */
  difference: number;
  /** difference / |mean(baseline)| (NaN when the baseline mean is 0). */
  relativeDifference: number;
  /** The 2.5 % and 97.5 % percentiles of the relative difference over the bootstrap resamples. */
  ciLow: number;
  ciHigh: number;
  /** Replications where the treatment is better, equal (within 1e-9 relative), worse. */
  wins: number;
  ties: number;
  losses: number;
}

export const BOOTSTRAP_RESAMPLES = 2000;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** The `q` quantile of sorted `xs`, interpolated linearly between order statistics (type 7). */
export function quantileSorted(xs: number[], q: number): number {
  const h = (xs.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < xs.length ? xs[lo] + (h - lo) * (xs[lo + 1] - xs[lo]) : xs[lo];
}

/**
 * Compares `treatment[i]` with `baseline[i]` (the same replication i). Resample j draws the
 * replications' indices with replacement from `rng(seed)`, so the interval is reproducible.
 */
export function comparePaired(
  treatment: number[],
  baseline: number[],
  opts: { better: Better; seed: number; resamples?: number },
): PairedComparison {
  const n = treatment.length;
  if (n === 0 || baseline.length !== n) throw new Error(`paired comparison of ${n} and ${baseline.length} values`);
  const relative = (t: number, b: number) => (t - b) / Math.abs(b);
  let wins = 0;
  let ties = 0;
  for (let i = 0; i < n; i++) {
    const d = treatment[i] - baseline[i];
    const tol = 1e-9 * Math.max(1, Math.abs(baseline[i]));
    if (Math.abs(d) <= tol) ties++;
    else if (d > 0 === (opts.better === "higher")) wins++;
  }
  const draw = rng(opts.seed);
  const stats: number[] = [];
  for (let j = 0; j < (opts.resamples ?? BOOTSTRAP_RESAMPLES); j++) {
    let st = 0;
    let sb = 0;
    for (let i = 0; i < n; i++) {
      const k = Math.floor(draw() * n);
      st += treatment[k];
      sb += baseline[k];
    }
    stats.push(relative(st / n, sb / n));
  }
  stats.sort((a, b) => a - b);
  const [tm, bm] = [mean(treatment), mean(baseline)];
  return {
    replications: n,
    treatmentMean: tm,
    baselineMean: bm,
    difference: tm - bm,
    relativeDifference: relative(tm, bm),
    ciLow: quantileSorted(stats, 0.025),
    ciHigh: quantileSorted(stats, 0.975),
    wins,
    ties,
    losses: n - wins - ties,
  };
}

/** In words: identical, better or worse with 95 % confidence, or no clear difference. */
export function pairedVerdict(
  c: PairedComparison,
  better: Better,
): "identical" | "better" | "worse" | "no clear difference" {
  if (c.ties === c.replications) return "identical";
  const sign = better === "higher" ? 1 : -1;
  if (sign * c.ciLow > 0 && sign * c.ciHigh > 0) return "better";
  if (sign * c.ciLow < 0 && sign * c.ciHigh < 0) return "worse";
  return "no clear difference";
}

/** A relative difference in percent with its sign ("+0.7 %", "−3.0 %"; more digits when small); "—" for none. */
export function signedPercent(v: number | null | undefined): string {
  if (typeof v !== "number" || !Number.isFinite(v)) return "—";
  const p = Math.abs(100 * v);
  return `${v >= 0 ? "+" : "−"}${p.toFixed(p > 0 && p < 0.05 ? 3 : 1)} %`;
}
