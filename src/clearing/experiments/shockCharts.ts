/**
 * The charts of the shock experiment (paper Fig. 7), kept apart from the runs in `shocks.ts`.
 */
import { lineChart } from "../../report/charts";
import { coincidenceNote, coincident } from "../../report/meanCharts";
import type { Chart } from "../../report/types";
import { BINDING } from "./scenarios";
import { fmt } from "./shared";
import type { ShockRoundRow } from "./shocks";

/** The series of the per-round optimum in the efficiency charts: the same for every rule (same agents, same shocks). */
const OPTIMUM = "optimum (Eff at x*_t)";

/**
 * Fig. 7, binding scenario: efficiency per round under each rule against the per-round optimum
 * (dashed), the dynamic regret under drift (cumulative, and per round: whether it vanishes is read
 * from the data, not assumed), and the Gini around the fee shock.
 */
export function shockCharts(
  rows: ShockRoundRow[],
  reps: number,
  cases: { key: string; label: string }[],
  rules: string[],
): Chart[] {
  const binding = (shock: string) => rows.filter((x) => x.scenario === BINDING.key && x.shock === shock);
  const charts: Chart[] = cases.map((c) => {
    const these = binding(c.key);
    const optimum = these.filter((x) => x.rule === rules[0]);
    return {
      name: `fig7-${c.key}-efficiency`,
      caption:
        `Efficiency per round (mean over ${reps} replications) under each step rule, binding scenario, ${c.label}; ` +
        `dashed: the per-round optimum, Eff at the exact clearing solution x*_t of that round's agents and fees.` +
        coincidenceNote(coincident(these, "rule", ["efficiency"]), "their lines coincide"),
      spec: lineChart({
        title: `Eff — ${c.label} (binding)`,
        rows: [
          ...these.map((x) => ({ round: x.round, series: x.rule, value: x.efficiency })),
          ...optimum.map((x) => ({ round: x.round, series: OPTIMUM, value: x.optimum })),
        ],
        x: "round",
        y: "value",
        series: "series",
        seriesTitle: "rule",
        dashed: [OPTIMUM],
        yTitle: "Eff",
      }),
    };
  });
  const drift = binding("drift").map((x) => ({ ...x, regretPerRound: x.regret / x.round }));
  const at = (rule: string, t: number) => drift.find((x) => x.rule === rule && x.round === t)?.regretPerRound ?? NaN;
  const last = Math.max(...drift.map((x) => x.round));
  const mid = Math.round(last / 2);
  const levelsOff = rules.every((r) => at(r, last) > 0.5 * at(r, mid));
  const values = rules
    .map((r) => `${r}: ${fmt(at(r, mid), 3)} at t = ${mid}, ${fmt(at(r, last), 3)} at t = ${last}`)
    .join("; ");
  const panel = { rows: drift, x: "round", series: "rule", width: 320, height: 220 } as const;
  charts.push(
    {
      name: "fig7-drift-regret",
      caption:
        `Dynamic regret under drift (alpha random walk) and 2% demand noise, binding scenario: cumulative ` +
        `sum_t (Eff(x*_t) - Eff(x_t)) (left) and the average regret per round, regret / t (right). ` +
        (levelsOff
          ? `Regret / t levels off instead of vanishing (${values}): the regret grows linearly with a small ` +
            `slope, since under persistent drift and noise the clearing solution x*_t keeps moving and ` +
            `every round leaves a tracking error.`
          : `Regret / t falls (${values}): the regret grows sublinearly.`),
      spec: {
        title: "dynamic regret — drift (binding)",
        hconcat: [
          lineChart({ ...panel, title: "cumulative regret", y: "regret", yTitle: "cumulative regret" }),
          lineChart({ ...panel, title: "regret per round", y: "regretPerRound", yTitle: "regret / t" }),
        ],
      },
    },
    {
      name: "fig7-tau-gini",
      caption: "Gini per round around the tau shock (round 50), binding scenario.",
      spec: lineChart({
        title: "Gini — tau shock (binding)",
        rows: binding("tau"),
        x: "round",
        y: "gini",
        series: "rule",
        yTitle: "Gini",
      }),
    },
  );
  return charts;
}
