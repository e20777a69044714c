/**
 * The paper's Figures 2-7 beside ours: the figure's claim in its own words next to the number of
 * ours that tests it, and each disagreement with its cause. Figure claims are qualitative, so the
 * numbers ours shows are the ones the claim is about (rounds to converge, a direction, a ratio).
 */
import type { Comparison, MetricCell } from "../../report/types";
import type { ConvergenceSummaryRow } from "./convergence";
import { describeSeries, direction, monotone } from "./disagreements";
import type { FeeSweepRow } from "./feeSweep";
import type { MechanismRow } from "./mechanisms";
import { FIGURE_CLAIMS } from "./paper";
import { BINDING, PAPER_DEFAULTS } from "./scenarios";
import { fmt } from "./shared";
import type { ShockSummaryRow } from "./shocks";
import type { VerdictRow } from "./verdict";
import { describePaired } from "./verdict";

const cell = (paper: string, ours: string): MetricCell => ({ paper, ours });

export function fig2Comparison(summary: ConvergenceSummaryRow[]): Comparison {
  const binding = summary.filter((s) => s.scenario === BINDING.key);
  const slack = summary.filter((s) => s.scenario === PAPER_DEFAULTS.key && !s.binding);
  const rounds = binding.map((s) => `${s.rule}: round ${s.firstConvergedRound ?? "never"}`).join("; ");
  const worst = Math.max(...binding.map((s) => s.absError));
  return {
    source: "Fig. 2",
    shows: "convergence of mu_t and S_t",
    summary: {
      other: cell(FIGURE_CLAIMS.fig2, `binding: converged at ${rounds}; |mu_T - mu*| <= ${worst.toExponential(1)}`),
    },
    items: [],
    disagreements: [
      ...(slack.length
        ? [
            "At the paper's defaults capacity is slack for our population (S(0) < m): mu stays 0 and S_t < m, so " +
              "there is no price path to show. Cause: the paper's own default m = 100; the figure must come from " +
              "a binding market it does not describe (unexplained).",
          ]
        : []),
      "Overshoot appears only with a step near the stability bound 2/L (our 1.9/L run); the safe 1/L step and " +
        "the adaptive rule approach mu* without it. Cause: the paper does not state its step.",
    ],
  };
}

export function fig3Comparison(rows: FeeSweepRow[]): Comparison {
  const disagreements: string[] = [];
  const cells: string[] = [];
  for (const sc of [BINDING, PAPER_DEFAULTS]) {
    const these = rows.filter((r) => r.scenario === sc.key).sort((a, b) => a.tau - b.tau);
    const at = (i: number) => `tau = ${these[i].tau}`;
    const eff = these.map((r) => r.efficiencyPerAgent);
    const fair = these.map((r) => r.fairness);
    cells.push(`${sc.key}: Eff ${describeSeries(eff, at)}; 1 - Gini ${describeSeries(fair, at, 3)}`);
    if (direction(fair) !== "rises" || !monotone(fair))
      disagreements.push(
        `${sc.key}: the frontier is not the paper's monotone trade-off: as tau rises Eff ${direction(eff)} while ` +
          `1 - Gini ${describeSeries(fair, at, 3)}. Cause: our Gini is over all agents with non-participants at 0; ` +
          "tau and g = 1 push the smallest agents out, which adds inequality.",
      );
  }
  return {
    source: "Fig. 3",
    shows: "efficiency-fairness trade-off over tau",
    summary: { Eff: cell(FIGURE_CLAIMS.fig3, cells.join(" · ")) },
    items: [],
    disagreements,
  };
}

export function fig4Comparison(paired: VerdictRow[]): Comparison {
  const row = (scenario: string, baseline: string) =>
    paired.find(
      (r) =>
        r.scenario === scenario &&
        r.n === 20 &&
        r.metric === "Eff" &&
        r.treatment === "proposed" &&
        r.baseline === baseline,
    );
  const ours = [BINDING, PAPER_DEFAULTS]
    .map((sc) => {
      const [p, f] = [row(sc.key, "proportional"), row(sc.key, "flat")];
      return p && f ? `${sc.key}: Eff vs proportional ${describePaired(p)}; vs flat ${describePaired(f)}` : "";
    })
    .join(" · ");
  return {
    source: "Fig. 4",
    shows: "distributions by mechanism (n = 20)",
    summary: { Eff: cell(FIGURE_CLAIMS.fig4, ours) },
    items: [],
    disagreements: [
      "The paper reads its claim off overlapping boxplots; the boxes of our mechanisms overlap too, because " +
        "populations differ far more than mechanisms do. Paired on the same populations (our Fig. 4), the " +
        "differences are real but about 1 % when capacity binds and nil at the defaults (capacity slack).",
    ],
  };
}

