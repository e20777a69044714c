/**
 * How each price rule recovers from a shock, on the exact engine (issue 13, point 5): the per-seed measurements and
 * their aggregation into entries keyed `"<rule>/<rationing>"`, shared by the benchmark's robustness part
 * (src/bench/robustness.ts) and the study's robustness chapter (../experiments/robustness.ts), so that both report
 * the same numbers for the same seeds.
 *
 * Choices the issue leaves open, fixed here:
 * - Markets: the binding scenario (20 agents of the paper's Table 3, m = 50, tau = 0.5, g = 1),
 *   population `drawAgents(20, seed)` for seed = 1..N; the heavy-tailed one is `drawHeavyTail(20, seed)`
 *   (ln alpha ~ N(ln 10, 1), beta ~ U(0.005, 0.015)) with the same m, tau and g. Rules: adaptive,
 *   constant and diminishing, each with eta (eta_0) = 1/L, L = sum alpha / (beta + tau)^2 at mu = 0
 *   over the agents present at the start (as `settingsFor` computes it); tolerances the convergence
 *   bench's: |S - m| <= 1e-6 m and |mu' - mu| <= 1e-6 (tau + mu*), mu* of the starting market.
 * - "After convergence": a noise-free warm-up from mu = 0 until the contract's first `Converged`
 *   round W (at most WARM_CAP rounds; W = WARM_CAP when it never converges); the shock takes effect
 *   in round W + 1 (an exit or entry at its start, a fee or capacity change through governance
 *   scheduled in round W). The run is replayed from round 1 with the shock (the engine is
 *   deterministic, so rounds 1..W are the warm-up's).
 * - Re-converged: the contract's convergence flag (both residuals within the tolerances in force, or
 *   a collapsed bracket) set in STAY = 20 consecutive rounds; `roundsToReconverge` counts the rounds
 *   from the shock round to the first of them (1: converged at once). A run stops there or after
 *   POST_CAP rounds from the shock; a run that never re-converges counts as +infinity, and a median
 *   or p90 that falls on such runs is reported as null.
 * - Dead rounds are counted from the shock round up to re-convergence (the whole capped window when
 *   there is none); `S(mu*)` is that of the round's present agents and parameters.
 * - Governance after a shock: `capacity-half` also halves the primal tolerance (kept relative to m);
 *   every other parameter (eta, the dual tolerance) stays as set at the start.
 * - `jump` and `heavy-tail` start cold (mu = 0, counted from round 1). `jump`: g = 1 and m placed in
 *   the middle of the jump of S where the agent with the median drop-out price leaves (so S jumps
 *   over m and the clearing price is that drop-out price).
 * - `noise-drift`: the warm-up above, then NOISE_ROUNDS rounds with 5 % demand noise and a random walk
 *   of ln alpha (sd 0.01 a round); W is welfare as spec §3 (Eff, fees a loss, mu q a transfer) and W*
 *   Eff at the exact clearing of that round's true types.
 * - `constant-best`: eta = k/L for k in CONSTANT_GRID, the k with the lowest median roundsToReconverge
 *   (then p90, then median dead rounds) per scenario, the lowest regretPerRound for `noise-drift`.
 */
import { Phased } from "../agents/attackers";
import { type Participants, Population } from "../agents/population";
import type { AgentType } from "../agents/reference";
import type { MarketSettings } from "../model/settings";
import { runEngine } from "../sim/engine";
import { solveClearing } from "../sim/equilibrium";
import { type Rationing, RATIONINGS, allocations } from "../sim/rationing";
import type { ParamShock, PlayedRound } from "../sim/rounds";
import { efficiency } from "../sim/welfare";
import { fromFixed } from "../../common/fixed";
import { median } from "../../common/metrics";
import { BINDING_MARKET, benchSettings } from "./market";
import { type ColdStartEntry, type ColdStartOutcome, coldStartOutcome, summarizeColdStarts } from "./coldStart";
import { isDead, rankQuantile, regretPerRound, roundsToReconverge, stayedConverged } from "./metrics";
import { SHOCK_SCENARIOS, type Setup, paper } from "./scenarios";

export const WARM_CAP = 1000;
export const POST_CAP = 1000;
export const NOISE_ROUNDS = 200;
export const CONSTANT_GRID = [0.5, 1, 1.5, 1.9];
export const RULES = ["adaptive", "constant", "diminishing"] as const;

/** The first converged round of a noise-free run from mu = 0 (WARM_CAP when none). */
export function warmUp(agents: AgentType[], seed: number, settings: MarketSettings, reserve = 0): number {
  const pop = new Population(agents, seed, { reserve });
  return runEngine(pop, settings, { rounds: WARM_CAP, untilConverged: true }).length;
}

