/**
 * Shock resilience and dynamic regret (paper Fig. 7): a fee jump through governance, agents
 * leaving, agents joining, and drifting preferences with noisy demand, under three step rules.
 */
import type { AgentType } from "../agents/reference";
import type { MarketSettings } from "../model/settings";
import { runEngine } from "../sim/engine";
import { type DynamicsInput, Population } from "../agents/population";
import type { ParamShock, PlayedRound } from "../sim/rounds";
import { drawAgents } from "../agents/draw";
import { roundWelfare } from "../sim/welfare";
import { dynamicRegret, meanStd, resilience } from "../../common/metrics";
import type { ExperimentResult } from "../../report/types";
import { fig7Comparisons } from "./paperFigures";
import { shockCharts } from "./shockCharts";
import type { ExperimentPlan, StudyRequest, UnitParams } from "./plan";
import { SCENARIOS, scenarioOf, settingsFor } from "./scenarios";
import { groupBy, mean, replications, seedOf } from "./shared";

export interface ShockCase {
  key: string;
  label: string;
  shocks: ParamShock[];
  dynamics: DynamicsInput;
  shockRound: number;
}

export const SHOCK_CASES: ShockCase[] = [
  {
    key: "tau",
    label: "tau 0.5 -> 1.5 at round 50",
    shocks: [{ round: 50, set: { tau: 1.5 } }],
    dynamics: {},
    shockRound: 50,
  },
  {
    key: "exit",
    label: "5 of 20 agents leave at round 50",
    shocks: [],
    dynamics: { participation: [{ round: 50, leave: 5, join: 0 }] },
    shockRound: 50,
  },
  {
    key: "entry",
    label: "5 agents join at round 50",
    shocks: [],
    dynamics: { reserve: 5, participation: [{ round: 50, leave: 0, join: 5 }] },
    shockRound: 50,
  },
  {
    key: "drift",
    label: "alpha drifts (1%/round) with 2% demand noise",
    shocks: [],
    dynamics: { drift: 0.01, noise: 0.02 },
    shockRound: 50,
  },
];

const SHOCK_RULES = [
  { key: "constant 1/L", rule: "constant" },
  { key: "diminishing 1/(L sqrt t)", rule: "diminishing" },
  { key: "adaptive", rule: "adaptive" },
] as const;
type RuleKey = (typeof SHOCK_RULES)[number]["key"];

/** Means over the replications of one round of one (scenario, shock, rule) case. */
export interface ShockRoundRow {
  scenario: string;
  shock: string;
  rule: RuleKey;
  round: number;
  efficiency: number;
  optimum: number;
  gini: number;
  mu: number;
  /** Cumulative dynamic regret up to this round. */
  regret: number;
}

export interface ShockSummaryRow {
  scenario: string;
  shock: string;
  rule: RuleKey;
  resilience: number;
  resilienceStd: number;
  regretT: number;
  regretPerRound25: number;
  regretPerRound50: number;
  regretPerRound100: number;
}

/** Welfare per round of one run, with each round's optimum for the types the agents had then. */
function welfareSeries(agents: AgentType[], seed: number, settings: MarketSettings, c: ShockCase, rounds: number) {
  const pop = new Population(agents, seed, c.dynamics);
  const types: AgentType[][] = [];
  const run: PlayedRound[] = runEngine(pop, settings, {
    rounds,
    shocks: c.shocks,
    onRound: () => types.push(agents.map((_, i) => pop.typeOf(i))),
  });
  return run.map((r, t) => roundWelfare(r, types[t]));
}

/** Replications per shock case: at most 50 (each is a 100-round run). */
const shockReplications = (req: StudyRequest): number => Math.max(1, Math.min(req.replications, 50));

export const SHOCK_ROUNDS = 100;

/** A shock unit's rows: its rounds, and its replication's resilience and final regret. */
export type ShockRow =
  | ({ table: "rounds"; rep: number; seed: number } & ShockRoundRow)
  | {
      table: "replication";
      scenario: string;
      shock: string;
      rule: RuleKey;
      rep: number;
      seed: number;
      resilience: number;
      regretT: number;
    };

