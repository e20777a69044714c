/**
 * Rounds to converge for each price rule, measured on the exact off-chain engine (proven equal
 * to the contract by test/clearing/convergence.test.ts) over seeded agent populations.
 */
import { type MarketSettings } from "../clearing/model/settings";
import { roundsToConverge, simulate } from "../clearing/sim/engine";
import { solveClearing } from "../clearing/sim/equilibrium";
import { benchSettings } from "../clearing/robustness/market";
import { drawAgents } from "../clearing/agents/draw";

export interface ConvergenceScenario {
  name: string;
  n: number;
  capacity: number;
  tau: number;
  fixedFee: number;
}

export const CONVERGENCE_SCENARIOS: ConvergenceScenario[] = [
  { name: "defaults n=20 m=100", n: 20, capacity: 100, tau: 0.5, fixedFee: 1 },
  { name: "binding n=20 m=50", n: 20, capacity: 50, tau: 0.5, fixedFee: 1 },
  { name: "binding n=50 m=100", n: 50, capacity: 100, tau: 0.5, fixedFee: 1 },
  { name: "binding n=100 m=100", n: 100, capacity: 100, tau: 0.5, fixedFee: 1 },
];

/** Stable constant steps (the paper's range eta < 2/L), as multiples of 1/L. */
export const STABLE_GRID = [0.25, 0.5, 1, 1.5, 1.75, 1.9, 1.99];
/** Steps beyond the theorem's bound, reported for honesty: some converge, none is guaranteed. */
export const BEYOND_GRID = [2.5, 3, 4, 5, 6, 8];

export interface ConvergenceOptions {
  seeds: number[];
  maxRounds: number;
  /** Relative tolerance: |S - m| <= rel * m and |mu' - mu| <= rel * (tau + mu*). */
  relTolerance: number;
  onProgress?: (done: number, total: number) => void;
}

/** Median of rounds (undefined = did not converge, counted as +infinity). */
export function medianRounds(values: (number | undefined)[]): number | null {
  const sorted = values.map((v) => v ?? Infinity).sort((a, b) => a - b);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)];
  return Number.isFinite(mid) ? mid : null;
}

function rounds(
  sc: ConvergenceScenario,
  seed: number,
  rule: MarketSettings["rule"],
  etaTimesL: number,
  opts: ConvergenceOptions,
): number | undefined {
  const agents = drawAgents(sc.n, seed);
  const settings = benchSettings(agents, sc, rule, etaTimesL, opts.relTolerance);
  return roundsToConverge(simulate(agents, settings, { maxRounds: opts.maxRounds, untilConverged: true }));
}

export interface ScenarioResult {
  /** Median rounds per rule label. */
  medians: Record<string, number | null>;
  /** The step (as a multiple of 1/L) that won each sweep. */
  bestStep: Record<string, number>;
  /** Share of seeds where capacity binds and where S jumps over m (fixed-fee drop-outs). */
  bindingShare: number;
  gapShare: number;
}

export function measureConvergence(sc: ConvergenceScenario, opts: ConvergenceOptions): ScenarioResult {
  const total = (STABLE_GRID.length * 2 + BEYOND_GRID.length + 1) * opts.seeds.length;
  let done = 0;
  const sweep = (rule: MarketSettings["rule"], grid: number[]) => {
    let best = { k: grid[0], median: null as number | null };
    const all = new Map<number, number | null>();
    for (const k of grid) {
      const med = medianRounds(
        opts.seeds.map((s) => {
          const r = rounds(sc, s, rule, k, opts);
          opts.onProgress?.(++done, total);
          return r;
        }),
      );
      all.set(k, med);
      if (med !== null && (best.median === null || med < best.median)) best = { k, median: med };
    }
    return { best, all };
  };
  const constant = sweep("constant", STABLE_GRID);
  const beyond = sweep("constant", BEYOND_GRID);
  const diminishing = sweep("diminishing", STABLE_GRID);
  const adaptive = medianRounds(
    opts.seeds.map((s) => {
      const r = rounds(sc, s, "adaptive", 1, opts);
      opts.onProgress?.(++done, total);
      return r;
    }),
  );
  const exacts = opts.seeds.map((s) => solveClearing(drawAgents(sc.n, s), sc.capacity, sc.tau, sc.fixedFee));
  return {
    medians: {
      "constant eta=1/L": constant.all.get(1) ?? null,
      "constant best stable": constant.best.median,
      "constant best beyond 2/L": beyond.best.median,
      "diminishing best": diminishing.best.median,
      "adaptive eta=1/L": adaptive,
    },
    bestStep: {
      "constant best stable": constant.best.k,
      "constant best beyond 2/L": beyond.best.k,
      "diminishing best": diminishing.best.k,
    },
    bindingShare: exacts.filter((e) => e.binding).length / exacts.length,
    gapShare: exacts.filter((e) => e.gap).length / exacts.length,
  };
}
