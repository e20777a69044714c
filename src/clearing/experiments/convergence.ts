/**
 * Convergence (paper Fig. 2): one population per scenario under the paper's constant step, a
 * constant step near the stability bound and our adaptive rule, against the exact mu*.
 */
import { runEngine } from "../sim/engine";
import { solveClearing } from "../sim/equilibrium";
import { Population } from "../agents/population";
import { drawAgents } from "../agents/draw";
import { roundWelfare } from "../sim/welfare";
import { fromFixed } from "../../common/fixed";
import { lineChart } from "../../report/charts";
import type { Chart, ExperimentResult } from "../../report/types";
import { fig2Comparison } from "./paperFigures";
import type { ExperimentPlan, StudyRequest, UnitParams } from "./plan";
import { SCENARIOS, scenarioOf, settingsFor } from "./scenarios";
import { fmt, seedOf } from "./shared";

const CONVERGENCE_RULES = [
  { key: "constant 1/L (paper, safe)", rule: "constant", etaTimesL: 1 },
  { key: "constant 1.9/L (near 2/L)", rule: "constant", etaTimesL: 1.9 },
  { key: "adaptive (ours)", rule: "adaptive", etaTimesL: 1 },
] as const;
type RuleKey = (typeof CONVERGENCE_RULES)[number]["key"];

export interface ConvergenceRoundRow {
  scenario: string;
  rule: RuleKey;
  seed: number;
  round: number;
  mu: number;
  totalDemand: number;
  capacity: number;
  efficiency: number;
  gini: number;
  primalResidual: number;
  dualResidual: number;
  converged: boolean;
}

/** Each agent's demand per round under the constant step 1.9/L. */
export interface ConvergenceAgentRow {
  scenario: string;
  seed: number;
  round: number;
  agent: string;
  demand: number;
}

export interface ConvergenceSummaryRow {
  scenario: string;
  rule: RuleKey;
  seed: number;
  eta: number;
  firstConvergedRound: number | null;
  muT: number;
  muStar: number;
  absError: number;
  binding: boolean;
}

/** A convergence unit's rows: each round, each agent's demand per round, and the run's summary. */
export type ConvergenceRow =
  | ({ table: "rounds" } & ConvergenceRoundRow)
  | ({ table: "agents" } & ConvergenceAgentRow)
  | ({ table: "summary" } & ConvergenceSummaryRow);

export const CONVERGENCE_ROUNDS = 60;

/** One unit: one rule on its scenario's population for `CONVERGENCE_ROUNDS` rounds. */
function runRule(req: StudyRequest, unit: UnitParams): ConvergenceRow[] {
  const sc = scenarioOf(unit.scenario);
  const r = CONVERGENCE_RULES.find((x) => x.key === unit.rule)!;
  // One population per scenario, the same for every rule.
  const seed = seedOf(req, 2, sc.n, sc.capacity);
  const agents = drawAgents(sc.n, seed);
  const exact = solveClearing(agents, sc.capacity, sc.tau, sc.fixedFee);
  const settings = settingsFor(agents, sc.capacity, sc.tau, sc.fixedFee, r.rule, r.etaTimesL);
  const run = runEngine(new Population(agents, 0), settings, { rounds: CONVERGENCE_ROUNDS });
  const out: ConvergenceRow[] = [];
  let first: number | null = null;
  for (const played of run) {
    const w = roundWelfare(played, agents);
    if (played.converged && first === null) first = w.round;
    out.push({
      table: "rounds",
      scenario: sc.key,
      rule: r.key,
      seed,
      round: w.round,
      mu: w.mu,
      totalDemand: w.totalDemand,
      capacity: w.capacity,
      efficiency: w.efficiency,
      gini: w.gini,
      primalResidual: fromFixed(played.primalResidual),
      dualResidual: fromFixed(played.dualResidual),
      converged: played.converged,
    });
    if (r.rule === "constant" && r.etaTimesL === 1.9) {
      played.demands.forEach((d, i) =>
        out.push({
          table: "agents",
          scenario: sc.key,
          seed,
          round: w.round,
          agent: `agent ${i + 1}`,
          demand: fromFixed(d ?? 0n),
        }),
      );
    }
  }
  const muT = fromFixed(run[run.length - 1].nextMu);
  out.push({
    table: "summary",
    scenario: sc.key,
    rule: r.key,
    seed,
    eta: settings.eta,
    firstConvergedRound: first,
    muT,
    muStar: exact.mu,
    absError: Math.abs(muT - exact.mu),
    binding: exact.binding,
  });
  return out;
}