/** Plays until STAY converged rounds from index `from` on, or `cap` rounds from there. */
export function playUntilReconverged(
  who: Participants,
  settings: MarketSettings,
  from: number,
  cap: number,
  shocks: ParamShock[] = [],
): PlayedRound[] {
  const flags: boolean[] = [];
  return runEngine(who, settings, {
    rounds: from + cap,
    shocks,
    onRound: (r) => flags.push(r.converged),
    until: () => stayedConverged(flags, from),
  });
}

/** A shock's outcome on one seed under one rationing rule (JSON values: `rounds` null = never re-converged). */
export interface ShockOutcome {
  rounds: number | null;
  dead: number;
  /** Cold starts only: how the rounds compare with what the move bound and bisection allow. */
  cold?: ColdStartOutcome;
}

/**
 * One shock on one seed, played once: the rationing rule only splits what a round allocates and never feeds
 * back into demands or the price, so one run serves every rule of `rationings` (one outcome each, in order).
 */
export function measureShock(setup: Setup, seed: number, settings: MarketSettings, rationings: readonly Rationing[]) {
  const from = setup.cold ? 0 : warmUp(setup.agents, seed, settings, setup.reserve);
  const at = from + 1;
  const participation = setup.leave || setup.join ? [{ round: at, leave: setup.leave, join: setup.join }] : [];
  const pop = new Population(setup.agents, seed, { reserve: setup.reserve, participation });
  const shocks = setup.params ? [{ round: at, set: setup.params }] : [];
  const run = playUntilReconverged(pop, settings, from, POST_CAP, shocks);
  const rounds = roundsToReconverge(
    run.map((r) => r.converged),
    from,
  );
  const starCache = new Map<string, number>();
  const dead = rationings.map(() => 0);
  for (const r of run.slice(from, rounds === undefined ? undefined : from + rounds - 1)) {
    const members = r.demands.flatMap((d, i) => (d === null ? [] : [i]));
    const key = `${r.version}|${members.join(",")}`;
    if (!starCache.has(key)) {
      const star = solveClearing(
        members.map((i) => setup.agents[i]),
        fromFixed(r.capacity),
        fromFixed(r.tau),
        fromFixed(r.fixedFee),
      );
      starCache.set(key, star.demand);
    }
    rationings.forEach((rationing, j) => {
      if (isDead(allocations(rationing, r), starCache.get(key)!)) dead[j]++;
    });
  }
  const cold = setup.cold ? coldStartOutcome(run, rounds ?? null, setup, settings) : undefined;
  return dead.map((d): ShockOutcome => ({ rounds: rounds ?? null, dead: d, ...(cold && { cold }) }));
}

/**
 * `sum_t (W*_t - W_t) / sum_t W*_t` over NOISE_ROUNDS noisy, drifting rounds after the warm-up, one per rule
 * of `rationings` (one run, as in `measureShock`).
 */
export function measureNoiseDrift(
  agents: AgentType[],
  seed: number,
  settings: MarketSettings,
  rationings: readonly Rationing[],
): number[] {
  const from = warmUp(agents, seed, settings);
  const noisy = new Population(agents, seed, { noise: 0.05, drift: 0.01 });
  const who = new Phased(new Population(agents, seed), noisy, from + 1);
  const types: AgentType[][] = [];
  const run = runEngine(who, settings, {
    rounds: from + NOISE_ROUNDS,
    onRound: () => types.push(agents.map((_, i) => who.typeOf(i))),
  });
  const optimum: number[] = [];
  const achieved: number[][] = rationings.map(() => []);
  run.slice(from).forEach((r, k) => {
    const t = types[from + k];
    const [tau, g] = [fromFixed(r.tau), fromFixed(r.fixedFee)];
    rationings.forEach((rationing, j) =>
      achieved[j].push(efficiency(t, allocations(rationing, r).map(fromFixed), tau, g)),
    );
    optimum.push(efficiency(t, solveClearing(t, fromFixed(r.capacity), tau, g).x, tau, g));
  });
  return achieved.map((a) => regretPerRound(optimum, a));
}

export type ReconvergeEntry = {
  roundsToReconverge: number | null;
  roundsToReconvergeP90: number | null;
  deadRounds: number | null;
  deadRoundsP90: number | null;
};
/** A shock's entry; a cold start's also compares its rounds with their floors. */
export type ShockEntry = ReconvergeEntry & Partial<ColdStartEntry>;
export type RobustnessEntry = ShockEntry | { regretPerRound: number };
export type RobustnessResults = Record<string, Record<string, RobustnessEntry>>;

/** One seed's measurement of a scenario under one rationing: a shock's outcome, or noise-drift's regret. */
export type ScenarioSample = ShockOutcome | { regretPerRound: number };

