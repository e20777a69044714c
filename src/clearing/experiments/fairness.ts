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
import { PRICE_OF_FAIRNESS, compare } from "./paper";
import { SCENARIOS } from "./scenarios";
import { type StudyOptions, fmt, mean, pm, seedOf } from "./shared";

export interface FairnessReplicationRow {
  scenario: string;
  rep: number;
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

export function fairnessExperiment(opts: StudyOptions): ExperimentResult {
  const rows: FairnessReplicationRow[] = [];
  const summary: FairnessRow[] = [];
  for (const sc of SCENARIOS) {
    const pofs: number[] = [];
    for (let rep = 0; rep < opts.replications; rep++) {
      const agents = drawAgents(sc.n, seedOf(opts, 8, sc.capacity, rep));
      const star = solveClearing(agents, sc.capacity, sc.tau, sc.fixedFee);
      const caps = agents.map((a) => bestResponse(a, sc.tau, sc.fixedFee));
      const fair = waterFill(caps, sc.capacity);
      const effStar = efficiency(agents, star.x, sc.tau, sc.fixedFee);
      const effFair = efficiency(agents, fair, sc.tau, sc.fixedFee);
      const pof = priceOfFairness(effStar, effFair);
      pofs.push(pof);
      rows.push({
        scenario: sc.key,
        rep,
        efficiencyOptimal: effStar,
        efficiencyFair: effFair,
        pof,
        giniOptimal: gini(star.x),
        giniFair: gini(fair),
      });
    }
    const s = meanStd(pofs);
    const these = rows.filter((r) => r.scenario === sc.key);
    summary.push({
      scenario: sc.key,
      pof: s.mean,
      pofStd: s.std,
      giniOptimal: mean(these.map((r) => r.giniOptimal)),
      giniFair: mean(these.map((r) => r.giniFair)),
    });
  }
  return {
    key: "fairness",
    title: "Price of fairness",
    description:
      `PoF = max Eff / Eff(fair). The optimum is the clearing allocation (mu*, the market's ` +
      `equilibrium); the fair rule splits m max-min fairly (water-filling) among all agents, each ` +
      `capped at what it demands at the fee alone. ${opts.replications} replications per scenario.`,
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
      compare(
        PRICE_OF_FAIRNESS,
        summary
          .map(
            (s) => `${s.scenario}: ${pm(s.pof, s.pofStd, 3)} (Gini ${fmt(s.giniOptimal, 2)} -> ${fmt(s.giniFair, 2)})`,
          )
          .join("; "),
      ),
    ],
  };
}
