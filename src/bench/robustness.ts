/**
 * The robustness part of the benchmark (issue 13, point 5): how each price rule recovers from a
 * shock, on the exact engine, keyed `"<rule>/<rationing>"`.
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
import { drawAgents, drawHeavyTail } from "../clearing/agents/draw";
import { Phased } from "../clearing/agents/attackers";
import { type Participants, Population } from "../clearing/agents/population";
import { type AgentType, aggregateDemand, bestResponse } from "../clearing/agents/reference";
import type { MarketSettings } from "../clearing/model/settings";
import { runEngine } from "../clearing/sim/engine";
import { solveClearing } from "../clearing/sim/equilibrium";
import { type Rationing, RATIONINGS, allocations } from "../clearing/sim/rationing";
import type { ParamShock, PlayedRound } from "../clearing/sim/rounds";
import { efficiency } from "../clearing/sim/welfare";
import { fromFixed } from "../common/fixed";
import { median } from "../common/metrics";
import { benchSettings } from "./clearingConvergence";
import { isDead, rankQuantile, regretPerRound, roundsToReconverge, stayedConverged } from "./robustnessMetrics";

export const WARM_CAP = 1000;
export const POST_CAP = 1000;
export const NOISE_ROUNDS = 200;
export const CONSTANT_GRID = [0.5, 1, 1.5, 1.9];
export const RULES = ["adaptive", "constant", "diminishing"] as const;

export interface Market {
  capacity: number;
  tau: number;
  fixedFee: number;
}
export const BINDING_MARKET: Market = { capacity: 50, tau: 0.5, fixedFee: 1 };

interface Setup {
  /** Every member, the ones absent at the start (the last `reserve`) included. */
  agents: AgentType[];
  reserve?: number;
  market: Market;
  cold?: boolean;
  leave?: number;
  join?: number;
  params?: Partial<MarketSettings>;
}

/** The heavy-tailed population with its highest-alpha member first (the first to leave). */
function heavyLargestFirst(seed: number): AgentType[] {
  const a = drawHeavyTail(20, seed);
  const top = a.reduce((best, x, i) => (x.alpha > a[best].alpha ? i : best), 0);
  [a[0], a[top]] = [a[top], a[0]];
  return a;
}

/** The highest `mu` at which `agent` still demands (bisection; 0 when it never does). */
function dropOutPrice(agent: AgentType, tau: number, fixedFee: number): number {
  if (bestResponse(agent, tau, fixedFee) <= 0) return 0;
  let [lo, hi] = [0, agent.alpha];
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (bestResponse(agent, tau + mid, fixedFee) > 0) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** A capacity in the middle of the jump of S where the member with the median drop-out price leaves. */
export function jumpCapacity(agents: AgentType[], tau: number, fixedFee: number): number {
  const drops = agents.map((a) => dropOutPrice(a, tau, fixedFee)).filter((p) => p > 0);
  const mu = drops.sort((a, b) => a - b)[Math.floor(drops.length / 2)];
  const below = aggregateDemand(agents, tau, mu, fixedFee);
  const above = aggregateDemand(agents, tau, mu * (1 + 1e-9), fixedFee);
  return (below + above) / 2;
}

const paper = (seed: number) => drawAgents(20, seed);
export const SHOCK_SCENARIOS: Record<string, (seed: number) => Setup> = {
  "exit-largest": (seed) => ({ agents: heavyLargestFirst(seed), market: BINDING_MARKET, leave: 1 }),
  "exit-quarter": (seed) => ({ agents: paper(seed), market: BINDING_MARKET, leave: 5 }),
  "entry-double": (seed) => ({ agents: drawAgents(40, seed), reserve: 20, market: BINDING_MARKET, join: 20 }),
  "tau-x3": (seed) => ({ agents: paper(seed), market: BINDING_MARKET, params: { tau: 1.5 } }),
  "capacity-half": (seed) => ({
    agents: paper(seed),
    market: BINDING_MARKET,
    params: { capacity: 25, tolPrimal: 1e-6 * 25 },
  }),
  jump: (seed) => {
    const agents = paper(seed);
    return { agents, market: { ...BINDING_MARKET, capacity: jumpCapacity(agents, 0.5, 1) }, cold: true };
  },
  "heavy-tail": (seed) => ({ agents: drawHeavyTail(20, seed), market: BINDING_MARKET, cold: true }),
};

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

export interface ShockOutcome {
  rounds: number | undefined;
  dead: number;
}

export function measureShock(setup: Setup, seed: number, settings: MarketSettings, rationing: Rationing) {
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
  let dead = 0;
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
    if (isDead(allocations(rationing, r), starCache.get(key)!)) dead++;
  }
  return { rounds, dead } satisfies ShockOutcome;
}

