/**
 * The paper's side of the study, in one place: every number quoted from the paper and the fixed
 * prose of each "paper | ours | why they differ" row. The experiments compute "ours" and build
 * their comparison rows from the claims here with `compare`.
 */
import type { Comparison } from "../../report/types";
import type { PaperMechanism } from "./baselines";

/** A comparison row without our number: the quantity, the paper's value and why ours differs. */
export interface PaperClaim {
  quantity: string;
  paper: string;
  why: string;
}

/** The comparison row of `claim` with our number. */
export const compare = (claim: PaperClaim, ours: string): Comparison => ({
  quantity: claim.quantity,
  paper: claim.paper,
  ours,
  why: claim.why,
});

/** The paper's Table 3 defaults: n agents, capacity m, per-unit fee tau, fixed fee g. */
export const TABLE3_DEFAULTS = { n: 20, capacity: 100, tau: 0.5, fixedFee: 1 };

// ------------------------------------------------------------------ convergence (Fig. 2)

export const FIG2_PRICE: PaperClaim = {
  quantity: "mu_t path (Fig. 2, top left)",
  paper: "overshoot, then damped stabilization",
  why:
    "The paper does not state its step. A constant step near the stability bound 2/L overshoots and " +
    "damps as in the figure; the safe 1/L step approaches mu* from one side; " +
    "our adaptive rule needs a few rounds. At the paper's defaults capacity does not bind for this " +
    "draw, so mu stays 0 and there is nothing to plot but a flat line.",
};

export const FIG2_DEMAND: PaperClaim = {
  quantity: "S_t against m (Fig. 2, top right)",
  paper: "aggregate demand clears at m",
  why:
    "The paper writes S(mu*) = m, which fails when capacity is slack (as at its own defaults in " +
    "most draws); we use the complementarity form (spec §1).",
};

// ------------------------------------------------------------------ fee sweep (Table 5)

/**
 * Table 5 at the defaults, by tau: Eff | avg cost | 1 - Gini | participation. The rows are listed
 * in the order of `Object.entries`: the integer keys (0, 1, 2) first, then 0.5 and 1.5.
 */
const TABLE5: Record<string, [string, string, string, string]> = {
  "0": ["2.45 ± 0.12", "0.42 ± 0.05", "0.60 ± 0.01", "95.2 ± 2.1%"],
  "0.5": ["2.28 ± 0.14", "0.50 ± 0.06", "0.62 ± 0.02", "92.1 ± 2.5%"],
  "1": ["2.05 ± 0.18", "0.65 ± 0.07", "0.64 ± 0.02", "85.6 ± 3.0%"],
  "1.5": ["1.78 ± 0.21", "0.80 ± 0.08", "0.66 ± 0.03", "76.4 ± 3.8%"],
  "2": ["1.52 ± 0.25", "0.95 ± 0.09", "0.68 ± 0.03", "70.1 ± 4.2%"],
};

export const TABLE5_CLAIMS: { tau: string; claim: PaperClaim }[] = Object.entries(TABLE5).map(([tau, paper]) => ({
  tau,
  claim: {
    quantity: `Table 5, tau = ${tau}: Eff | avg cost | 1 - Gini | participation`,
    paper: paper.join(" | "),
    why:
      "The paper does not define its efficiency normalization or 'average cost'; " +
      "we report Eff per agent (spec §3 formula: fees count as a loss) and mean own cost plus payment " +
      "per agent, so levels differ. Compare the direction over tau in the chart: " +
      "Eff and participation fall as in the paper. Participation is that of the best responses at the " +
      "clearing price, with g = 1 keeping low-alpha, high-beta agents out.",
  },
}));

// ------------------------------------------------------------------ mechanisms (Table 6)

/** Table 6 at n = 20, by mechanism: Eff | avg cost | Gini. */
const TABLE6: Record<PaperMechanism, string> = {
  "no enforcement": "8.55 ± 1.66 | 7.39 ± 0.74 | 0.40 ± 0.06",
  proportional: "7.45 ± 2.07 | 5.17 ± 2.40 | 0.40 ± 0.06",
  flat: "7.94 ± 1.55 | 4.85 ± 0.57 | 0.38 ± 0.05",
  proposed: "7.13 ± 2.63 | 5.11 ± 2.60 | 0.40 ± 0.06",
};

export const table6Claim = (mech: PaperMechanism): PaperClaim => ({
  quantity: `Table 6, ${mech}: Eff | avg cost | Gini (n = 20)`,
  paper: TABLE6[mech],
  why:
    "The paper does not define its baselines or Eff's scale; " +
    "ours are defined in this report (Eff per agent). At the defaults capacity rarely binds, so " +
    "proportional, flat and proposed nearly coincide (mu* = 0); " +
    "the differences show in the binding scenario. No enforcement has no fees, so its Eff is not " +
    "reduced by tau and g, but agents bear their own cost on undelivered demand when S > m.",
});