export function fig5Comparison(rows: MechanismRow[]): Comparison {
  const cells: string[] = [];
  const disagreements: string[] = [];
  for (const sc of [BINDING, PAPER_DEFAULTS]) {
    const of = (mech: string) =>
      rows.filter((r) => r.scenario === sc.key && r.mechanism === mech).sort((a, b) => a.n - b.n);
    const proposed = of("proposed");
    const at = (i: number) => `n = ${proposed[i].n}`;
    const eff = proposed.map((r) => r.efficiencyPerAgent);
    const gini = proposed.map((r) => r.gini);
    cells.push(`${sc.key}: Eff/n ${describeSeries(eff, at)}; Gini ${describeSeries(gini, at, 3)}`);
    if (direction(eff) !== "stays about flat")
      disagreements.push(
        `${sc.key}: Eff per agent ${describeSeries(eff, at)} over n, not stable. Cause: ` +
          (sc === PAPER_DEFAULTS
            ? "m = 100 stays fixed while n grows, so capacity per agent shrinks and binds."
            : "unexplained (capacity per agent is held at 2.5)."),
      );
  }
  return {
    source: "Fig. 5",
    shows: "scaling over n = 10 ... 100",
    summary: { Eff: cell(FIGURE_CLAIMS.fig5, cells.join(" · ")) },
    items: [],
    disagreements,
  };
}

/** Fig. 6's two claims, with our numbers on the binding grid (`eff(tau, g)`, `fair(tau, g)`). */
export function fig6Comparison(eff: (tau: number, g: number) => number, fair: (tau: number, g: number) => number) {
  const dTau = fair(2, 1) - fair(0, 1);
  const dG = fair(0.5, 5) - fair(0.5, 0);
  const tauMatters = Math.abs(dTau) > Math.abs(dG);
  const at = (tau: number, g: number) => `${fmt(eff(tau, g), 2)} at (${tau}, ${g})`;
  const bothLarge = eff(2, 5);
  const oneLarge = Math.min(eff(2, 0), eff(0, 5));
  const collapse = bothLarge < 0.5 * oneLarge;
  return {
    source: "Fig. 6",
    shows: "sensitivity over (tau, g), binding",
    summary: {
      Eff: cell(FIGURE_CLAIMS.fig6Collapse, `Eff/n ${[at(0, 0), at(2, 0), at(0, 5), at(2, 5)].join(", ")}`),
      "Gini / fairness": cell(
        FIGURE_CLAIMS.fig6Fairness,
        `1 - Gini changes by ${fmt(dTau, 3)} from tau 0 to 2 (g = 1) and by ${fmt(dG, 3)} from g 0 to 5 (tau = 0.5)`,
      ),
    },
    items: [],
    disagreements: [
      ...(collapse
        ? []
        : [
            "Eff falls smoothly in both fees, with no collapse when both are large. Cause: Eff counts fees as a " +
              "loss, and when capacity binds part of tau only replaces mu, so Eff falls less in tau.",
          ]),
      ...(tauMatters
        ? []
        : [
            "g moves fairness more than tau does, unlike the paper. Cause: g shuts the smallest agents out " +
              "(the extensive margin), which moves a Gini over all agents a lot; tau shrinks every demand by a " +
              "similar amount. The paper does not say over whom its Gini is taken.",
          ]),
    ],
  };
}

export function fig7Comparisons(summary: ShockSummaryRow[], rounds: number): Comparison[] {
  const of = (shock: string) => summary.filter((s) => s.scenario === BINDING.key && s.shock === shock);
  const tau = of("tau").find((s) => s.rule === "adaptive")!;
  const drift = of("drift");
  const levelsOff = drift.every((s) => s.regretPerRound100 > 0.5 * s.regretPerRound25);
  return [
    {
      source: "Fig. 7",
      shows: "the tau shock, binding",
      summary: {
        Eff: cell(FIGURE_CLAIMS.fig7Shock, `R = Eff(51..60) / Eff(41..50) = ${fmt(tau.resilience, 3)} (adaptive)`),
      },
      items: [],
      disagreements: [
        `Eff does not overshoot: it drops at once to ${fmt(tau.resilience, 2)} of its level and stays. Cause: the ` +
          "adaptive rule re-clears within a few rounds and Eff counts the extra fee on the same quantities as a loss.",
      ],
    },
    {
      source: "Fig. 7 (regret)",
      shows: "dynamic regret under drift and noise, binding",
      summary: {
        other: cell(
          FIGURE_CLAIMS.fig7Regret,
          drift
            .map(
              (s) =>
                `${s.rule}: regret/t ${fmt(s.regretPerRound25, 3)} (t = 25) -> ` +
                `${fmt(s.regretPerRound100, 3)} (t = ${rounds})`,
            )
            .join("; "),
        ),
      },
      items: [],
      disagreements: levelsOff
        ? [
            "Regret per round levels off instead of vanishing, so regret grows linearly (with a small slope). " +
              "Cause: under persistent drift and noise no rule can track exactly; the paper's sublinear bound " +
              "assumes drift that vanishes.",
          ]
        : [],
    },
  ];
}
