#!/usr/bin/env node
// Fails on any solc warning located in contracts/ (test mocks included):
// `node scripts/check-compiler-warnings.js` after a full compile (`npm run lint` runs
// `hardhat compile --force --quiet` first). Warnings from dependencies (node_modules) are not ours
// and are ignored.
//
// It reads the build-infos (artifacts/build-info/*.json: solc's standard-JSON input and
// output) and prints each warning as `file:line: message`. Hardhat recompiles only what changed
// and prints nothing on a cached compile, so the build-infos cover every contract as it is now
// only after a full compile. The script therefore checks that they do: every contracts/ source in
// them must be on disk with the same content, and every contracts/ source on disk must be in them.
// Otherwise (an incremental or stale build) it asks for a forced compile and exits 2 rather than
// report warnings that are out of date or miss some.
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const buildInfoDir = path.join(root, "artifacts", "build-info");
const CONTRACTS = "contracts/";

const fail = (message) => {
  console.error(`check-compiler-warnings: ${message}`);
  process.exit(2);
};

const buildInfos = fs.existsSync(buildInfoDir)
  ? fs
      .readdirSync(buildInfoDir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => path.join(buildInfoDir, f))
      .map((file) => ({ file, mtime: fs.statSync(file).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime)
  : [];
if (buildInfos.length === 0) fail("no build-info in artifacts/build-info: run `npx hardhat compile --force` first");
// One build-info per compilation job: the escrow has its own settings (hardhat.config.ts overrides),
// so a full compile writes two. Hardhat removes build-infos no artifact refers to, so the ones left
// are the current compile's; a source is taken from the newest that holds it.
const builds = buildInfos.map(({ file }) => ({ file, ...JSON.parse(fs.readFileSync(file, "utf8")) }));
const sourceOf = {};
for (const b of builds) {
  for (const [name, source] of Object.entries(b.input.sources)) sourceOf[name] ??= source.content;
}

/** Every .sol file under contracts/, as a source unit name (`contracts/...`, forward slashes). */
const onDisk = (dir) =>
  fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const name = `${dir}/${e.name}`;
    if (e.isDirectory()) return onDisk(name);
    return e.isFile() && e.name.endsWith(".sol") ? [name] : [];
  });
const diskSources = onDisk(CONTRACTS.slice(0, -1));
const builtSources = Object.keys(sourceOf).filter((f) => f.startsWith(CONTRACTS));
const stale = [
  ...diskSources.filter((f) => !(f in sourceOf)).map((f) => `${f} not compiled`),
  ...builtSources
    .filter((f) => !fs.existsSync(path.join(root, f)) || fs.readFileSync(path.join(root, f), "utf8") !== sourceOf[f])
    .map((f) => `${f} changed since`),
];
if (stale.length > 0) {
  fail(
    `artifacts/build-info is not a full compile of the current contracts (${stale.join(", ")}): ` +
      "run `npx hardhat compile --force` first",
  );
}

/** 1-based line of a byte offset (solc's source locations count UTF-8 bytes, not characters). */
const lineOf = (file, offset) => {
  const bytes = Buffer.from(sourceOf[file], "utf8").subarray(0, Math.max(0, offset));
  let line = 1;
  for (const b of bytes) if (b === 0x0a) ++line;
  return line;
};

// A source compiled in two jobs reports its warnings twice: once each.
const seen = new Set();
const warnings = builds
  .flatMap((b) => b.output.errors ?? [])
  .filter((e) => e.severity === "warning" && e.sourceLocation && e.sourceLocation.file.startsWith(CONTRACTS))
  .filter((e) => {
    const key = `${e.sourceLocation.file}:${e.sourceLocation.start}:${e.message}`;
    return !seen.has(key) && seen.add(key);
  });
for (const w of warnings) {
  console.log(`${w.sourceLocation.file}:${lineOf(w.sourceLocation.file, w.sourceLocation.start)}: ${w.message}`);
}
if (warnings.length > 0) {
  console.error(`check-compiler-warnings: ${warnings.length} compiler warning(s) in ${CONTRACTS}`);
  process.exit(1);
}
console.log(
  `check-compiler-warnings: OK, no compiler warning in ${CONTRACTS} ` +
    `(${builtSources.length} sources, ${builds.length} build-info file(s))`,
);
