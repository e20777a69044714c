/**
 * Settings shared by the property tests: FUZZ_RUNS runs (default per test), from the seed
 * FUZZ_SEED (default fixed, so CI is deterministic; `FUZZ_SEED=random` draws one and prints it).
 * A failure prints the seed and path; the same FUZZ_SEED and FUZZ_RUNS replay it exactly.
 */
export function fuzzSettings(defaultRuns: number): { numRuns: number; seed: number } {
  const numRuns = Number(process.env.FUZZ_RUNS ?? defaultRuns);
  const raw = process.env.FUZZ_SEED ?? "20261124";
  const seed = raw === "random" ? Math.floor(Math.random() * 2 ** 31) : Number(raw);
  if (!Number.isInteger(numRuns) || numRuns < 1)
    throw new Error(`FUZZ_RUNS must be a positive integer, got ${process.env.FUZZ_RUNS}`);
  if (!Number.isInteger(seed))
    throw new Error(`FUZZ_SEED must be an integer or "random", got ${process.env.FUZZ_SEED}`);
  if (raw === "random") console.log(`  fuzz seed ${seed} (replay: FUZZ_SEED=${seed} FUZZ_RUNS=${numRuns})`);
  return { numRuns, seed };
}

/** Below this many runs the property tests do not insist that every path was reached. */
export const REACH_MIN_RUNS = 100;