/** One unit: replication `rep` of one (scenario, shock case, rule). */
function replicate(req: StudyRequest, unit: UnitParams): ShockRow[] {
  const sc = scenarioOf(unit.scenario);
  const c = SHOCK_CASES.find((x) => x.key === unit.shock)!;
  const r = SHOCK_RULES.find((x) => x.key === unit.rule)!;
  const rep = Number(unit.rep);
  const seed = seedOf(req, 6, sc.capacity, rep);
  const agents = drawAgents(sc.n + (c.dynamics.reserve ?? 0), seed);
  const settings = settingsFor(agents.slice(0, sc.n), sc.capacity, sc.tau, sc.fixedFee, r.rule);
  const w = welfareSeries(agents, seedOf(req, 7, rep), settings, c, SHOCK_ROUNDS);
  const regret = dynamicRegret(
    w.map((x) => x.optimum),
    w.map((x) => x.efficiency),
  );
  const k = c.shockRound - 1;
  const cell = { scenario: sc.key, shock: c.key, rule: r.key, rep, seed };
  return [
    ...w.map((x, t) => ({
      table: "rounds" as const,
      ...cell,
      round: x.round,
      efficiency: x.efficiency,
      optimum: x.optimum,
      gini: x.gini,
      mu: x.mu,
      regret: regret[t],
    })),
    {
      table: "replication",
      ...cell,
      resilience: resilience(
        w.slice(k - 10, k).map((x) => x.efficiency),
        w.slice(k, k + 10).map((x) => x.efficiency),
      ),
      regretT: regret[regret.length - 1],
    },
  ];
}

export const shockPlan: ExperimentPlan<ShockRow> = {
  key: "shocks",
  label: "shocks",
  units: (req) =>
    SCENARIOS.flatMap((sc) =>
      SHOCK_CASES.flatMap((c) =>
        SHOCK_RULES.flatMap((r) =>
          replications(shockReplications(req)).map((rep) => ({ scenario: sc.key, shock: c.key, rule: r.key, rep })),
        ),
      ),
    ),
  run: replicate,
  report: shockReport,
};

function shockReport(req: StudyRequest, all: ShockRow[]): ExperimentResult {
  const rounds = SHOCK_ROUNDS;
  const reps = shockReplications(req);
  const cellOf = (x: { scenario: string; shock: string; rule: string }) => `${x.scenario}|${x.shock}|${x.rule}`;
  const roundRows = all.filter((x) => x.table === "rounds");
  const rows: ShockRoundRow[] = [...groupBy(roundRows, (x) => `${cellOf(x)}|${x.round}`).values()].map((cell) => ({
    scenario: cell[0].scenario,
    shock: cell[0].shock,
    rule: cell[0].rule,
    round: cell[0].round,
    efficiency: mean(cell.map((x) => x.efficiency)),
    optimum: mean(cell.map((x) => x.optimum)),
    gini: mean(cell.map((x) => x.gini)),
    mu: mean(cell.map((x) => x.mu)),
    regret: mean(cell.map((x) => x.regret)),
  }));
  const replicationRows = all.filter((x) => x.table === "replication");
  const summary: ShockSummaryRow[] = [...groupBy(replicationRows, cellOf).values()].map((cell) => {
    const reg = (t: number) => rows.find((x) => cellOf(x) === cellOf(cell[0]) && x.round === t)?.regret ?? NaN;
    const R = meanStd(cell.map((x) => x.resilience));
    return {
      scenario: cell[0].scenario,
      shock: cell[0].shock,
      rule: cell[0].rule,
      resilience: R.mean,
      resilienceStd: R.std,
      regretT: mean(cell.map((x) => x.regretT)),
      regretPerRound25: reg(25) / 25,
      regretPerRound50: reg(50) / 50,
      regretPerRound100: reg(rounds) / rounds,
    };
  });
  const charts = shockCharts(
    rows,
    reps,
    SHOCK_CASES,
    SHOCK_RULES.map((r) => r.key),
  );
  return {
    key: "shocks",
    title: "Shock resilience and dynamic regret (paper Fig. 7)",
    description:
      `${rounds} rounds, ${reps} replications per case; shocks at round 50: ` +
      `a tau jump through governance, agents leaving, agents joining; ` +
      `and a drift run (ln alpha random walk, sd 0.01 per round, plus 2% demand noise). ` +
      `R = mean Eff over the 10 rounds after the shock / the 10 before. ` +
      `Regret is against the per-round optimum: Eff at the exact clearing solution of that round's ` +
      `agents and fees.`,
    tables: [
      { name: "shocks-rounds", rows },
      { name: "shocks-summary", rows: summary },
      // Each replication's R and final regret with its seed (its rounds stay in the shard files: 120,000 rows).
      { name: "shocks-replications", rows: replicationRows.map(({ table: _, ...row }) => row) },
    ],
    charts,
    comparisons: fig7Comparisons(summary, rounds),
  };
}
