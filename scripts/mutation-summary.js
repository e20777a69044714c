#!/usr/bin/env node
// Summarizes a SuMo results.csv: `node scripts/mutation-summary.js <results.csv> [<recheck.json>]`.
// Prints JSON: counts by status, the score SuMo reports (killed / (killed + live)), per-file
// counts, and every live mutant with its location and change (paths made repository-relative).
// With a recheck file (scripts/mutation-recheck.js), the counts are those after the recheck:
// a live mutant the current tests kill counts as killed, and mutants no run tested join in.
"use strict";
const fs = require("fs");

const [csvPath, recheckPath] = process.argv.slice(2);
if (!csvPath || !fs.existsSync(csvPath) || (recheckPath && !fs.existsSync(recheckPath))) {
  console.error("usage: mutation-summary.js <results.csv> [<recheck.json>]");
  process.exit(2);
}
const lines = fs
  .readFileSync(csvPath, "utf8")
  .split("\n")
  .slice(1)
  .filter((l) => l.trim() !== "");
const mutants = lines.map((line) => {
  const [hash, file, operator, , , startLine, , original, replacement, status, ms] = line.split("$");
  const rel = file.replace(/^.*?\/contracts\//, "contracts/");
  return {
    hash,
    file: rel,
    operator,
    line: Number(startLine),
    original: original.trim(),
    replacement: replacement.trim(),
    status,
    seconds: Number(ms) / 1000,
  };
});
const secondsPerMutant =
  mutants.length === 0 ? null : Number((mutants.reduce((s, m) => s + m.seconds, 0) / mutants.length).toFixed(1));
if (recheckPath) {
  const byHash = new Map(mutants.map((m) => [m.hash, m]));
  for (const r of JSON.parse(fs.readFileSync(recheckPath, "utf8"))) {
    if (r.status === "stale") continue;
    const m = byHash.get(r.hash);
    if (m) m.status = r.status;
    else
      mutants.push({
        hash: r.hash,
        file: r.file,
        operator: r.operator,
        line: r.line,
        original: r.original,
        replacement: r.replacement,
        status: r.status,
      });
  }
}
const count = (status) => mutants.filter((m) => m.status === status).length;
const killed = count("killed");
const live = mutants.filter((m) => m.status === "live");
const valid = killed + live.length;
const files = {};
for (const m of mutants) {
  files[m.file] ??= { killed: 0, live: 0, timedout: 0, stillborn: 0, untested: 0 };
  if (m.status in files[m.file]) files[m.file][m.status] += 1;
}
const summary = {
  total: mutants.length,
  valid,
  killed,
  timedout: count("timedout"),
  stillborn: count("stillborn"),
  untested: count("untested"),
  score: valid === 0 ? null : Number(((100 * killed) / valid).toFixed(2)),
  secondsPerMutant,
  rechecked: Boolean(recheckPath),
  files,
  live: live.map(({ hash, file, operator, line, original, replacement }) => ({
    hash,
    file,
    line,
    operator,
    original,
    replacement,
  })),
};
process.stdout.write(JSON.stringify(summary, null, 2) + "\n");
