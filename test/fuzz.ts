/**
 * Settings shared by the property tests: FUZZ_RUNS runs (default per test), from the seed
 * FUZZ_SEED (default fixed, so CI is deterministic; a failure prints the seed and path that
 * replay it exactly).
 */
export function fuzzSettings(defaultRuns: number): { numRuns: number; seed: number } {
  const numRuns = Number(process.env.FUZZ_RUNS ?? defaultRuns);
  const seed = Number(process.env.FUZZ_SEED ?? 20261124);
  if (!Number.isInteger(numRuns) || numRuns < 1)
    throw new Error(`FUZZ_RUNS must be a positive integer, got ${process.env.FUZZ_RUNS}`);
  if (!Number.isInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got ${process.env.FUZZ_SEED}`);
  return { numRuns, seed };
}
