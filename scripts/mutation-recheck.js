#!/usr/bin/env node
// Re-tests the mutants a SuMo run left alive against the current test suite:
// `node scripts/mutation-recheck.js <target> <sandbox>` (run by `npm run mutation -- --recheck <target>`,
// which prepares the sandbox from the working tree).
//
// SuMo's own single-mutant mode repeats its full pre-test for every mutant; this applies each
// live mutant from docs/mutation/<target>.csv exactly as SuMo does (the original text between
// its start and end offsets replaced), then runs the sandbox's compile and test scripts, and
// restores the file. It writes docs/mutation/<target>-recheck.json: for every rechecked mutant,
// killed or still live.
"use strict";
const fs = require("fs");
const path = require("path");
const { spawnSync } = require("child_process");

const target = process.argv[2];
const root = path.resolve(__dirname, "..");
const sandbox = path.resolve(process.argv[3] ?? path.join(root, ".mutation", `${target}-recheck`));
const csv = path.join(root, "docs", "mutation", `${target}.csv`);
if (!target || !fs.existsSync(csv) || !fs.existsSync(path.join(sandbox, "package.json"))) {
  console.error(`mutation-recheck: needs docs/mutation/${target}.csv and a prepared sandbox (npm run mutation -- --recheck ${target})`);
  process.exit(2);
}

const live = fs
  .readFileSync(csv, "utf8")
  .split("\n")
  .slice(1)
  .filter((l) => l.trim() !== "")
  .map((l) => l.split("$"))
  .filter((f) => f[9] === "live")
  .map(([hash, file, operator, start, end, startLine, , original, replacement]) => ({
    hash,
    file: path.join(sandbox, file.replace(/^.*?\/contracts\//, "contracts/")),
    operator,
    start: Number(start),
    end: Number(end),
    line: Number(startLine),
    original,
    replacement,
  }));

const run = (script) => spawnSync("npm", ["run-script", "--silent", script], { cwd: sandbox, stdio: "ignore", env: process.env }).status;
if (run("compile") !== 0 || run("test") !== 0) {
  console.error("mutation-recheck: the unmutated contracts fail the sandbox's tests");
  process.exit(1);
}

const results = [];
for (const [i, m] of live.entries()) {
  const source = fs.readFileSync(m.file, "utf8");
  // SuMo's offsets index the file's characters; its CSV drops the newlines of multi-line text.
  if (source.slice(m.start, m.end).replace(/[\n\r]/g, "") !== m.original) {
    console.error(`mutation-recheck: ${m.hash} no longer matches ${path.relative(sandbox, m.file)}:${m.line} (contract changed)`);
    results.push({ hash: m.hash, status: "stale" });
    continue;
  }
  fs.writeFileSync(m.file, source.slice(0, m.start) + m.replacement + source.slice(m.end));
  let status;
  try {
    status = run("compile") !== 0 ? "stillborn" : run("test") === 0 ? "live" : "killed";
  } finally {
    fs.writeFileSync(m.file, source);
  }
  results.push({ hash: m.hash, file: path.relative(sandbox, m.file), line: m.line, operator: m.operator, status });
  process.stderr.write(`[${i + 1}/${live.length}] ${m.hash} ${m.operator} line ${m.line}: ${status}\n`);
}
fs.writeFileSync(path.join(root, "docs", "mutation", `${target}-recheck.json`), JSON.stringify(results, null, 2) + "\n");
const killed = results.filter((r) => r.status === "killed").length;
console.log(`${target}: ${killed} of ${live.length} surviving mutants now killed`);
