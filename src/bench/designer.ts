/**
 * The payout designer at scale (not a test): time and peak memory of designing a chain of 100,000
 * moves and one node of 200,000 moves, and of explaining an infeasible program of about 5,000 rows.
 * Each case runs in a child process of its own, so its peak resident memory (maxRSS) is its own.
 *
 *   npx hardhat bench --only designer
 *
 * The result goes to bench/results.json under the key "designer" and to docs/benchmarks.md.
 * Goal (issue "The payout designer", part 3): under a minute and 2 GB per design, 10 s per explanation.
 */
import { spawnSync } from "node:child_process";
import { designTable } from "../exchange/design/designer";
import { chainGame, infeasibleChain, wideGame } from "./designerGames";

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

export interface DesignerMeasure {
  seconds: number;
  peakMB: number;
  detail: string;
}

export const DESIGNER_CASES = Object.keys(CASES);

/** Measures every case, each in a child process of its own; `log` receives one line per case. */
export function measureDesigner(log: (line: string) => void = () => {}): Record<string, DesignerMeasure> {
  const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
  const out: Record<string, DesignerMeasure> = {};
  for (const name of DESIGNER_CASES) {
    log(`designer: ${name}`);
    const r = measure(name);
    out[name] = { seconds: round(r.seconds, 2), peakMB: Math.round(r.peakMB), detail: r.detail };
  }
  return out;
}

// In the child process: run the one case named on the command line.
if (require.main === module && process.argv[2] === "--child") {
  child(process.argv[3]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
