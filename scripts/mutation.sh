#!/usr/bin/env bash
# Mutation testing with SuMo: `npm run mutation [-- market|escrow ...]` (both by default).
#
# SuMo edits the contracts in place while it runs, so each target runs in a sandbox copy of the
# working tree's files (.mutation/<target>, git-ignored) that shares node_modules. The
# sandbox's own package.json scripts are what SuMo's "custom" mode calls: a fast compile
# (CLEARHOUSE_MUTATION=1, see hardhat.config.ts) and the target's tests with --bail.
# Results land in docs/mutation/<target>.csv and <target>.json; docs/mutation.md discusses the
# survivors. FUZZ_RUNS (default 30) sets the property tests' runs per mutant.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(market escrow)
for target in "${targets[@]}"; do
  case "$target" in
    market | escrow) ;;
    *) echo "mutation: unknown target '$target' (market or escrow)" >&2; exit 2 ;;
  esac
done

export CLEARHOUSE_MUTATION=1
export FUZZ_RUNS="${FUZZ_RUNS:-30}"
mkdir -p "$root/docs/mutation"

for target in "${targets[@]}"; do
  sandbox="$root/.mutation/$target"
  echo "== mutation testing: $target (sandbox $sandbox, FUZZ_RUNS=$FUZZ_RUNS)"
  rm -rf "$sandbox"
  mkdir -p "$sandbox"
  # The working tree's files as git sees them (tracked or new, not ignored; deleted ones skipped).
  (cd "$root" && git ls-files -z --cached --others --exclude-standard --deduplicate |
    while IFS= read -r -d '' f; do [ -e "$f" ] && cp --parents "$f" "$sandbox"; done)
  ln -s "$root/node_modules" "$sandbox/node_modules"
  MUTATION_TARGET="$target" node -e '
    const fs = require("fs");
    const path = require("path");
    const dir = process.argv[1];
    const { targets } = require(path.join(dir, "sumo-config.js"));
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    pkg.scripts = {
      compile: "hardhat compile --quiet",
      test: "hardhat test --no-compile --bail " + targets[process.env.MUTATION_TARGET].tests.join(" "),
    };
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  ' "$sandbox"
  (cd "$sandbox" && npx hardhat compile --quiet) # SuMo checks that the build folder exists
  (cd "$sandbox" && APP_ROOT_PATH="$sandbox" MUTATION_TARGET="$target" npx sumo test)
  cp "$sandbox/.sumo/results/results.csv" "$root/docs/mutation/$target.csv"
  node "$root/scripts/mutation-summary.js" "$root/docs/mutation/$target.csv" "$sandbox/contracts" \
    > "$root/docs/mutation/$target.json"
  node -e 'const s = require(process.argv[1]); console.log(`${process.argv[2]}: ${s.killed} killed of ${s.valid} (score ${s.score}%), ${s.live.length} live, ${s.timedout} timed out, ${s.stillborn} stillborn`)' \
    "$root/docs/mutation/$target.json" "$target"
done
