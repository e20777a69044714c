/**
 * bench/results.json: one file shared by every benchmark. Each part updates its own keys.
 */
import fs from "node:fs";
import path from "node:path";

export interface BenchResults {
  gas: Record<string, number>;
  convergence: Record<string, Record<string, number | null>>;
  [extra: string]: unknown;
}

/** The contracts whose calls are measured; every gas key starts with one of them and a dot. */
export const GAS_CONTRACTS = ["ClearingMarket", "ExchangeEscrow"] as const;

/** `{ b: 1, a: 2 }` -> `{ a: 2, b: 1 }` (keys in code-point order, as results and snapshot are written). */
export const sortedByKey = <T>(o: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export const RESULTS_PATH = path.join(__dirname, "..", "..", "bench", "results.json");

export function readResults(): BenchResults {
  if (!fs.existsSync(RESULTS_PATH)) return { gas: {}, convergence: {} };
  return JSON.parse(fs.readFileSync(RESULTS_PATH, "utf8")) as BenchResults;
}

export function writeResults(results: BenchResults): void {
  fs.mkdirSync(path.dirname(RESULTS_PATH), { recursive: true });
  fs.writeFileSync(RESULTS_PATH, JSON.stringify(results, null, 2) + "\n");
}
