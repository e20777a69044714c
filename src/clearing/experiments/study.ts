/**
 * The whole study: every experiment of spec §4 on the exact engine, as a list of units of work
 * (`plan.ts`) that run here, on worker threads (`pool.ts`) or as shards on other machines
 * (`shards.ts`), and the report assembled from their rows.
 */
import type { ExperimentResult } from "../../report/types";
import { convergencePlan } from "./convergence";
import { fairnessPlan } from "./fairness";
import { feeSweepPlan } from "./feeSweep";
import { mechanismPlan } from "./mechanisms";
import { movieLensPlan } from "./movielens";
import { type ExperimentPlan, type StudyRequest, type UnitParams, erasePlan } from "./plan";
import { robustnessPlan } from "./robustness";
import { sensitivityPlan } from "./sensitivity";
import { shockPlan } from "./shocks";

/** Every experiment, in the report's order. */
export const PLANS: ExperimentPlan[] = [
  erasePlan(convergencePlan),
  erasePlan(feeSweepPlan),
  erasePlan(mechanismPlan),
  erasePlan(sensitivityPlan),
  erasePlan(shockPlan),
  erasePlan(fairnessPlan),
  erasePlan(movieLensPlan),
  erasePlan(robustnessPlan),
];

export const EXPERIMENTS = [
  "convergence",
  "fee-sweep",
  "mechanisms",
  "sensitivity",
  "shocks",
  "fairness",
  "movielens",
  "robustness",
] as const;
export type ExperimentKey = (typeof EXPERIMENTS)[number];

/** What to run: the request and the experiments wanted (all when `only` is absent). */
export interface StudySelection extends StudyRequest {
  only?: ExperimentKey[];
}

/** One unit of the study: its experiment, its index in that experiment's units, its parameters. */
export interface StudyUnit {
  experiment: string;
  index: number;
  params: UnitParams;
}

/** A unit's rows, as run anywhere. */
export interface UnitRows {
  experiment: string;
  index: number;
  rows: object[];
}

export const planOf = (key: string): ExperimentPlan => {
  const plan = PLANS.find((p) => p.key === key);
  if (!plan) throw new Error(`unknown experiment ${key}`);
  return plan;
};

const selected = (sel: StudySelection): ExperimentPlan[] =>
  PLANS.filter((p) => !sel.only || sel.only.includes(p.key as ExperimentKey));

/** Every unit of the selected experiments, experiment by experiment in the report's order. */
export const studyUnits = (sel: StudySelection): StudyUnit[] =>
  selected(sel).flatMap((p) => p.units(sel).map((params, index) => ({ experiment: p.key, index, params })));

/** The units of shard `k` of `count` (1-based): every `count`-th unit from the `k`-th on; the shards are disjoint. */
export const shardUnits = (units: StudyUnit[], k: number, count: number): StudyUnit[] =>
  units.filter((_, i) => i % count === k - 1);

export const runUnit = (req: StudyRequest, unit: StudyUnit): UnitRows => ({
  experiment: unit.experiment,
  index: unit.index,
  rows: planOf(unit.experiment).run(req, unit.params),
});

/** Counts finished units per experiment for a progress display (`onProgress(label)` gives a bar). */
export function unitProgress(
  units: StudyUnit[],
  onProgress?: (label: string) => (done: number, total: number) => void,
): (done: UnitRows) => void {
  const bars = new Map<string, { done: number; total: number; show?: (d: number, t: number) => void }>();
  for (const u of units) {
    const bar = bars.get(u.experiment) ?? { done: 0, total: 0, show: onProgress?.(planOf(u.experiment).label) };
    bar.total += 1;
    bars.set(u.experiment, bar);
  }
  return (r) => {
    const bar = bars.get(r.experiment)!;
    bar.show?.(++bar.done, bar.total);
  };
}

/**
 * The report sections of the selected experiments from the rows of all their units, however they
 * were run: each experiment's rows are concatenated in unit order, so the result is the same
 * byte for byte. A unit missing or given twice is an error.
 */
export function assembleStudy(sel: StudySelection, results: UnitRows[]): ExperimentResult[] {
  return selected(sel).map((plan) => {
    const expected = plan.units(sel).length;
    const mine = results.filter((r) => r.experiment === plan.key).sort((a, b) => a.index - b.index);
    mine.forEach((r, i) => {
      if (r.index !== i) throw new Error(`${plan.key}: unit ${i} is ${r.index < i ? "given twice" : "missing"}`);
    });
    if (mine.length !== expected) throw new Error(`${plan.key}: ${expected - mine.length} units missing`);
    return plan.report(
      sel,
      mine.flatMap((r) => r.rows),
    );
  });
}

/** The study in this thread: every unit in order, then the report sections. */
export function runStudy(
  sel: StudySelection,
  onProgress?: (label: string) => (done: number, total: number) => void,
): ExperimentResult[] {
  const units = studyUnits(sel);
  return assembleStudy(sel, runUnitsHere(sel, units, unitProgress(units, onProgress)));
}

/** Runs `units` one after another in this thread, calling `onDone` after each. */
export const runUnitsHere = (sel: StudySelection, units: StudyUnit[], onDone: (r: UnitRows) => void): UnitRows[] =>
  units.map((u) => {
    const r = runUnit(sel, u);
    onDone(r);
    return r;
  });

/** What every report of the study says up front: the scenarios, the metrics and the baselines, defined. */
export const STUDY_NOTES: string[] = [
  "At the paper's defaults (n = 20, m = 100) capacity rarely binds: " +
    "S(0) is about 73 < m for most draws, so mu* = 0 and the price update has nothing to do. " +
    "Every experiment therefore also runs a binding scenario (n = 20, m = 50; " +
    "in the comparison over n, m = 2.5 n).",
  "Metrics. Eff = sum over agents of alpha ln(1 + q) - beta q - tau q - g 1{q > 0} on the allocated q " +
    "(fees are a loss; mu q is a transfer to the revenue recipient). " +
    "Avg cost = mean over agents of own cost beta q plus payment (tau + mu) q + g 1{q > 0}. " +
    "Gini of the allocations of all present agents (paper eq. 9); fairness = 1 - Gini. " +
    "Participation = share of agents with q > 0. R (resilience) = mean Eff of the 10 rounds after a " +
    "shock / of the 10 before. Dynamic regret = cumulative sum of Eff(x*_t) - Eff(x_t), x*_t the exact " +
    "clearing solution for round t's agents and fees. PoF = Eff at the clearing solution / Eff of the " +
    "fair rule (max-min fair water-filling of m, each agent capped at its demand at the fee alone).",
  "Baselines, each a parameterization of the same ClearingMarket where possible. Proposed: " +
    "the adaptive price rule, played until the contract's Converged event; " +
    "the converged round is measured. Proportional: eta = 0, so mu stays 0; " +
    "agents demand at the fee alone and the contract rations pro rata when S > m. Flat: " +
    "eta = 0 with a posted price tau + mu_flat, mu_flat set once ex ante as the clearing price of a " +
    "2000-agent reference population at the same capacity per agent (blind to the agents present); " +
    "mu_flat q counts as congestion revenue. No enforcement: " +
    "no fees and no capacity cap (m unbounded, the contract only records); " +
    "the resource still delivers only m, pro rata, while agents bear their own cost beta x on " +
    "everything they asked for.",
];
