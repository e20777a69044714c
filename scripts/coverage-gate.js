// Fails (exit 1) when solidity-coverage's results for contracts/ (test-only mocks excluded by
// .solcover.js) fall below 100 % of lines or 95 % of branches. Run after `hardhat coverage`.
const fs = require("node:fs");

const MIN_LINES = 100;
const MIN_BRANCHES = 95;
if (!fs.existsSync("coverage.json")) {
  console.error("coverage-gate: coverage.json not found; run `npx hardhat coverage` first");
  process.exit(1);
}
const coverage = JSON.parse(fs.readFileSync("coverage.json", "utf8"));
let lines = 0;
let linesHit = 0;
let branches = 0;
let branchesHit = 0;
for (const [file, data] of Object.entries(coverage)) {
  if (/[\\/]contracts[\\/]test[\\/]/.test(file)) continue;
  for (const hits of Object.values(data.l)) {
    lines += 1;
    if (hits > 0) linesHit += 1;
  }
  for (const arms of Object.values(data.b)) {
    for (const hits of arms) {
      branches += 1;
      if (hits > 0) branchesHit += 1;
    }
  }
}
const pct = (hit, all) => (all === 0 ? 100 : (100 * hit) / all);
const l = pct(linesHit, lines);
const b = pct(branchesHit, branches);
console.log(
  `coverage of contracts/: lines ${l.toFixed(2)}% (${linesHit}/${lines}), ` +
    `branches ${b.toFixed(2)}% (${branchesHit}/${branches})`,
);
if (l < MIN_LINES || b < MIN_BRANCHES) {
  console.error(`coverage-gate: below the gate (lines >= ${MIN_LINES}%, branches >= ${MIN_BRANCHES}%)`);
  process.exit(1);
}
