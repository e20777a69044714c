/**
 * Sensitivity over (tau, g) with the elasticity of efficiency in tau (paper Fig. 6): the proposed
 * mechanism to convergence on every cell of the grid.
 */
import { drawAgents } from "../agents/draw";
import { heatMap, scatter } from "../../report/charts";
import type { Chart, ExperimentResult } from "../../report/types";
import { playMechanism } from "./baselines";
import { fig6Comparison } from "./paperFigures";
import type { ExperimentPlan, StudyRequest, UnitParams } from "./plan";
import { BINDING, CHART_ORDER, SCENARIOS, type Scenario, scenarioOf } from "./scenarios";
import { groupBy, mean, replications, seedOf } from "./shared";

export const G_GRID = [0, 1, 2, 3, 4, 5];
const SENS_TAU = [0, 0.5, 1, 1.5, 2];

/** Means over the replications of one (scenario, tau, g) cell. */
interface SensitivityCell {
  scenario: string;
  tau: number;
  g: number;
  efficiencyPerAgent: number;
  fairness: number;
  participation: number;
}

export interface SensitivityRow extends SensitivityCell {
  /** (dEff/dtau)(tau/Eff) at the same g; null where Eff is 0. */
  elasticity: number | null;
}

/** Elasticity of Eff in tau, (dEff/dtau) (tau/Eff), by central differences (one-sided at the ends). */
function withElasticity(cells: SensitivityCell[]): SensitivityRow[] {
  return cells.map((row) => {
    const same = cells.filter((r) => r.scenario === row.scenario && r.g === row.g).sort((a, b) => a.tau - b.tau);
    const k = same.indexOf(row);
    const lo = same[Math.max(0, k - 1)];
    const hi = same[Math.min(same.length - 1, k + 1)];
    const slope = (hi.efficiencyPerAgent - lo.efficiencyPerAgent) / (hi.tau - lo.tau);
    return { ...row, elasticity: row.efficiencyPerAgent === 0 ? null : (slope * row.tau) / row.efficiencyPerAgent };
  });
}

/** One replication of one (scenario, tau, g) cell: the proposed mechanism to convergence. */
export interface SensitivityReplicationRow extends SensitivityCell {
  rep: number;
  seed: number;
}

function replicate(req: StudyRequest, unit: UnitParams): SensitivityReplicationRow[] {
  const sc = scenarioOf(unit.scenario);
  const [tau, g, rep] = [Number(unit.tau), Number(unit.g), Number(unit.rep)];
  const seed = seedOf(req, 5, sc.capacity, rep);
  const o = playMechanism("proposed", { agents: drawAgents(sc.n, seed), capacity: sc.capacity, tau, fixedFee: g });
  return [
    {
      scenario: sc.key,
      tau,
      g,
      rep,
      seed,
      efficiencyPerAgent: o.efficiency / sc.n,
      fairness: 1 - o.gini,
      participation: o.participation,
    },
  ];
}

export const sensitivityPlan: ExperimentPlan<SensitivityReplicationRow> = {
  key: "sensitivity",
  label: "sensitivity",
  units: (req) =>
    SCENARIOS.flatMap((sc) =>
      G_GRID.flatMap((g) =>
        SENS_TAU.flatMap((tau) => replications(req.replications).map((rep) => ({ scenario: sc.key, tau, g, rep }))),
      ),
    ),
  run: replicate,
  report: sensitivityReport,
};

function sensitivityReport(req: StudyRequest, raw: SensitivityReplicationRow[]): ExperimentResult {
  const reps = req.replications;
  const cells: SensitivityCell[] = [...groupBy(raw, (r) => `${r.scenario}|${r.g}|${r.tau}`).values()].map((list) => ({
    scenario: list[0].scenario,
    tau: list[0].tau,
    g: list[0].g,
    efficiencyPerAgent: mean(list.map((o) => o.efficiencyPerAgent)),
    fairness: mean(list.map((o) => o.fairness)),
    participation: mean(list.map((o) => o.participation)),
  }));
  const table = withElasticity(cells);
  const charts: Chart[] = [];
  for (const sc of CHART_ORDER) {
    const rows = table.filter((r) => r.scenario === sc.key);
    charts.push(
      {
        name: `fig6-${sc.key}-efficiency`,
        caption: `Efficiency per agent over (tau, g), ${sc.label}.`,
        spec: heatMap({
          title: `Eff / n — ${sc.label}`,
          rows,
          x: "tau",
          y: "g",
          value: "efficiencyPerAgent",
          valueTitle: "Eff / n",
        }),
      },
      {
        name: `fig6-${sc.key}-fairness`,
        caption: `Fairness 1 - Gini over (tau, g), ${sc.label}.`,
        spec: heatMap({
          title: `1 - Gini — ${sc.label}`,
          rows,
          x: "tau",
          y: "g",
          value: "fairness",
          scheme: "blues",
        }),
      },
      {
        name: `fig6-${sc.key}-elasticity`,
        caption: `Elasticity of efficiency in tau, (dEff/dtau)(tau/Eff), conditional on g, ${sc.label}.`,
        spec: heatMap({
          title: `elasticity of Eff in tau — ${sc.label}`,
          rows,
          x: "tau",
          y: "g",
          value: "elasticity",
          scheme: "redblue",
        }),
      },
      {
        name: `fig6-${sc.key}-pareto`,
        caption: `Efficiency against fairness over the grid, colored by g, sized by participation, ${sc.label}.`,
        spec: scatter({
          title: `Pareto map — ${sc.label}`,
          rows,
          x: "fairness",
          y: "efficiencyPerAgent",
          color: "g",
          size: "participation",
          xTitle: "1 - Gini",
          yTitle: "Eff / n",
        }),
      },
    );
  }
  const cell = (sc: Scenario, tau: number, g: number) =>
    table.find((r) => r.scenario === sc.key && r.tau === tau && r.g === g)!;
  return {
    key: "sensitivity",
    title: "Sensitivity over (tau, g) with elasticity (paper Fig. 6)",
    description:
      `tau in ${SENS_TAU.join(", ")} x g in ${G_GRID.join(", ")}; ` +
      `${reps} replications per cell; the proposed mechanism to convergence.`,
    tables: [
      { name: "sensitivity", rows: table },
      { name: "sensitivity-replications", rows: raw },
    ],
    charts,
    comparisons: [
      fig6Comparison(
        (tau, g) => cell(BINDING, tau, g).efficiencyPerAgent,
        (tau, g) => cell(BINDING, tau, g).fairness,
      ),
    ],
  };
}
