#!/usr/bin/env node
// Summarizes a SuMo results.csv: `node scripts/mutation-summary.js <results.csv> [contractsDir]`.
// Prints JSON: counts by status, the score SuMo reports (killed / (killed + live)), per-file
// counts, and every live mutant with its location and change (paths made repository-relative).
"use strict";
const fs = require("fs");

const [csvPath] = process.argv.slice(2);
if (!csvPath || !fs.existsSync(csvPath)) {
  console.error("usage: mutation-summary.js <results.csv>");
  process.exit(2);
}
const lines = fs.readFileSync(csvPath, "utf8").split("\n").slice(1).filter((l) => l.trim() !== "");
const mutants = lines.map((line) => {
  const [hash, file, operator, , , startLine, endLine, original, replacement, status, ms] = line.split("$");
  const rel = file.replace(/^.*?\/contracts\//, "contracts/");
  return { hash, file: rel, operator, startLine: Number(startLine), endLine: Number(endLine), original, replacement, status, seconds: Number(ms) / 1000 };
});
const count = (status) => mutants.filter((m) => m.status === status).length;
const killed = count("killed");
const live = mutants.filter((m) => m.status === "live");
const valid = killed + live.length;
const files = {};
for (const m of mutants) {
  files[m.file] ??= { killed: 0, live: 0, timedout: 0, stillborn: 0 };
  if (m.status in files[m.file]) files[m.file][m.status] += 1;
}
const summary = {
  total: mutants.length,
  valid,
  killed,
  timedout: count("timedout"),
  stillborn: count("stillborn"),
  score: valid === 0 ? null : Number(((100 * killed) / valid).toFixed(2)),
  secondsPerMutant: mutants.length === 0 ? null : Number((mutants.reduce((s, m) => s + m.seconds, 0) / mutants.length).toFixed(1)),
  files,
  live: live.map(({ hash, file, operator, startLine, original, replacement }) => ({ hash, file, line: startLine, operator, original: original.trim(), replacement: replacement.trim() })),
};
process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