export const convergencePlan: ExperimentPlan<ConvergenceRow> = {
  key: "convergence",
  label: "convergence",
  units: () => SCENARIOS.flatMap((sc) => CONVERGENCE_RULES.map((r) => ({ scenario: sc.key, rule: r.key }))),
  run: runRule,
  report: convergenceReport,
};

/** `rows` of one table, without the discriminator. */
function tableOf<T extends ConvergenceRow["table"]>(rows: ConvergenceRow[], table: T) {
  type Row = Extract<ConvergenceRow, { table: T }>;
  return rows
    .filter((r): r is Row => r.table === table)
    .map((r) => {
      const { table: _, ...rest } = r;
      return rest as Omit<Row, "table">;
    });
}

function convergenceReport(req: StudyRequest, all: ConvergenceRow[]): ExperimentResult {
  const rounds = CONVERGENCE_ROUNDS;
  const rows = tableOf(all, "rounds");
  const agentRows = tableOf(all, "agents");
  const summary = tableOf(all, "summary");
  const charts: Chart[] = [];
  for (const sc of SCENARIOS) {
    const exact = summary.find((x) => x.scenario === sc.key)!;
    const these = rows.filter((x) => x.scenario === sc.key);
    charts.push(
      {
        name: `fig2-${sc.key}-price`,
        caption: `Shadow price mu_t per rule, ${sc.label}. mu* = ${fmt(exact.muStar, 6)}.`,
        spec: lineChart({
          title: `mu_t — ${sc.label}`,
          rows: these,
          x: "round",
          y: "mu",
          series: "rule",
          yTitle: "shadow price mu_t",
          ruleY: exact.muStar,
        }),
      },
      {
        name: `fig2-${sc.key}-demand`,
        caption: `Aggregate demand S_t against capacity m (dashed), ${sc.label}.`,
        spec: lineChart({
          title: `S_t vs m — ${sc.label}`,
          rows: these,
          x: "round",
          y: "totalDemand",
          series: "rule",
          yTitle: "total demand S_t",
          ruleY: sc.capacity,
        }),
      },
      {
        name: `fig2-${sc.key}-agents`,
        caption: `Each agent's demand x_i^t under the constant step 1.9/L (overshoot and damping), ${sc.label}.`,
        spec: {
          ...lineChart({
            title: `x_i^t — ${sc.label}`,
            rows: agentRows.filter((x) => x.scenario === sc.key),
            x: "round",
            y: "demand",
            series: "agent",
            yTitle: "demand x_i^t",
          }),
          config: { legend: { disable: true } },
        },
      },
      {
        name: `fig2-${sc.key}-welfare`,
        caption: `Efficiency (top) and Gini of allocations (bottom) per round, ${sc.label}.`,
        spec: {
          vconcat: [
            lineChart({
              title: `Eff per round — ${sc.label}`,
              rows: these,
              x: "round",
              y: "efficiency",
              series: "rule",
              yTitle: "Eff",
            }),
            lineChart({ title: "Gini per round", rows: these, x: "round", y: "gini", series: "rule", yTitle: "Gini" }),
          ],
        },
      },
    );
  }
  return {
    key: "convergence",
    title: "Convergence (paper Fig. 2)",
    description:
      `One population per scenario (seeded), ${rounds} rounds, proximal weight 0, under the ` +
      `paper's constant step at the safe 1/L, a constant step at 1.9/L (close to the stability bound ` +
      `2/L, where overshoot shows) and our adaptive rule. L = sum alpha/(beta + tau)^2 over agents ` +
      `active at mu = 0. mu* is the exact complementarity solution.`,
    tables: [
      { name: "convergence-rounds", rows },
      { name: "convergence-agents", rows: agentRows },
      { name: "convergence-summary", rows: summary },
    ],
    charts,
    comparisons: [fig2Comparison(summary)],
  };
}
