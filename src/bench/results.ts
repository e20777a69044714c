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

export const RESULTS_PATH = path.join(__dirname, "..", "..", "bench", "results.json");

export function readResults(): BenchResults {
  if (!fs.existsSync(RESULTS_PATH)) return { gas: {}, convergence: {} };
  return JSON.parse(fs.readFileSync(RESULTS_PATH, "utf8")) as BenchResults;
}

export function writeResults(results: BenchResults): void {
  fs.mkdirSync(path.dirname(RESULTS_PATH), { recursive: true });
  fs.writeFileSync(RESULTS_PATH, JSON.stringify(results, null, 2) + "\n");
}

/** Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in a file. */
export function replaceMarked(file: string, name: string, body: string): void {
  const text = fs.readFileSync(file, "utf8");
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${file} has no ${start} ... ${end} block`);
  fs.writeFileSync(file, text.slice(0, i + start.length) + "\n" + body.trimEnd() + "\n" + text.slice(j));
}

/** A Markdown table. */
export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