/** `sum_t (W*_t - W_t) / sum_t W*_t` over NOISE_ROUNDS noisy, drifting rounds after the warm-up. */
export function measureNoiseDrift(agents: AgentType[], seed: number, settings: MarketSettings, rationing: Rationing) {
  const from = warmUp(agents, seed, settings);
  const noisy = new Population(agents, seed, { noise: 0.05, drift: 0.01 });
  const who = new Phased(new Population(agents, seed), noisy, from + 1);
  const types: AgentType[][] = [];
  const run = runEngine(who, settings, {
    rounds: from + NOISE_ROUNDS,
    onRound: () => types.push(agents.map((_, i) => who.typeOf(i))),
  });
  const optimum: number[] = [];
  const achieved: number[] = [];
  run.slice(from).forEach((r, k) => {
    const t = types[from + k];
    const [tau, g] = [fromFixed(r.tau), fromFixed(r.fixedFee)];
    const q = allocations(rationing, r).map(fromFixed);
    achieved.push(efficiency(t, q, tau, g));
    optimum.push(efficiency(t, solveClearing(t, fromFixed(r.capacity), tau, g).x, tau, g));
  });
  return regretPerRound(optimum, achieved);
}

export interface ReconvergeEntry {
  roundsToReconverge: number | null;
  roundsToReconvergeP90: number | null;
  deadRounds: number | null;
  deadRoundsP90: number | null;
}
type Entry = ReconvergeEntry | { regretPerRound: number };
export type RobustnessResults = Record<string, Record<string, Entry>>;

export interface RobustnessOptions {
  seeds: number[];
  rationings?: readonly Rationing[];
  /** Scenarios to run (default: all, `noise-drift` last). */
  scenarios?: string[];
  onProgress?: (label: string) => (done: number, total: number) => void;
  log?: (line: string) => void;
}

export const ROBUSTNESS_SCENARIOS = [...Object.keys(SHOCK_SCENARIOS), "noise-drift"];

function summarize(o: ShockOutcome[]): ReconvergeEntry {
  const [rounds, dead] = [o.map((x) => x.rounds), o.map((x) => x.dead)];
  return {
    roundsToReconverge: rankQuantile(rounds, 0.5),
    roundsToReconvergeP90: rankQuantile(rounds, 0.9),
    deadRounds: rankQuantile(dead, 0.5),
    deadRoundsP90: rankQuantile(dead, 0.9),
  };
}

/** Lower is better: regret; or rounds median, then p90, then dead rounds (null = never, last). */
function better(a: Entry, b: Entry): boolean {
  const rank = (e: Entry) =>
    "regretPerRound" in e
      ? [e.regretPerRound]
      : [e.roundsToReconverge, e.roundsToReconvergeP90, e.deadRounds].map((v) => v ?? Infinity);
  const [x, y] = [rank(a), rank(b)];
  const i = x.findIndex((v, k) => v !== y[k]);
  return i >= 0 && x[i] < y[i];
}

/** One scenario under one rule, step k/L and rationing, over the seeds. */
function measureCase(
  name: string,
  rule: MarketSettings["rule"],
  k: number,
  rationing: Rationing,
  seeds: number[],
  tick: () => void,
): Entry {
  const per = seeds.map((seed) => {
    const setup: Setup =
      name === "noise-drift" ? { agents: paper(seed), market: BINDING_MARKET } : SHOCK_SCENARIOS[name](seed);
    const present = setup.agents.slice(0, setup.agents.length - (setup.reserve ?? 0));
    const settings = benchSettings(present, setup.market, rule, k);
    const r =
      name === "noise-drift"
        ? measureNoiseDrift(setup.agents, seed, settings, rationing)
        : measureShock(setup, seed, settings, rationing);
    tick();
    return r;
  });
  return name === "noise-drift" ? { regretPerRound: median(per as number[]) } : summarize(per as ShockOutcome[]);
}

export function measureRobustness(opts: RobustnessOptions): RobustnessResults {
  const out: RobustnessResults = {};
  const variants = [
    ...RULES.filter((r) => r !== "constant").map((rule) => ({ rule, k: 1 })),
    ...CONSTANT_GRID.map((k) => ({ rule: "constant" as const, k })),
  ];
  const rationings = opts.rationings ?? RATIONINGS;
  for (const name of opts.scenarios ?? ROBUSTNESS_SCENARIOS) {
    const report = opts.onProgress?.(`robustness ${name}`);
    const total = rationings.length * variants.length * opts.seeds.length;
    let done = 0;
    const cell: Record<string, Entry> = {};
    for (const rationing of rationings) {
      let best: { k: number; entry: Entry } | undefined;
      for (const { rule, k } of variants) {
        const entry = measureCase(name, rule, k, rationing, opts.seeds, () => report?.(++done, total));
        if (rule !== "constant" || k === 1) cell[`${rule}/${rationing}`] = entry;
        if (rule === "constant" && (!best || better(entry, best.entry))) best = { k, entry };
      }
      cell[`constant-best/${rationing}`] = best!.entry;
      opts.log?.(`robustness ${name}: constant-best/${rationing} is eta = ${best!.k}/L`);
    }
    out[name] = cell;
  }
  return out;
}