/** A price rule as the robustness part plays it: `rule` with eta (eta_0) = k/L. */
export interface RuleVariant {
  rule: MarketSettings["rule"];
  k: number;
}
/** Adaptive and diminishing at k = 1, constant over CONSTANT_GRID (for constant-best). */
export const RULE_VARIANTS: RuleVariant[] = [
  ...RULES.filter((r) => r !== "constant").map((rule) => ({ rule, k: 1 })),
  ...CONSTANT_GRID.map((k) => ({ rule: "constant" as const, k })),
];

export const ROBUSTNESS_SCENARIOS = [...Object.keys(SHOCK_SCENARIOS), "noise-drift"];

/** Scenario `name` on population `seed` under `variant`: one sample per rule of `rationings`, in order. */
export function measureScenarioSeed(
  name: string,
  variant: RuleVariant,
  seed: number,
  rationings: readonly Rationing[],
): ScenarioSample[] {
  const setup: Setup =
    name === "noise-drift" ? { agents: paper(seed), market: BINDING_MARKET } : SHOCK_SCENARIOS[name](seed);
  const present = setup.agents.slice(0, setup.agents.length - (setup.reserve ?? 0));
  const settings = benchSettings(present, setup.market, variant.rule, variant.k);
  return name === "noise-drift"
    ? measureNoiseDrift(setup.agents, seed, settings, rationings).map((regretPerRound) => ({ regretPerRound }))
    : measureShock(setup, seed, settings, rationings);
}

const isShock = (s: ScenarioSample): s is ShockOutcome => !("regretPerRound" in s);

/** One case's entry from its samples over the seeds: rank median and p90 of shocks, the median regret of drift. */
export function summarizeScenario(samples: ScenarioSample[]): RobustnessEntry {
  const shocks = samples.filter(isShock);
  if (shocks.length === 0) return { regretPerRound: median(samples.map((s) => (isShock(s) ? NaN : s.regretPerRound))) };
  if (shocks.length !== samples.length) throw new Error("robustness: shock and drift samples mixed in one case");
  const [rounds, dead] = [shocks.map((x) => x.rounds), shocks.map((x) => x.dead)];
  const entry: ShockEntry = {
    roundsToReconverge: rankQuantile(rounds, 0.5),
    roundsToReconvergeP90: rankQuantile(rounds, 0.9),
    deadRounds: rankQuantile(dead, 0.5),
    deadRoundsP90: rankQuantile(dead, 0.9),
  };
  const cold = shocks.flatMap((x) => (x.cold ? [{ ...x.cold, rounds: x.rounds }] : []));
  return cold.length === shocks.length ? { ...entry, ...summarizeColdStarts(cold) } : entry;
}

/** Lower is better: regret; or rounds median, then p90, then dead rounds (null = never, last). */
function better(a: RobustnessEntry, b: RobustnessEntry): boolean {
  const rank = (e: RobustnessEntry) =>
    "regretPerRound" in e
      ? [e.regretPerRound]
      : [e.roundsToReconverge, e.roundsToReconvergeP90, e.deadRounds].map((v) => v ?? Infinity);
  const [x, y] = [rank(a), rank(b)];
  const i = x.findIndex((v, k) => v !== y[k]);
  return i >= 0 && x[i] < y[i];
}

/** constant-best: the constant step k/L whose entry ranks best (the first of the grid on a tie). */
export const constantBest = (byStep: { k: number; entry: RobustnessEntry }[]): { k: number; entry: RobustnessEntry } =>
  byStep.reduce((best, c) => (better(c.entry, best.entry) ? c : best));

/**
 * One scenario's entries keyed `"<rule>/<rationing>"` (rationing-major: adaptive, diminishing, constant at
 * k = 1, constant-best), from `samples(variant, rationing)`, the samples over the seeds of each case; and
 * the step constant-best chose per rationing.
 */
export function scenarioEntries(
  samples: (variant: RuleVariant, rationing: Rationing) => ScenarioSample[],
  rationings: readonly Rationing[] = RATIONINGS,
): { entries: Record<string, RobustnessEntry>; bestStep: Partial<Record<Rationing, number>> } {
  const entries: Record<string, RobustnessEntry> = {};
  const bestStep: Partial<Record<Rationing, number>> = {};
  for (const rationing of rationings) {
    const byStep: { k: number; entry: RobustnessEntry }[] = [];
    for (const v of RULE_VARIANTS) {
      const entry = summarizeScenario(samples(v, rationing));
      if (v.rule !== "constant" || v.k === 1) entries[`${v.rule}/${rationing}`] = entry;
      if (v.rule === "constant") byStep.push({ k: v.k, entry });
    }
    const best = constantBest(byStep);
    entries[`constant-best/${rationing}`] = best.entry;
    bestStep[rationing] = best.k;
  }
  return { entries, bestStep };
}
