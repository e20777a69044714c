#!/usr/bin/env node
// Re-tests mutants against the current test suite: `node scripts/mutation-recheck.js <target> <sandbox>`
// (run by `npm run mutation -- --recheck <target>`, which prepares the sandbox from the working tree).
//
// It takes the mutants that docs/mutation/<target>.csv (SuMo's results, slices merged) left
// live and, with MUTATION_UNTESTED=1, every mutant SuMo generates for the target that no run
// tested (a run started from a hash skips the last mutant: SuMo slices its list with
// `length - 1`); without it they are listed with status "untested". SuMo's own
// single-mutant mode repeats its full pre-test for every mutant; this applies each mutant
// exactly as SuMo does (the original text between its start and end offsets replaced), runs
// the sandbox's compile and test scripts, and restores the file. It writes
// docs/mutation/<target>-recheck.json after every mutant: for every mutant tested, killed, live
// or stillborn. A recheck resumes from that file: a mutant it already records as killed or
// stillborn is not tested again (tests are only ever added; `--merge` and a new SuMo run delete
// the file), so a stopped recheck loses nothing and a later one re-tests only what lived.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const target = process.argv[2];
const root = path.resolve(__dirname, "..");
const sandbox = path.resolve(process.argv[3] ?? path.join(root, ".mutation", `${target}-recheck`));
const csv = path.join(root, "docs", "mutation", `${target}.csv`);
if (!target || !fs.existsSync(csv) || !fs.existsSync(path.join(sandbox, "package.json"))) {
  console.error(
    `mutation-recheck: needs docs/mutation/${target}.csv and a prepared sandbox ` +
      `(npm run mutation -- --recheck ${target})`,
  );
  process.exit(2);
}

