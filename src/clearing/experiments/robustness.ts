/**
 * The robustness chapter (issue 17, point 4; spec §5): recovery after each shock and the harm of each attack, per
 * price rule and rationing rule, from the scenarios and attacks of the benchmark and through its own functions
 * (../robustness/shocks.ts and attacks.ts: `measureScenarioSeed`, `measureAttackSeed`, `scenarioEntries`,
 * `summarizeAttack`), so that the chapter and bench/results.json agree for the same seeds.
 *
 * Units, and why they are cut so:
 * - one per (scenario, rule variant, seed): a shock or `noise-drift` under adaptive, diminishing or constant
 *   with eta = k/L (k over the constant grid, for constant-best). Both rationing rules come from the unit's one
 *   run: the price path moves on total demand only, so rationing changes what is allocated, never the run. At
 *   20 seeds that is 8 scenarios x 6 variants x 20 = 960 units of one or two engine runs each.
 * - one per (rule, seed) for the attacks: the warm-up and the truthful play every attack is measured against are
 *   played once per rule and seed (they are most of the cost), then each attack once, under both rationings:
 *   3 x 20 = 60 units. Both kinds spread over 2-8 workers with no worker left holding a long tail.
 * Populations are the benchmark's seeds 1..N, N = min(replications, MAX_SEEDS), not the study's seed: at
 * N = 20 every median and p90 here equals the `robustness` and `attacks` entries of bench/results.json. That costs
 * about 100 s of one core (2026-12: 60 s the shocks, 40 s the attacks), spread over the workers; `maxSeeds`
 * trades the equality for time (10 seeds: about half).
 */
import { ATTACKS, type AttackScript } from "../agents/attackers";
import type { MarketSettings } from "../model/settings";
import { type AttackOutcome, type AttackEntry, measureAttackSeed, summarizeAttack } from "../robustness/attacks";
import { STAY, jsonFactor, parseFactor } from "../robustness/metrics";
import {
  CONSTANT_GRID,
  NOISE_ROUNDS,
  POST_CAP,
  ROBUSTNESS_SCENARIOS,
  RULES,
  RULE_VARIANTS,
  type ShockEntry,
  type ScenarioSample,
  WARM_CAP,
  measureScenarioSeed,
  scenarioEntries,
} from "../robustness/shocks";
import { RATIONINGS } from "../sim/rationing";
import type { ExperimentResult } from "../../report/types";
import type { ExperimentPlan, StudyRequest, UnitParams } from "./plan";
import { robustnessComparisons } from "./robustnessComparisons";
import { robustnessCharts } from "./robustnessFigures";
import { groupBy } from "./shared";

/** The benchmark's seed count (`npx hardhat bench --seeds`, default 20): more replications add no seed. */
export const MAX_SEEDS = 20;

/**
 * The seeds the chapter draws its populations with: 1..min(replications, maxSeeds), at least one;
 * `maxSeeds` defaults to the request's `robustnessSeeds` (the demo's shorter chapter), else 20.
 */
export const chapterSeeds = (req: StudyRequest, maxSeeds = req.robustnessSeeds ?? MAX_SEEDS): number[] =>
  Array.from({ length: Math.max(1, Math.min(req.replications, maxSeeds, MAX_SEEDS)) }, (_, i) => i + 1);

/** The seeds present in `rows`, ascending: what the report was computed over, however the units were chosen. */
const seedsOf = (rows: RobustnessRow[]): number[] => [...new Set(rows.map((r) => r.seed))].sort((a, b) => a - b);

/** "1..N" for the seeds 1 to N, else the list. */
const seedRange = (seeds: number[]): string =>
  seeds.every((s, i) => s === i + 1) ? `1..${seeds.length}` : seeds.join(", ");

