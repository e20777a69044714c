/**
 * Mechanism comparison over n (paper Table 6, Fig. 4-5): the four baselines of `baselines.ts`
 * on the same population per replication, for a grid of population sizes.
 */
import { drawAgents } from "../agents/draw";
import { pairedDifferenceChart } from "../../report/pairedChart";
import { coincidenceNote, coincident, dodgedMeans } from "../../report/meanCharts";
import type { Chart, ExperimentResult } from "../../report/types";
import { type Mechanism, flatSurcharge, playMechanisms, referencePopulation } from "./baselines";
import { fig4Comparison, fig5Comparison } from "./paperFigures";
import { table6Comparison } from "./paperTables";
import { table3Comparison, table4Comparison } from "./paperTables34";
import type { ExperimentPlan, StudyRequest, UnitParams } from "./plan";
import { BINDING, CHART_ORDER, PAPER_DEFAULTS, SCENARIOS, type Scenario, capacityFor, scenarioOf } from "./scenarios";
import { type Summary, band, groupBy, mean, replications, seedOf, summarize } from "./shared";
import { pairedComparisons, verdictOf } from "./verdict";

/** The metrics of the paired-difference charts (Fig. 4's questions: which mechanism is better). */
const PAIRED_METRICS = [
  { metric: "Eff", key: "efficiency" },
  { metric: "avg cost", key: "cost" },
  { metric: "Gini", key: "gini" },
] as const;

export const N_GRID = [10, 20, 50, 100];

export interface MechanismReplicationRow {
  scenario: string;
  n: number;
  capacity: number;
  rep: number;
  seed: number;
  mechanism: Mechanism;
  efficiency: number;
  efficiencyPerAgent: number;
  avgCost: number;
  gini: number;
  participation: number;
  utilization: number;
}

/** Mean and sd over the replications of one (scenario, n, mechanism) cell; `muFlat` for flat only. */
export type MechanismRow = {
  scenario: string;
  n: number;
  capacity: number;
  mechanism: Mechanism;
  muFlat: number | null;
} & Summary<"efficiency" | "efficiencyPerAgent" | "avgCost" | "gini"> & { participation: number; utilization: number };

/** One unit: replication `rep` of all four mechanisms on one population of `n` agents. */
function replicate(req: StudyRequest, unit: UnitParams): MechanismReplicationRow[] {
  const sc = scenarioOf(unit.scenario);
  const n = Number(unit.n);
  const rep = Number(unit.rep);
  const capacity = capacityFor(sc, n);
  const seed = seedOf(req, 4, sc.capacity, n, rep);
  const market = { agents: drawAgents(n, seed), capacity, tau: sc.tau, fixedFee: sc.fixedFee };
  return playMechanisms(market, flatSurchargeOf(sc, n)).map((o) => ({
    scenario: sc.key,
    n,
    capacity,
    rep,
    seed,
    mechanism: o.mechanism,
    efficiency: o.efficiency,
    efficiencyPerAgent: o.efficiency / n,
    avgCost: o.avgCost,
    gini: o.gini,
    participation: o.participation,
    utilization: o.utilization,
  }));
}

/** mu_flat of a scenario at n agents, computed once per process (it solves a 2000-agent market). */
const flatSurchargeOf = (() => {
  const known = new Map<string, number>();
  return (sc: Scenario, n: number): number => {
    const k = `${sc.key}|${n}`;
    if (!known.has(k)) known.set(k, flatSurcharge(referencePopulation(), capacityFor(sc, n) / n, sc.tau, sc.fixedFee));
    return known.get(k)!;
  };
})();

export const mechanismPlan: ExperimentPlan<MechanismReplicationRow> = {
  key: "mechanisms",
  label: "mechanisms",
  units: (req) =>
    SCENARIOS.flatMap((sc) =>
      N_GRID.flatMap((n) => replications(req.replications).map((rep) => ({ scenario: sc.key, n, rep }))),
    ),
  run: replicate,
  report: mechanismReport,
};