/** Rows of a SuMo CSV (results or generated list) as mutants located in the sandbox. */
const readMutants = (file) =>
  fs
    .readFileSync(file, "utf8")
    .split("\n")
    .slice(1)
    .filter((l) => l.trim() !== "")
    .map((l) => l.replace(/;\s*$/, "").split("$"))
    .map(([hash, file, operator, start, end, startLine, , original, replacement, status]) => ({
      hash,
      file: path.join(sandbox, file.replace(/^.*?\/contracts\//, "contracts/")),
      operator,
      start: Number(start),
      end: Number(end),
      line: Number(startLine),
      original,
      replacement,
      status,
    }));

const tested = readMutants(csv);
const testedHashes = new Set(tested.map((m) => m.hash));
// SuMo's preflight writes the full list of the target's mutants (.sumo/results/generated.csv).
const preflight = spawnSync("npx", ["sumo", "preflight"], {
  cwd: sandbox,
  stdio: "ignore",
  env: { ...process.env, APP_ROOT_PATH: sandbox, MUTATION_TARGET: target },
});
const generatedCsv = path.join(sandbox, ".sumo", "results", "generated.csv");
if (preflight.status !== 0 || !fs.existsSync(generatedCsv)) {
  console.error("mutation-recheck: SuMo's preflight did not list the mutants");
  process.exit(1);
}
const untested = readMutants(generatedCsv).filter((m) => !testedHashes.has(m.hash));
// Untested mutants are tested only on request (MUTATION_UNTESTED=1): after a run cut short
// there are many, and a SuMo slice tests them faster. Otherwise they are listed as untested.
const testUntested = process.env.MUTATION_UNTESTED === "1";
const recheckFile = path.join(root, "docs", "mutation", `${target}-recheck.json`);
// What an earlier recheck found stands until this one tests the mutant again.
const earlier = (fs.existsSync(recheckFile) ? JSON.parse(fs.readFileSync(recheckFile, "utf8")) : []).filter(
  (r) => r.status !== "untested" && r.status !== "stale",
);
const settled = new Set(earlier.filter((r) => r.status === "killed" || r.status === "stillborn").map((r) => r.hash));
// MUTATION_ONLY=<hash>,<hash> re-tests just those, live or untested (say, the survivors a new
// test was written for).
const only = process.env.MUTATION_ONLY ? new Set(process.env.MUTATION_ONLY.split(",").map((h) => h.trim())) : null;
const candidates = [
  ...(testUntested || only ? untested.map((m) => ({ ...m, was: "untested" })) : []),
  ...tested.filter((m) => m.status === "live").map((m) => ({ ...m, was: "live" })),
];
const queue = candidates.filter((m) => !settled.has(m.hash) && (!only || only.has(m.hash)));
// MUTATION_SHUFFLE=<seed> tests the queue in a seeded random order, so that a run stopped early has
// tested a fair sample of the target (SuMo lists mutants file by file, operator by operator).
if (process.env.MUTATION_SHUFFLE) {
  let seed = Number(process.env.MUTATION_SHUFFLE) >>> 0;
  const random = () => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = queue.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [queue[i], queue[j]] = [queue[j], queue[i]];
  }
}

// MUTATION_SHARD=<i>/<n> tests every n-th mutant of that order from the i-th (each shard in its own
// sandbox, scripts/mutation.sh), so that n shards run side by side on n cores; each saves by merging
// its own results into the file as it is on disk, so the shards' records all stay.
const shard = process.env.MUTATION_SHARD?.match(/^(\d+)\/(\d+)$/);
if (process.env.MUTATION_SHARD && (!shard || Number(shard[1]) < 1 || Number(shard[1]) > Number(shard[2]))) {
  console.error(
    `mutation-recheck: MUTATION_SHARD must be <i>/<n> with 1 <= i <= n, not '${process.env.MUTATION_SHARD}'`,
  );
  process.exit(2);
}
if (shard) {
  const [i, n] = [Number(shard[1]), Number(shard[2])];
  const mine = queue.filter((_, k) => k % n === i - 1);
  queue.splice(0, queue.length, ...mine);
}

const run = (script) =>
  spawnSync("npm", ["run-script", "--silent", script], { cwd: sandbox, stdio: "ignore", env: process.env }).status;
if (run("compile") !== 0 || run("test") !== 0) {
  console.error("mutation-recheck: the unmutated contracts fail the sandbox's tests");
  process.exit(1);
}

/** One line of the recheck file: the mutant as the summary lists it, what it was, what it is now. */
const outcome = (m, was, status) => ({
  hash: m.hash,
  file: path.relative(sandbox, m.file),
  line: m.line,
  operator: m.operator,
  original: m.original.trim(),
  replacement: m.replacement.trim(),
  was,
  status,
});

/** This run's outcomes; the file keeps every other record (an earlier run's, another shard's). */
const fresh = [];
const recorded = () => {
  const onDisk = fs.existsSync(recheckFile) ? JSON.parse(fs.readFileSync(recheckFile, "utf8")) : [];
  const mine = new Set(fresh.map((r) => r.hash));
  const kept = onDisk.filter((r) => r.status !== "untested" && r.status !== "stale" && !mine.has(r.hash));
  return [...kept, ...fresh];
};
const save = () => {
  const results = recorded();
  const hashes = new Set(results.map((r) => r.hash));
  const untestedLeft = untested.filter((m) => !hashes.has(m.hash)).map((m) => outcome(m, "untested", "untested"));
  fs.writeFileSync(recheckFile, JSON.stringify([...results, ...untestedLeft], null, 2) + "\n");
  return { results, untestedLeft };
};
if (earlier.length > 0)
  console.error(
    `mutation-recheck: ${earlier.length} mutants recorded in ${path.relative(root, recheckFile)} ` +
      `(${settled.size} killed or stillborn); ${queue.length} to test`,
  );
for (const [i, m] of queue.entries()) {
  const source = fs.readFileSync(m.file, "utf8");
  // SuMo's offsets index the file's characters; its CSV drops the newlines of multi-line text, and a deleted
  // `break;` (BCRD) is listed as `break`.
  const text = source.slice(m.start, m.end).replace(/[\n\r]/g, "");
  if (text !== m.original && !(m.operator === "BCRD" && text === `${m.original};`)) {
    console.error(
      `mutation-recheck: ${m.hash} no longer matches ${path.relative(sandbox, m.file)}:${m.line} (contract changed)`,
    );
    fresh.push({ hash: m.hash, was: m.was, status: "stale" });
    continue;
  }
  fs.writeFileSync(m.file, source.slice(0, m.start) + m.replacement + source.slice(m.end));
  let status;
  try {
    status = run("compile") !== 0 ? "stillborn" : run("test") === 0 ? "live" : "killed";
  } finally {
    fs.writeFileSync(m.file, source);
  }
  fresh.push(outcome(m, m.was, status));
  save();
  process.stderr.write(`[${i + 1}/${queue.length}] ${m.hash} ${m.operator} line ${m.line} (${m.was}): ${status}\n`);
}
const { results, untestedLeft } = save();
const count = (was, status) => results.filter((r) => r.was === was && r.status === status).length;
const left = untestedLeft.length;
console.log(
  `${target}: ${count("live", "killed")} of ${tested.filter((m) => m.status === "live").length} ` +
    `live mutants now killed; ` +
    `of ${untested.length} mutants no run tested, ` +
    `${count("untested", "killed")} killed, ${count("untested", "live")} live, ` +
    `${count("untested", "stillborn")} stillborn` +
    (left > 0 ? `, ${left} still untested (MUTATION_UNTESTED=1 tests them)` : ""),
);