/** One scenario on one seed under one rule variant and rationing rule: a shock's outcome or drift's regret. */
export interface ScenarioSeedRow {
  part: "scenario";
  scenario: string;
  rule: MarketSettings["rule"];
  /** eta (eta_0) = k/L. */
  k: number;
  rationing: string;
  seed: number;
  /** Rounds from the shock to re-convergence; null: never within POST_CAP rounds (and for noise-drift). */
  roundsToReconverge: number | null;
  /** Dead rounds until re-convergence; null for noise-drift. */
  deadRounds: number | null;
  /** noise-drift only. */
  regretPerRound: number | null;
  /** Cold starts only (jump, heavy-tail; {ColdStartOutcome} of ../robustness/coldStart.ts), else null. */
  climbFloor: number | null;
  roundsAfterFirstBracket: number | null;
  withinBracketBound: boolean | null;
}

/** One attack on one seed under one rule and rationing rule. */
export interface AttackSeedRow {
  part: "attack";
  attack: string;
  rule: MarketSettings["rule"];
  rationing: string;
  seed: number;
  attackRounds: number;
  harmRounds: number;
  /** "Infinity" when the others lost welfare and the attacker nothing. */
  griefingFactor: number | string;
  inflationGain: number;
}

export type RobustnessRow = ScenarioSeedRow | AttackSeedRow;

/** A recovery entry of one scenario, as the benchmark keys it (`rule` "constant-best" included). */
export type RecoveryRow = ShockEntry & {
  scenario: string;
  rule: string;
  rationing: string;
  /** The step as a multiple of 1/L (constant-best: the one it chose). */
  etaTimesL: number;
};
export interface DriftRow {
  rule: string;
  rationing: string;
  etaTimesL: number;
  regretPerRound: number;
}
export interface AttackRow extends AttackEntry {
  attack: string;
  rule: string;
  rationing: string;
  harmPerAttackRound: number;
}

/** Which scenarios and attacks to run (all by default; a subset keeps tests small) and over how many seeds. */
export interface RobustnessChapterOptions {
  scenarios?: string[];
  attacks?: string[];
  /** Default MAX_SEEDS, the benchmark's count; fewer seeds take less time and no longer equal the benchmark. */
  maxSeeds?: number;
}

const attackScript = (name: string): AttackScript => {
  const s = ATTACKS.find((a) => a.name === name);
  if (!s) throw new Error(`robustness: unknown attack "${name}"`);
  return s;
};

/** A unit's parameter as a string or a number, or an error naming it. */
function param<T extends "string" | "number">(unit: UnitParams, name: string, type: T) {
  const v = unit[name];
  if (typeof v !== type) throw new Error(`robustness: unit parameter ${name} is not a ${type}`);
  return v as T extends "string" ? string : number;
}

function runScenarioUnit(unit: UnitParams): ScenarioSeedRow[] {
  const scenario = param(unit, "scenario", "string");
  const rule = param(unit, "rule", "string") as MarketSettings["rule"];
  const [k, seed] = [param(unit, "k", "number"), param(unit, "seed", "number")];
  const samples = measureScenarioSeed(scenario, { rule, k }, seed, RATIONINGS);
  const cold = (s: ScenarioSample) => ("cold" in s ? s.cold : undefined);
  return samples.map((s, j) => ({
    part: "scenario",
    scenario,
    rule,
    k,
    rationing: RATIONINGS[j],
    seed,
    roundsToReconverge: "rounds" in s ? s.rounds : null,
    deadRounds: "dead" in s ? s.dead : null,
    regretPerRound: "regretPerRound" in s ? s.regretPerRound : null,
    climbFloor: cold(s)?.climbFloor ?? null,
    roundsAfterFirstBracket: cold(s)?.afterBracket ?? null,
    withinBracketBound: cold(s)?.withinBracketBound ?? null,
  }));
}

function runAttackUnit(unit: UnitParams): AttackSeedRow[] {
  const rule = param(unit, "rule", "string") as MarketSettings["rule"];
  const seed = param(unit, "seed", "number");
  const scripts = param(unit, "attacks", "string").split(",").map(attackScript);
  const outcomes = measureAttackSeed(rule, seed, scripts, RATIONINGS);
  return scripts.flatMap((script, a) =>
    RATIONINGS.map((rationing, j) => ({
      part: "attack" as const,
      attack: script.name,
      rule,
      rationing,
      seed,
      attackRounds: script.rounds,
      harmRounds: outcomes[a][j].harmRounds,
      griefingFactor: jsonFactor(outcomes[a][j].griefing),
      inflationGain: outcomes[a][j].gain,
    })),
  );
}

