/**
 * Price of fairness: Eff at the clearing allocation against Eff of the max-min fair split of m
 * (water-filling, each agent capped at its demand at the fee alone).
 */
import { bestResponse } from "../agents/reference";
import { solveClearing } from "../sim/equilibrium";
import { drawAgents } from "../agents/draw";
import { efficiency } from "../sim/welfare";
import { gini, meanStd, priceOfFairness, waterFill } from "../../common/metrics";
import { boxPlot } from "../../report/charts";
import type { ExperimentResult } from "../../report/types";
import { cell } from "./paperTables";
import type { ExperimentPlan, StudyRequest, UnitParams } from "./plan";
import { SCENARIOS, scenarioOf } from "./scenarios";
import { fmt, groupBy, mean, pm, replications, seedOf } from "./shared";

export interface FairnessReplicationRow {
  scenario: string;
  rep: number;
  seed: number;
  efficiencyOptimal: number;
  efficiencyFair: number;
  pof: number;
  giniOptimal: number;
  giniFair: number;
}

export interface FairnessRow {
  scenario: string;
  pof: number;
  pofStd: number;
  giniOptimal: number;
  giniFair: number;
}

function replicate(req: StudyRequest, unit: UnitParams): FairnessReplicationRow[] {
  const sc = scenarioOf(unit.scenario);
  const rep = Number(unit.rep);
  const seed = seedOf(req, 8, sc.capacity, rep);
  const agents = drawAgents(sc.n, seed);
  const star = solveClearing(agents, sc.capacity, sc.tau, sc.fixedFee);
  const fair = waterFill(
    agents.map((a) => bestResponse(a, sc.tau, sc.fixedFee)),
    sc.capacity,
  );
  const effStar = efficiency(agents, star.x, sc.tau, sc.fixedFee);
  const effFair = efficiency(agents, fair, sc.tau, sc.fixedFee);
  return [
    {
      scenario: sc.key,
      rep,
      seed,
      efficiencyOptimal: effStar,
      efficiencyFair: effFair,
      pof: priceOfFairness(effStar, effFair),
      giniOptimal: gini(star.x),
      giniFair: gini(fair),
    },
  ];
}

export const fairnessPlan: ExperimentPlan<FairnessReplicationRow> = {
  key: "fairness",
  label: "fairness",
  units: (req) => SCENARIOS.flatMap((sc) => replications(req.replications).map((rep) => ({ scenario: sc.key, rep }))),
  run: replicate,
  report: fairnessReport,
};

function fairnessReport(req: StudyRequest, rows: FairnessReplicationRow[]): ExperimentResult {
  const summary: FairnessRow[] = [...groupBy(rows, (r) => r.scenario).values()].map((these) => {
    const s = meanStd(these.map((r) => r.pof));
    return {
      scenario: these[0].scenario,
      pof: s.mean,
      pofStd: s.std,
      giniOptimal: mean(these.map((r) => r.giniOptimal)),
      giniFair: mean(these.map((r) => r.giniFair)),
    };
  });
  return {
    key: "fairness",
    title: "Price of fairness",
    description:
      `PoF = max Eff / Eff(fair). The optimum is the clearing allocation (mu*, the market's ` +
      `equilibrium); the fair rule splits m max-min fairly (water-filling) among all agents, each ` +
      `capped at what it demands at the fee alone. ${req.replications} replications per scenario.`,
    tables: [
      { name: "fairness", rows: summary },
      { name: "fairness-replications", rows },
    ],
    charts: [
      {
        name: "pof",
        caption: "Price of fairness per replication, by scenario.",
        spec: boxPlot({ title: "price of fairness", rows, group: "scenario", y: "pof", yTitle: "PoF" }),
      },
    ],
    comparisons: [
      {
        source: "spec §3",
        shows: "price of fairness (not in the paper)",
        summary: {
          other: cell(
            "not reported",
            summary
              .map(
                (s) =>
                  `${s.scenario}: PoF ${pm(s.pof, s.pofStd, 3)}, ` +
                  `Gini ${fmt(s.giniOptimal, 2)} -> ${fmt(s.giniFair, 2)}`,
              )
              .join("; "),
          ),
        },
        items: [],
        disagreements: [],
      },
    ],
  };
}
