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
import { coincidenceNote, coincident } from "../../report/meanCharts";
import type { Chart, ExperimentResult } from "../../report/types";
import { fig2Comparison } from "./paperFigures";
import type { ExperimentPlan, StudyRequest, UnitParams } from "./plan";
import { CHART_ORDER, SCENARIOS, type Scenario, scenarioOf, settingsFor } from "./scenarios";
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
  const charts: Chart[] = CHART_ORDER.map((sc) =>
    convergenceFigure(
      sc,
      rows as ConvergenceRoundRow[],
      agentRows as ConvergenceAgentRow[],
      summary as ConvergenceSummaryRow[],
    ),
  );
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

/** Rounds the convergence figure shows: past them every line is flat, and the first rounds stay legible. */
export const CONVERGENCE_ZOOM = 20;

/**
 * The paper's Fig. 2 for one scenario as one 2x2 figure, zoomed to the first `CONVERGENCE_ZOOM`
 * rounds (after them every line is flat): mu_t against mu*, S_t against m, each agent's x_i^t,
 * and Eff above Gini.
 */
function convergenceFigure(
  sc: Scenario,
  rows: ConvergenceRoundRow[],
  agentRows: ConvergenceAgentRow[],
  summary: ConvergenceSummaryRow[],
): Chart {
  const first = (r: { scenario: string; round: number }) => r.scenario === sc.key && r.round <= CONVERGENCE_ZOOM;
  const these = rows.filter(first);
  const mine = summary.filter((x) => x.scenario === sc.key);
  const muStar = mine[0].muStar;
  const panel = {
    x: "round",
    series: "rule",
    seriesTitle: "step rule",
    width: 300,
    height: 190,
    points: false,
  } as const;
  const converged = mine.map((s) => `${s.rule} at round ${s.firstConvergedRound ?? "— (not)"}`).join(", ");
  const same = coincidenceNote(
    coincident(these, "rule", ["mu", "totalDemand", "efficiency", "gini"]),
    "their lines coincide, the last drawn on top",
  );
  return {
    name: `fig2-${sc.key}`,
    caption:
      `Convergence, ${sc.label}, the first ${CONVERGENCE_ZOOM} of ${CONVERGENCE_ROUNDS} rounds ` +
      `(all rounds in convergence-rounds.csv). Top left: shadow price mu_t per step rule against the exact ` +
      `mu* = ${fmt(muStar, 6)} (dashed). Top right: aggregate demand S_t against capacity m (dashed). ` +
      `Bottom left: each agent's demand x_i^t under the constant step 1.9/L ` +
      (mine[0].binding ? `(overshoot and damping). ` : `(flat: capacity does not bind, mu stays 0). `) +
      `Bottom right: efficiency (top) and Gini of allocations (bottom) per round. ` +
      `First converged round: ${converged}.${same}`,
    spec: {
      title: `Convergence (Fig. 2) — ${sc.label}`,
      vconcat: [
        {
          hconcat: [
            lineChart({
              ...panel,
              title: "mu_t",
              rows: these,
              y: "mu",
              yTitle: "shadow price mu_t",
              ruleY: muStar,
              ruleLabel: "mu*",
            }),
            lineChart({
              ...panel,
              title: "S_t vs m",
              rows: these,
              y: "totalDemand",
              yTitle: "total demand S_t",
              ruleY: sc.capacity,
              ruleLabel: "m",
            }),
          ],
        },
        {
          hconcat: [
            lineChart({
              ...panel,
              title: "x_i^t (constant 1.9/L)",
              rows: agentRows.filter(first),
              y: "demand",
              series: "agent",
              yTitle: "demand x_i^t",
              legend: false,
              // Not the rules' colors: these lines are agents, all under one rule.
              scheme: "greys",
            }),
            {
              vconcat: [
                lineChart({
                  ...panel,
                  title: "Eff per round",
                  rows: these,
                  y: "efficiency",
                  yTitle: "Eff",
                  height: 80,
                  legend: false,
                }),
                lineChart({
                  ...panel,
                  title: "Gini per round",
                  rows: these,
                  y: "gini",
                  yTitle: "Gini",
                  height: 80,
                  legend: false,
                }),
              ],
            },
          ],
          resolve: { scale: { color: "independent" } },
        },
      ],
    },
  };
}