function mechanismReport(req: StudyRequest, raw: MechanismReplicationRow[]): ExperimentResult {
  const nGrid = [...new Set(raw.map((r) => r.n))];
  const table: MechanismRow[] = [...groupBy(raw, (r) => `${r.scenario}|${r.n}|${r.mechanism}`).values()].map(
    (list) => ({
      scenario: list[0].scenario,
      n: list[0].n,
      capacity: list[0].capacity,
      mechanism: list[0].mechanism,
      muFlat: list[0].mechanism === "flat" ? flatSurchargeOf(scenarioOf(list[0].scenario), list[0].n) : null,
      ...summarize(list, {
        efficiency: (o) => o.efficiency,
        efficiencyPerAgent: (o) => o.efficiencyPerAgent,
        avgCost: (o) => o.avgCost,
        gini: (o) => o.gini,
      }),
      participation: mean(list.map((o) => o.participation)),
      utilization: mean(list.map((o) => o.utilization)),
    }),
  );
  const paired = pairedComparisons(req, "synthetic", raw, (_, n) => (n === 20 ? 6 : null));
  const charts: Chart[] = [];
  for (const sc of CHART_ORDER) {
    charts.push(
      ...PAIRED_METRICS.map(({ metric, key }) => ({
        name: `fig4-${sc.key}-paired-${key}`,
        caption:
          `Paired difference of ${metric} (proposed − baseline) / |baseline mean|, in percent, per n, with ` +
          `95 % paired-bootstrap intervals, ${overN(sc)}; each replication plays the same population under ` +
          `every mechanism. ${metric === "Eff" ? "Above" : "Below"} the dashed zero line the proposed ` +
          `mechanism is better.`,
        spec: pairedDifferenceChart({
          title: `${metric}: proposed vs baselines — ${overN(sc)}`,
          points: paired
            .filter((r) => r.scenario === sc.key && r.metric === metric && r.treatment === "proposed")
            .map((r) => ({
              at: r.n,
              against: r.baseline,
              percent: 100 * r.relativeDifference,
              low: 100 * r.ciLow,
              high: 100 * r.ciHigh,
            })),
          xTitle: "n (agents)",
          yTitle: `${metric}: relative difference (%)`,
        }),
      })),
      fig5Chart(sc, table),
    );
  }
  return {
    key: "mechanisms",
    title: "Mechanism comparison over n (paper Table 6, Fig. 4–5)",
    description:
      `n in ${nGrid.join(", ")}, ${req.replications} replications each ` +
      `(fresh population per replication, the same population for all four mechanisms). ` +
      `Capacity: m = 100 at the defaults for every n; ` +
      `m = 2.5 n in the binding scenario (the tightness of n = 20, m = 50). ` +
      `Mechanisms as defined at the top of this report; ` +
      `flat's mu_flat is the clearing price of a 2000-agent reference population at the same capacity per agent.`,
    tables: [
      { name: "mechanisms", rows: table },
      { name: "mechanisms-paired", rows: paired },
      { name: "mechanisms-replications", rows: raw },
    ],
    verdict: verdictOf(
      "verdict-synthetic",
      // The headline over the comparisons the table below shows, so every place it names is in the table.
      paired.filter((r) => r.n === 20 || r.n === Math.max(...nGrid)),
      [BINDING, PAPER_DEFAULTS].flatMap((sc) =>
        [...new Set([20, Math.max(...nGrid)])].map((n) => ({
          label: `${sc.label.replace(/ \(.*\)$/, "")}, n = ${n}, m = ${capacityFor(sc, n)}`,
          rows: paired.filter((r) => r.scenario === sc.key && r.n === n),
        })),
      ),
      (r) => `${scenarioOf(r.scenario).label.replace(/ \(.*\)$/, "")}, n = ${r.n}`,
    ),
    charts,
    comparisons: [
      table3Comparison(req.replications),
      table4Comparison(table),
      table6Comparison(table, paired),
      fig4Comparison(paired),
      fig5Comparison(table),
    ],
  };
}

/** A scenario as run over n: its capacity rule (m = 2.5 n when binding), not the n = 20 of its label. */
const overN = (sc: Scenario): string => {
  const perAgent = capacityFor(sc, 1);
  return `${sc.label.replace(/ \(.*\)$/, "")} (m = ${perAgent === sc.capacity ? sc.capacity : `${perAgent} n`})`;
};

/** Fig. 5: mean Eff / n ± 1 sd over n, the mechanisms side by side at each n so that equal ones stay visible. */
function fig5Chart(sc: Scenario, table: MechanismRow[]): Chart {
  const rows = table
    .filter((r) => r.scenario === sc.key)
    .map((r) => ({
      n: r.n,
      mechanism: r.mechanism,
      mean: r.efficiencyPerAgent,
      ...band(r.efficiencyPerAgent, r.efficiencyPerAgentStd),
    }));
  return {
    name: `fig5-${sc.key}-scaling`,
    caption:
      `Efficiency per agent over n by mechanism (mean ± 1 sd over the replications; the mechanisms side by ` +
      `side at each n), ${overN(sc)}.` +
      coincidenceNote(coincident(rows, "mechanism", ["mean", "lo", "hi"]), "side by side, their marks are equal"),
    spec: dodgedMeans({
      title: `Eff / n over n — ${overN(sc)}`,
      rows,
      x: "n",
      series: "mechanism",
      xTitle: "n (agents)",
      yTitle: "Eff / n",
    }),
  };
}