const sampleOf = (r: ScenarioSeedRow): ScenarioSample =>
  r.regretPerRound !== null
    ? { regretPerRound: r.regretPerRound }
    : {
        rounds: r.roundsToReconverge,
        dead: r.deadRounds ?? NaN,
        ...(typeof r.climbFloor === "number" && {
          cold: {
            climbFloor: r.climbFloor,
            afterBracket: r.roundsAfterFirstBracket,
            withinBracketBound: r.withinBracketBound === true,
          },
        }),
      };

const outcomeOf = (r: AttackSeedRow): AttackOutcome => ({
  harmRounds: r.harmRounds,
  griefing: parseFactor(r.griefingFactor),
  gain: r.inflationGain,
});

/** The benchmark's entries of every scenario present in `rows`, as table rows (bench order). */
function scenarioTables(rows: ScenarioSeedRow[]): { recovery: RecoveryRow[]; drift: DriftRow[] } {
  const groups = groupBy(rows, (r) => `${r.scenario}|${r.rule}|${r.k}|${r.rationing}`);
  const recovery: RecoveryRow[] = [];
  const drift: DriftRow[] = [];
  for (const scenario of ROBUSTNESS_SCENARIOS.filter((s) => rows.some((r) => r.scenario === s))) {
    const { entries, bestStep } = scenarioEntries((v, rationing) => {
      const group = groups.get(`${scenario}|${v.rule}|${v.k}|${rationing}`);
      if (!group) throw new Error(`robustness: no rows for ${scenario} ${v.rule} k=${v.k} ${rationing}`);
      return group.map(sampleOf);
    });
    for (const [key, entry] of Object.entries(entries)) {
      const [rule, rationing] = key.split("/");
      const etaTimesL = rule === "constant-best" ? bestStep[rationing as keyof typeof bestStep]! : 1;
      if ("regretPerRound" in entry) drift.push({ rule, rationing, etaTimesL, ...entry });
      else recovery.push({ scenario, rule, rationing, etaTimesL, ...entry });
    }
  }
  return { recovery, drift };
}

function attackTable(rows: AttackSeedRow[]): AttackRow[] {
  const groups = groupBy(rows, (r) => `${r.attack}|${r.rule}/${r.rationing}`);
  return ATTACKS.filter((a) => rows.some((r) => r.attack === a.name)).flatMap((script) =>
    RULES.flatMap((rule) =>
      RATIONINGS.map((rationing) => {
        const group = groups.get(`${script.name}|${rule}/${rationing}`);
        if (!group) throw new Error(`robustness: no rows for ${script.name} ${rule}/${rationing}`);
        const entry = summarizeAttack(script, group.map(outcomeOf));
        return { attack: script.name, rule, rationing, ...entry, harmPerAttackRound: entry.harmRounds / script.rounds };
      }),
    ),
  );
}

/** The chapter's plan over `opts`' scenarios and attacks (all by default: `robustnessPlan`). */
export function robustnessPlanFor(opts: RobustnessChapterOptions = {}): ExperimentPlan<RobustnessRow> {
  const scenarios = opts.scenarios ?? ROBUSTNESS_SCENARIOS;
  const unknown = scenarios.find((s) => !ROBUSTNESS_SCENARIOS.includes(s));
  if (unknown) throw new Error(`robustness: unknown scenario "${unknown}"`);
  const attacks = (opts.attacks ?? ATTACKS.map((a) => a.name)).map(attackScript).map((a) => a.name);
  return {
    key: "robustness",
    label: "robustness",
    units: (req) => {
      const seeds = chapterSeeds(req, opts.maxSeeds);
      const scenarioUnits = scenarios.flatMap((scenario) =>
        RULE_VARIANTS.flatMap(({ rule, k }) => seeds.map((seed) => ({ part: "scenario", scenario, rule, k, seed }))),
      );
      const attackUnits =
        attacks.length === 0
          ? []
          : RULES.flatMap((rule) => seeds.map((seed) => ({ part: "attack", rule, seed, attacks: attacks.join(",") })));
      return [...scenarioUnits, ...attackUnits];
    },
    run: (_req, unit) => {
      const part = param(unit, "part", "string");
      if (part === "scenario") return runScenarioUnit(unit);
      if (part === "attack") return runAttackUnit(unit);
      throw new Error(`robustness: unknown unit part "${part}"`);
    },
    report: (req, rows) => robustnessReport(req, rows),
  };
}

