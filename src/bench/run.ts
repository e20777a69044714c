/**
 * The benchmark's parts, run in one Hardhat runtime (`npx hardhat bench`, tasks/bench.ts): gas per
 * call, on-chain throughput, rounds to converge, recovery from shocks and attacks. Each part updates its own keys of
 * bench/results.json; nothing here writes a file.
 */
import type { ChainEnv } from "../hardhat/adapter";
import { CONVERGENCE_SCENARIOS, measureConvergence } from "./clearingConvergence";
import { measureGas } from "./gas";
import { type BenchResults, GAS_CONTRACTS, sortedByKey } from "./results";
import { progress } from "../common/progress";

export const BENCH_PARTS = ["gas", "convergence", "throughput", "designer", "robustness", "attacks"] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

export interface BenchOptions {
  parts: readonly BenchPart[];
  /** Seeded populations per convergence, robustness and attack scenario. */
  seeds: number;
  /** Throughput runs (the median is reported). */
  runs: number;
  /** One line of progress (the convergence part also draws progress bars on stderr). */
  log?: (line: string) => void;
}

/**
 * Runs the selected parts and returns `previous` (bench/results.json as read) with their keys
 * replaced, and the gas table alone when gas was measured.
 */
export async function runBench(
  env: ChainEnv,
  previous: BenchResults,
  opts: BenchOptions,
): Promise<{ results: BenchResults; gas?: Record<string, number> }> {
  const results: BenchResults = structuredClone(previous);
  let gas: Record<string, number> | undefined;

  if (opts.parts.includes("gas")) {
    const measured = await measureGas(env, opts.log);
    gas = measured.gas;
    results.gasProfile = measured.profiles;
    const kept = Object.entries(results.gas).filter(([k]) => !GAS_CONTRACTS.some((c) => k.startsWith(`${c}.`)));
    results.gas = sortedByKey({ ...Object.fromEntries(kept), ...gas });
  }

  if (opts.parts.includes("throughput")) {
    // Loaded only when run: the chain driver it uses is not needed by the other parts.
    const { measureThroughput } = await import("./throughput");
    results.throughput = await measureThroughput(env, { agents: 100, rounds: 100, runs: opts.runs });
  }

  if (opts.parts.includes("convergence")) {
    const seeds = Array.from({ length: opts.seeds }, (_, i) => i + 1);
    const detail: Record<string, unknown> = {};
    for (const sc of CONVERGENCE_SCENARIOS) {
      const r = measureConvergence(sc, { seeds, maxRounds: 600, relTolerance: 1e-6, onProgress: progress(sc.name) });
      results.convergence[sc.name] = r.medians;
      detail[sc.name] = {
        bestStep: r.bestStep,
        bindingShare: r.bindingShare,
        gapShare: r.gapShare,
        seeds: seeds.length,
      };
    }
    results.convergenceDetail = detail;
  }

  if (opts.parts.includes("robustness")) {
    const { measureRobustness } = await import("./robustness");
    const seeds = Array.from({ length: opts.seeds }, (_, i) => i + 1);
    results.robustness = measureRobustness({ seeds, onProgress: progress, log: opts.log });
  }

  if (opts.parts.includes("attacks")) {
    const { measureAttacks } = await import("./attacks");
    const seeds = Array.from({ length: opts.seeds }, (_, i) => i + 1);
    results.attacks = measureAttacks({ seeds, onProgress: progress });
  }

  if (opts.parts.includes("designer")) {
    const { measureDesigner } = await import("./designer");
    results.designer = measureDesigner(opts.log);
  }
  return { results, gas };
}
