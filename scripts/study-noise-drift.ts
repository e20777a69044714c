/**
 * `noise-drift` over more seeds than the benchmark's 20 (issue 13's target: the adaptive rule's regret per round no
 * worse than the best constant step's). The measure is the benchmark's (src/clearing/robustness/shocks.ts: 20 agents
 * of the paper's Table 3, m = 50, 200 rounds of 5 % demand noise and a random walk of ln alpha after a noise-free
 * warm-up); the seeds are 1..N. Per rationing rule: the median and mean regret of the adaptive rule and of each
 * constant step eta = k/L of the benchmark's grid, and on how many seeds the adaptive rule did better (paired: the
 * same population, noise and drift). Prints the table and writes out/noise-drift/noise-drift.{csv,json}.
 *   npm run study:noise-drift [-- seeds]   (default 100; about 40 seconds on one core)
 */
import path from "node:path";
import { CONSTANT_GRID, type RuleVariant, measureScenarioSeed } from "../src/clearing/robustness/shocks";
import { RATIONINGS, type Rationing } from "../src/clearing/sim/rationing";
import { meanStd, median } from "../src/common/metrics";
import { markdownTable, writeCsv, writeJson } from "../src/common/output";
import { progress } from "../src/common/progress";

const OUT = path.join(__dirname, "..", "out", "noise-drift");
const count = Number(process.argv[2] ?? 100);
if (!Number.isInteger(count) || count < 1) {
  console.error(`study-noise-drift: seeds must be a positive integer, got ${process.argv[2]}`);
  process.exit(1);
}
const seeds = Array.from({ length: count }, (_, i) => i + 1);
const variants: RuleVariant[] = [
  { rule: "adaptive", k: 1 },
  ...CONSTANT_GRID.map((k) => ({ rule: "constant" as const, k })),
];

const report = progress("noise-drift");
const regrets: Record<Rationing, number[]>[] = variants.map((v, i) => {
  const out = Object.fromEntries(RATIONINGS.map((r) => [r, [] as number[]])) as Record<Rationing, number[]>;
  for (const seed of seeds) {
    const samples = measureScenarioSeed("noise-drift", v, seed, RATIONINGS);
    RATIONINGS.forEach((r, j) => out[r].push((samples[j] as { regretPerRound: number }).regretPerRound));
    report(i * count + seed, variants.length * count);
  }
  return out;
});

const rows = RATIONINGS.flatMap((rationing) =>
  variants.map((v, i) => {
    const own = regrets[i][rationing];
    const adaptive = regrets[0][rationing];
    return {
      rationing,
      rule: v.rule === "adaptive" ? "adaptive eta=1/L" : `constant eta=${v.k}/L`,
      medianRegret: median(own),
      meanRegret: meanStd(own).mean,
      adaptiveBetterOn: v.rule === "adaptive" ? null : adaptive.filter((a, s) => a < own[s]).length,
    };
  }),
);
writeCsv(path.join(OUT, "noise-drift.csv"), rows);
writeJson(path.join(OUT, "noise-drift.json"), { seeds: count, rows });
console.log(
  `\nnoise-drift regret per round over seeds 1..${count}; the last column: on how many seeds the adaptive rule's ` +
    "regret was lower than that step's\n\n" +
    markdownTable(
      ["rationing", "rule", "median", "mean", "adaptive lower on"],
      rows.map((r) => [
        r.rationing,
        r.rule,
        r.medianRegret.toFixed(6),
        r.meanRegret.toFixed(6),
        r.adaptiveBetterOn === null ? "" : `${r.adaptiveBetterOn} of ${count}`,
      ]),
    ),
);
