/**
 * The payout designer at scale (not a test): time and peak memory of designing a chain of 100,000
 * moves and one node of 200,000 moves, and of explaining an infeasible program of about 5,000 rows.
 * Each case runs in a child process of its own, so its peak resident memory (maxRSS) is its own.
 *
 *   npx ts-node --transpile-only src/bench/designer.ts [chain,wide,infeasible]
 *
 * Prints a table and writes it to bench/results.json under the key "designer" (other keys kept).
 * Goal (issue "The payout designer", part 3): under a minute and 2 GB per design, 10 s per explanation.
 */
import { spawnSync } from "node:child_process";
import { designTable } from "../exchange/design/designer";
import { chainGame, infeasibleChain, wideGame } from "./designerGames";
import { markdownTable, readResults, writeResults } from "./results";

interface CaseResult {
  case: string;
  detail: string;
  seconds: number;
  peakMB: number;
}

const CASES: Record<string, () => Promise<string>> = {
  async chain() {
    const r = await designTable(
      chainGame(100_000, (k) => (k % 7) / 10),
      { delta: 0.01, objective: "min-deposits" },
    );
    if (r.status !== "optimal") throw new Error(`chain: ${r.status}`);
    return `100,000 nodes, ${r.program.rows.length} rows, D_A = ${r.design.deposits.A}`;
  },
  async wide() {
    const r = await designTable(wideGame(200_000), { delta: 0.01, objective: "min-deposits" });
    if (r.status !== "optimal") throw new Error(`wide: ${r.status}`);
    return `200,000 moves, ${r.program.rows.length} rows, D_A = ${r.design.deposits.A}`;
  },
  async infeasible() {
    const game = infeasibleChain(2_500, 1_234);
    const r = await designTable(game, { delta: 0.01, objective: "min-deposits", trade: false });
    if (r.status !== "infeasible") throw new Error(`infeasible: ${r.status}`);
    return `${r.program.rows.length} rows, ${r.culprits.length} named: ${r.culprits.map((c) => c.name).join("; ")}`;
  },
};

/** Runs one case in this process and prints its measure as the last line of stdout. */
async function child(name: string): Promise<void> {
  const started = process.hrtime.bigint();
  const detail = await CASES[name]();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peakMB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ case: name, detail, seconds, peakMB }));
}

function measure(name: string): CaseResult {
  const run = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", __filename, "--child", name], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`case ${name} failed (${run.status ?? run.signal}): ${run.stderr}`);
  const lines = run.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as CaseResult;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") return child(args[1]);
  const names = args[0] ? args[0].split(",") : Object.keys(CASES);
  const unknown = names.find((n) => !(n in CASES));
  if (unknown) throw new Error(`unknown case "${unknown}" (expected ${Object.keys(CASES).join(", ")})`);
  const rows: CaseResult[] = [];
  for (const n of names) {
    process.stderr.write(`designer bench: ${n}...\n`);
    rows.push(measure(n));
  }
  const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
  console.log(
    markdownTable(
      ["case", "seconds", "peak MB", "detail"],
      rows.map((r) => [r.case, round(r.seconds, 2), Math.round(r.peakMB), r.detail]),
    ),
  );
  const results = readResults();
  const designer = { ...((results.designer as Record<string, unknown>) ?? {}) };
  for (const r of rows) {
    designer[r.case] = { seconds: round(r.seconds, 2), peakMB: Math.round(r.peakMB), detail: r.detail };
  }
  writeResults({ ...results, designer });
  process.stderr.write("wrote bench/results.json (key designer)\n");
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