export const robustnessPlan = robustnessPlanFor();

function robustnessReport(req: StudyRequest, rows: RobustnessRow[]): ExperimentResult {
  const seeds = seedsOf(rows);
  const scenarioRows = rows.filter((r): r is ScenarioSeedRow => r.part === "scenario");
  const attackRows = rows.filter((r): r is AttackSeedRow => r.part === "attack");
  const { recovery, drift } = scenarioTables(scenarioRows);
  const attacks = attackTable(attackRows);
  const n = seeds.length;
  const maxDeadRounds = Math.max(0, ...scenarioRows.map((r) => r.deadRounds ?? 0));
  const summary = { recovery, drift, attacks, seeds: n, maxDeadRounds };
  return {
    key: "robustness",
    title: "Robustness: recovery after shocks and the harm of attacks (spec §5)",
    description:
      `The benchmark's robustness and attack measurements (npx hardhat bench --only robustness,attacks), run through ` +
      `the same functions (src/clearing/robustness/), on populations drawn with the benchmark's seeds ` +
      `${seedRange(seeds)} ` +
      `(min(replications, ${MAX_SEEDS}); the study's seed is not used), so that at ${MAX_SEEDS} seeds every figure ` +
      `here is bench/results.json's. Binding market: 20 agents of the paper's Table 3, m = 50, tau = 0.5, g = 1; ` +
      `adaptive, diminishing and constant rules with eta = 1/L; constant-best: the best eta = k/L for k in ` +
      `{${CONSTANT_GRID.join(", ")}} per scenario and rationing rule. Shocks hit a market that converged from ` +
      `mu = 0 (warm-up at most ${WARM_CAP} ` +
      `rounds), except jump and heavy-tail, which start cold. Re-converged: the contract's convergence flag for ` +
      `${STAY} rounds in a row; rounds to re-converge count from the shock round (1 = at once), median and p90 by ` +
      `nearest rank over the seeds; "never" (null): the median or p90 run had not re-converged ${POST_CAP} rounds ` +
      `after the shock. Dead round: demand at the clearing price but nothing allocated. noise-drift: 5 % demand ` +
      `noise and a random walk of ln alpha for ${NOISE_ROUNDS} rounds, regret sum (W* - W) / sum W*, median. ` +
      `Attacks: ` +
      `one attacker (member 0) among the 20; harm = the others' welfare lost against truthful play of the same seed ` +
      `until re-convergence, in rounds of their equilibrium welfare; griefing factor = that loss over the attacker's ` +
      `own; inflation gain = the attacker's relative gain over the attack rounds; each the median over the seeds. ` +
      `Definitions: src/clearing/robustness/.`,
    warnings:
      n < MAX_SEEDS
        ? [
            `${n} seed(s) (replications ${req.replications}), not the benchmark's ${MAX_SEEDS}: medians and p90s are ` +
              `over ${n} population(s) and differ from bench/results.json.`,
          ]
        : undefined,
    tables: [
      { name: "robustness-recovery", rows: recovery },
      { name: "robustness-noise-drift", rows: drift },
      { name: "robustness-attacks", rows: attacks },
      { name: "robustness-scenario-seeds", rows: scenarioRows },
      { name: "robustness-attack-seeds", rows: attackRows },
    ],
    charts: robustnessCharts(summary),
    comparisons: robustnessComparisons(summary),
  };
}