// ------------------------------------------------------------------ sensitivity (Fig. 6)

export const FIG6_COLLAPSE: PaperClaim = {
  quantity: "Fig. 6: where efficiency collapses",
  paper: "only when both tau and g are large",
  why:
    "Eff (spec §3) counts fees as a loss, so it falls in both; " +
    "when capacity binds, part of tau only replaces mu (the total price tau + mu* stays near the " +
    "clearing price), so Eff falls less in tau than at the defaults.",
};

export const FIG6_FAIRNESS: PaperClaim = {
  quantity: "Fig. 6: fairness more sensitive to tau than to g",
  paper: "yes: per-unit fees are the primary equalizer",
  why:
    "Measured over all agents (non-participants count with 0): " +
    "g shuts the smallest agents out (extensive margin), which moves Gini a lot; " +
    "tau shrinks every demand by a similar absolute amount. The paper does not say over whom its Gini " +
    "is taken.",
};

/** Our finding on Fig. 6's fairness claim, against the paper's. */
export const fig6FairnessVerdict = (tauMattersMore: boolean): string =>
  tauMattersMore ? "tau matters more, as in the paper" : "g matters more, unlike the paper";

// ------------------------------------------------------------------ shocks and regret (Fig. 7)

/** The on-chain run's shock (`clearing:play`, the demo): our row names the round, so no fixed quantity. */
export const ON_CHAIN_SHOCK = {
  paper: "re-converges after the fee jump (Fig. 7)",
  why: "Read from the contract's events of this run (one population, one seed).",
};

export const FIG7_TAU_SHOCK: PaperClaim = {
  quantity: "Fig. 7: tau 0.5 -> 1.5 at t = 50",
  paper: "efficiency overshoots, then stabilizes at a new equilibrium",
  why:
    "With capacity binding, a higher tau mostly replaces mu (the adaptive rule re-clears within a " +
    "few rounds), so Eff, which counts tau as a loss, drops by the extra fee on the same quantities. " +
    "The paper gives no number for R.",
};

/** Definition 3.10 under drift; `lowest` is the rule with the lowest regret in our run. */
export const driftRegretClaim = (lowest: string): PaperClaim => ({
  quantity: "Dynamic regret (Definition 3.10) under drift",
  paper: "grows sublinearly",
  why:
    `Under persistent drift and noise no rule can track exactly: ` +
    `the per-round error stays of the order of the drift and noise, so regret/t levels off instead of ` +
    `going to 0 (regret is then linear, with a small slope). ` +
    `The paper's sublinear bound assumes drift that vanishes. Lowest regret here: ` +
    `${lowest} (noisy observations keep resetting the adaptive rule's bracket).`,
});

// ------------------------------------------------------------------ price of fairness

export const PRICE_OF_FAIRNESS: PaperClaim = {
  quantity: "Price of fairness",
  paper: "not reported (spec §3 asks for it with a stated fair rule)",
  why:
    "At the defaults capacity is slack, the fair split gives everyone its demand, so PoF = 1 in " +
    "most draws; when capacity binds, equal shares move units from high-value to low-value agents.",
};

// ------------------------------------------------------------------ MovieLens (Table 8)

/** Table 8, by mechanism: Eff | RelEff | avg cost | Gini. */
const TABLE8: Record<PaperMechanism, string> = {
  flat: "-0.55 ± 0.02 | 0.78 ± 0.04 | 0.20 ± 0.01 | 0.55 ± 0.02",
  "no enforcement": "-0.71 ± 0.02 | 1.00 ± 0.00 | 0.58 ± 0.02 | 0.40 ± 0.01",
  proportional: "-0.73 ± 0.03 | 1.03 ± 0.03 | 0.46 ± 0.12 | 0.40 ± 0.01",
  proposed: "-0.74 ± 0.06 | 1.04 ± 0.08 | 0.47 ± 0.16 | 0.42 ± 0.04",
};

/** Table 8's row of `mech`; `fixture`: the run used the synthetic test file, not the real data set. */
export const table8Claim = (mech: PaperMechanism, fixture: boolean): PaperClaim => ({
  quantity: `Table 8, ${mech}: Eff | RelEff | avg cost | Gini`,
  paper: TABLE8[mech],
  why:
    "The paper's normalization makes its Eff negative and is not given; " +
    "ours maps ratings into the synthetic ranges, so Eff stays positive (per agent). " +
    "RelEff is comparable in kind: each mechanism against no enforcement on the same users." +
    (fixture
      ? " This run used the small synthetic fixture, not the real data set: " +
        "pass --movielens <path to u.data> for the real case."
      : ""),
});

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
  const meanOf = (mech: PaperMechanism) =>
    Number((table === 6 ? TABLE6 : TABLE8)[mech].split("|")[COLUMNS[table][metric]].split("±")[0]);
  const [t, b] = [meanOf(treatment), meanOf(baseline)];
  return (t - b) / Math.abs(b);
}
