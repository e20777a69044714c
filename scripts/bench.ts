/**
 * npm run bench: gas per call and rounds to converge, written to bench/results.json and
 * printed as tables (also placed in the README between the bench markers).
 * and on-chain throughput of a 100-agent, 100-round market (batched driver, median of runs).
 * Options (environment): BENCH_SEEDS (default 20), BENCH_RUNS (throughput runs, default 3),
 * BENCH_ONLY=gas|convergence|throughput.
 */
import path from "node:path";
import hre from "hardhat";
import { z } from "zod";
import { measureClearingGas } from "../src/bench/clearingGas";
import { measureEscrowGas } from "../src/bench/escrowGas";
import { CONVERGENCE_SCENARIOS, measureConvergence } from "../src/bench/clearingConvergence";
import { measureThroughput, type Throughput } from "../src/bench/throughput";
import { markdownTable, readResults, replaceMarked, writeResults } from "../src/bench/results";
import { progress } from "../src/common/progress";

const env = z
  .object({
    BENCH_SEEDS: z.coerce.number().int().min(1).max(200).default(20),
    BENCH_RUNS: z.coerce.number().int().min(1).max(20).default(3),
    BENCH_ONLY: z.enum(["gas", "convergence", "throughput"]).optional(),
  })
  .safeParse(process.env);

async function main() {
  if (!env.success) throw new Error(`bench: ${env.error.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  const { BENCH_SEEDS, BENCH_RUNS, BENCH_ONLY } = env.data;
  const run = (part: "gas" | "convergence" | "throughput") => BENCH_ONLY === undefined || BENCH_ONLY === part;
  const results = readResults();
  const sections: string[] = [];

  if (run("gas")) {
    const gas: Record<string, number> = {};
    for (const rule of ["constant", "diminishing", "adaptive"] as const) {
      for (const n of [10, 200]) {
        process.stderr.write(`gas: ${rule} rule, n = ${n} agents\n`);
        const g = await measureClearingGas(hre, n, rule);
        gas[`ClearingMarket.closeRound.${rule}.n${n}`] = g.closeRound;
        if (rule === "adaptive" && n === 10) {
          for (const [call, used] of Object.entries(g)) {
            if (call !== "closeRound") gas[`ClearingMarket.${call}`] = used;
          }
        }
      }
    }
    process.stderr.write("gas: ExchangeEscrow\n");
    for (const [call, used] of Object.entries(await measureEscrowGas(hre))) gas[`ExchangeEscrow.${call}`] = used;
    for (const key of Object.keys(results.gas))
      if (key.startsWith("ClearingMarket.") || key.startsWith("ExchangeEscrow.")) delete results.gas[key];
    Object.assign(results.gas, gas);
    results.gas = Object.fromEntries(Object.entries(results.gas).sort(([a], [b]) => a.localeCompare(b)));
  }

  if (run("throughput"))
    results.throughput = await measureThroughput(hre, { agents: 100, rounds: 100, runs: BENCH_RUNS });

  if (run("convergence")) {
    const seeds = Array.from({ length: BENCH_SEEDS }, (_, i) => i + 1);
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
  writeResults(results);

  for (const contract of ["ClearingMarket", "ExchangeEscrow"]) {
    const rows = Object.entries(results.gas)
      .filter(([k]) => k.startsWith(`${contract}.`))
      .map(([k, v]) => [k.slice(contract.length + 1), v.toLocaleString("en-US")]);
    sections.push(`\nGas per ${contract} call (in-process Hardhat network, optimizer 10,000 runs):\n`);
    sections.push(markdownTable(["call", "gas"], rows));
  }
  const rules = Object.keys(Object.values(results.convergence)[0] ?? {});
  const detail = (results.convergenceDetail ?? {}) as Record<
    string,
    { bestStep: Record<string, number>; bindingShare: number; gapShare: number; seeds: number }
  >;
  const convRows = Object.entries(results.convergence).map(([sc, byRule]) => [
    sc,
    `${Math.round(100 * (detail[sc]?.bindingShare ?? 0))}% / ${Math.round(100 * (detail[sc]?.gapShare ?? 0))}%`,
    ...rules.map((r) => {
      const v = byRule[r];
      const step = detail[sc]?.bestStep?.[r];
      return v === null || v === undefined ? "no conv." : `${v}${step !== undefined ? ` (${step}/L)` : ""}`;
    }),
  ]);
  sections.push(
    `\nRounds to converge, median over ${Object.values(detail)[0]?.seeds ?? "?"} seeded populations ` +
      "(|S - m| <= 1e-6 m and |mu' - mu| <= 1e-6 (tau + mu*); at most 600 rounds):\n",
  );
  sections.push(markdownTable(["scenario", "binds / S jumps", ...rules], convRows));
  const tp = results.throughput as Throughput | undefined;
  if (tp) {
    sections.push(
      `\nOn-chain throughput (in-process Hardhat network, batched driver: one block per round's submissions; ${tp.agents} agents x ${tp.rounds} rounds, median of ${tp.runs.length} runs):\n`,
    );
    sections.push(
      markdownTable(
        ["transactions per run", "median tx/s", "median wall time", "runs (tx/s)"],
        [
          [
            tp.transactions,
            tp.medianTxPerSecond.toFixed(0),
            `${tp.medianSeconds.toFixed(1)} s`,
            tp.runs.map((r) => r.txPerSecond.toFixed(0)).join(", "),
          ],
        ],
      ),
    );
  }
  const text = sections.join("\n");
  console.log(text);
  replaceMarked(path.join(__dirname, "..", "README.md"), "bench", text);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
