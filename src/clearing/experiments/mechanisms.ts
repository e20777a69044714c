/**
 * Mechanism comparison over n (paper Table 6, Fig. 4-5): the four baselines of `baselines.ts`
 * on the same population per replication, for a grid of population sizes.
 */
import { drawAgents } from "../agents/draw";
import { boxPlot } from "../../report/charts";
import { coincidenceNote, coincident, dodgedMeans } from "../../report/meanCharts";
import type { Chart, ExperimentResult } from "../../report/types";
import { MECHANISMS, type Mechanism, flatSurcharge, playMechanisms, referencePopulation } from "./baselines";
import { compare, table6Claim } from "./paper";
import type { ExperimentPlan, StudyRequest, UnitParams } from "./plan";
import { BINDING, CHART_ORDER, PAPER_DEFAULTS, SCENARIOS, type Scenario, capacityFor, scenarioOf } from "./scenarios";
import { type Summary, band, groupBy, mean, pm, replications, seedOf, summarize } from "./shared";

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
  const at20 = (sc: Scenario) => raw.filter((r) => r.scenario === sc.key && r.n === 20);
  const charts: Chart[] = [];
  for (const sc of CHART_ORDER) {
    charts.push(
      {
        name: `fig4-${sc.key}-efficiency`,
        caption: `Efficiency per agent by mechanism at n = 20, ${sc.label} (${req.replications} replications).`,
        spec: boxPlot({
          title: `Eff / n — ${sc.label}`,
          rows: at20(sc),
          group: "mechanism",
          y: "efficiencyPerAgent",
          yTitle: "Eff / n",
        }),
      },
      {
        name: `fig4-${sc.key}-cost`,
        caption: `Average cost per agent by mechanism at n = 20, ${sc.label}.`,
        spec: boxPlot({
          title: `avg cost — ${sc.label}`,
          rows: at20(sc),
          group: "mechanism",
          y: "avgCost",
          yTitle: "avg cost",
        }),
      },
      {
        name: `fig4-${sc.key}-gini`,
        caption: `Gini of allocations by mechanism at n = 20, ${sc.label}.`,
        spec: boxPlot({ title: `Gini — ${sc.label}`, rows: at20(sc), group: "mechanism", y: "gini", yTitle: "Gini" }),
      },
      fig5Chart(sc, table),
    );
  }
  const line = (sc: Scenario, mech: Mechanism) => {
    const r = table.find((x) => x.scenario === sc.key && x.n === 20 && x.mechanism === mech)!;
    return (
      `${pm(r.efficiencyPerAgent, r.efficiencyPerAgentStd)} | ${pm(r.avgCost, r.avgCostStd)} | ` +
      `${pm(r.gini, r.giniStd)}`
    );
  };
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
      { name: "mechanisms-replications", rows: raw },
    ],
    charts,
    comparisons: MECHANISMS.map((mech) =>
      compare(table6Claim(mech), `defaults: ${line(PAPER_DEFAULTS, mech)}; binding: ${line(BINDING, mech)}`),
    ),
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
