/**
 * Measures how the study scales out (issue 17, point 5) and writes the result into
 * docs/experiments.md between the `study-scaling` markers, so the figures there are generated:
 * the whole study on 1 worker thread, on `os.availableParallelism()` threads, and as 4 shards run
 * one after the other (as 4 machines would) and merged; then checks the three wrote the same
 * tables byte for byte.
 *   npm run study:scaling [-- replications]   (default 200; about 5 minutes on 2 cores)
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { markdownTable, replaceMarked } from "../src/common/output";

const ROOT = path.join(__dirname, "..");
const OUT = path.join(ROOT, "out", "scaling");
const replications = Number(process.argv[2] ?? 200);
if (!Number.isInteger(replications) || replications < 2) {
  console.error(`study-scaling: replications must be an integer >= 2, got ${process.argv[2]}`);
  process.exit(1);
}

/** Runs `npx hardhat experiments ...args` and returns its wall time in seconds. */
function experiments(label: string, args: string[]): number {
  const started = Date.now();
  process.stderr.write(`${label} ...\n`);
  execFileSync("npx", ["hardhat", "experiments", ...args], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(`${label}: ${seconds.toFixed(1)} s\n`);
  return seconds;
}

/** Every file under `dir`/tables, relative, with its bytes. */
const tablesOf = (dir: string) =>
  new Map(
    fs
      .readdirSync(path.join(dir, "tables"))
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, "tables", f))]),
  );

function sameTables(a: string, b: string): boolean {
  const [ta, tb] = [tablesOf(a), tablesOf(b)];
  return ta.size === tb.size && [...ta].every(([f, bytes]) => tb.get(f)?.equals(bytes) === true);
}

fs.rmSync(OUT, { recursive: true, force: true });
const cores = os.availableParallelism();
const common = ["--replications", String(replications)];
const one = experiments("1 worker", [...common, "--workers", "1", "--out", path.join(OUT, "w1")]);
const many = experiments(`${cores} workers`, [...common, "--workers", String(cores), "--out", path.join(OUT, "wN")]);
const shards = [1, 2, 3, 4].map((k) =>
  experiments(`shard ${k}/4`, [...common, "--workers", "1", "--shard", `${k}/4`, "--out", path.join(OUT, "shards")]),
);
const files = [1, 2, 3, 4].map((k) => path.join(OUT, "shards", `shard-${k}-of-4.json`));
const merge = experiments("merge", ["merge", ...files, "--out", path.join(OUT, "merged")]);
const identical = sameTables(path.join(OUT, "w1"), path.join(OUT, "wN"));
const merged = sameTables(path.join(OUT, "w1"), path.join(OUT, "merged"));
const tableFiles = tablesOf(path.join(OUT, "w1")).size;

const s = (x: number) => `${x.toFixed(0)} s`;
const body = [
  `Measured by \`npm run study:scaling\` on ${new Date().toISOString().slice(0, 10)}: ` +
    `the whole study at ${replications} replications on this machine (${cores} cores, ${os.cpus()[0]?.model ?? "?"}; ` +
    `load average ${os.loadavg()[0].toFixed(1)} at the end). Times are wall clock and include charts and writing.`,
  "",
  markdownTable(
    ["run", "wall time", "tables byte for byte equal to 1 worker"],
    [
      ["1 worker thread", s(one), "—"],
      [`${cores} worker threads`, s(many), identical ? `yes (${tableFiles} files)` : "NO"],
      [
        "4 shards, one after another, then merge",
        `${shards.map(s).join(" + ")} + merge ${s(merge)}`,
        merged ? `yes (${tableFiles} files)` : "NO",
      ],
    ],
  ),
].join("\n");
replaceMarked(path.join(ROOT, "docs", "experiments.md"), "study-scaling", body);
console.log(body);
if (!identical || !merged) process.exit(1);
