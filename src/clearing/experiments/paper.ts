/**
 * The paper's side of the study, in one place: every number and claim quoted from the paper, as
 * printed. `paperComparisons.ts` sets our numbers beside them and names each disagreement.
 */
import type { PaperMechanism } from "./baselines";

/** The paper's Table 3 defaults: n agents, capacity m, per-unit fee tau, fixed fee g. */
export const TABLE3_DEFAULTS = { n: 20, capacity: 100, tau: 0.5, fixedFee: 1 };

/** Table 3's other entries: distributions, ranges and replications. */
export const TABLE3 = {
  alpha: "U(5, 20)",
  beta: "U(0.5, 5)",
  nRange: "{10, 20, 50, 100}",
  mRange: "[50, 200]",
  tauRange: "[0, 2]",
  gRange: "[0, 5]",
  replications: 1000,
};

/** Table 4, "comparative mechanism performance (aggregate)": efficiency and Gini, by mechanism. */
export const TABLE4: Record<PaperMechanism, { efficiency: number; gini: number }> = {
  "no enforcement": { efficiency: 1.21, gini: 0.41 },
  proportional: { efficiency: 1.78, gini: 0.35 },
  flat: { efficiency: 2.02, gini: 0.29 },
  proposed: { efficiency: 2.3, gini: 0.18 },
};

/** The mean of a "mean ± sd" entry as printed. */
export const meanOf = (entry: string): number => Number(entry.split("±")[0]);

/** Table 5 at the defaults, by tau (50 replications): Eff, avg cost, 1 - Gini, participation. */
export const TABLE5: { tau: number; efficiency: string; avgCost: string; fairness: string; participation: string }[] = [
  { tau: 0, efficiency: "2.45 ± 0.12", avgCost: "0.42 ± 0.05", fairness: "0.60 ± 0.01", participation: "95.2 ± 2.1%" },
  {
    tau: 0.5,
    efficiency: "2.28 ± 0.14",
    avgCost: "0.50 ± 0.06",
    fairness: "0.62 ± 0.02",
    participation: "92.1 ± 2.5%",
  },
  { tau: 1, efficiency: "2.05 ± 0.18", avgCost: "0.65 ± 0.07", fairness: "0.64 ± 0.02", participation: "85.6 ± 3.0%" },
  {
    tau: 1.5,
    efficiency: "1.78 ± 0.21",
    avgCost: "0.80 ± 0.08",
    fairness: "0.66 ± 0.03",
    participation: "76.4 ± 3.8%",
  },
  { tau: 2, efficiency: "1.52 ± 0.25", avgCost: "0.95 ± 0.09", fairness: "0.68 ± 0.03", participation: "70.1 ± 4.2%" },
];

/** Table 6 at n = 20 (200 replications), by mechanism: Eff | avg cost | Gini. */
export const TABLE6: Record<PaperMechanism, string> = {
  "no enforcement": "8.55 ± 1.66 | 7.39 ± 0.74 | 0.40 ± 0.06",
  proportional: "7.45 ± 2.07 | 5.17 ± 2.40 | 0.40 ± 0.06",
  flat: "7.94 ± 1.55 | 4.85 ± 0.57 | 0.38 ± 0.05",
  proposed: "7.13 ± 2.63 | 5.11 ± 2.60 | 0.40 ± 0.06",
};

/** Table 8 (Table 7 prints the same numbers), by mechanism: Eff | RelEff | avg cost | Gini. */
export const TABLE8: Record<PaperMechanism, string> = {
  flat: "-0.55 ± 0.02 | 0.78 ± 0.04 | 0.20 ± 0.01 | 0.55 ± 0.02",
  "no enforcement": "-0.71 ± 0.02 | 1.00 ± 0.00 | 0.58 ± 0.02 | 0.40 ± 0.01",
  proportional: "-0.73 ± 0.03 | 1.03 ± 0.03 | 0.46 ± 0.12 | 0.40 ± 0.01",
  proposed: "-0.74 ± 0.06 | 1.04 ± 0.08 | 0.47 ± 0.16 | 0.42 ± 0.04",
};

/** The mean of column `k` of `mech`'s row in Table 6 or Table 8. */
export const paperEntry = (table: 6 | 8, mech: PaperMechanism, k: number): number =>
  meanOf((table === 6 ? TABLE6 : TABLE8)[mech].split("|")[k]);

/** The paper's words for each figure, as claims our numbers are set against. */
export const FIGURE_CLAIMS = {
  fig2: "mu_t overshoots, then stabilizes; aggregate demand clears at m",
  fig3: "a monotone frontier: efficiency declines as fairness (1 - Gini) improves with tau",
  fig4: "the proposed mechanism achieves robustly balanced outcomes compared to proportional and flat",
  fig5: "the proposed equilibrium adapts gracefully with n, with high fairness and stable efficiency",
  fig6Collapse: "efficiency collapses sharply only when both tau and g are large",
  fig6Fairness: "fairness is far more sensitive to tau than to g",
  fig7Shock: "after tau 0.5 -> 1.5 at t = 50, efficiency overshoots, then stabilizes at a new equilibrium",
  fig7Regret: "sublinear dynamic regret (robust to drift and shocks)",
};

// ------------------------------------------------------------------ the verdict

/** The paper's headline claim against proportional rules (its abstract, §1). */
export const ABSTRACT_CLAIM =
  "efficiency gains of up to 27 % and inequality reductions exceeding 40 % relative to proportional rules";

export type VerdictMetric = "Eff" | "avg cost" | "Gini";

/** The columns of each metric in Table 6 (Eff | avg cost | Gini) and Table 8 (Eff | RelEff | avg cost | Gini). */
const COLUMNS: Record<6 | 8, Record<VerdictMetric, number>> = {
  6: { Eff: 0, "avg cost": 1, Gini: 2 },
  8: { Eff: 0, "avg cost": 2, Gini: 3 },
};

/**
 * The relative difference (treatment - baseline) / |baseline| of `metric`'s means in the paper's
 * Table 6 (n = 20) or Table 8, so that our paired differences stand next to the paper's own.
 */
export function paperRelative(
  table: 6 | 8,
  metric: VerdictMetric,
  treatment: PaperMechanism,
  baseline: PaperMechanism,
) {
  const [t, b] = [treatment, baseline].map((mech) => paperEntry(table, mech, COLUMNS[table][metric]));
  return (t - b) / Math.abs(b);
}
