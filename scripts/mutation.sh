#!/usr/bin/env bash
# Mutation testing with SuMo.
#   npm run mutation [-- market|escrow ...]            SuMo on each target (both by default)
#   npm run mutation -- --recheck market|escrow ...    re-test a run's live mutants against
#                                                      the current tests (scripts/mutation-recheck.js)
#
# SuMo edits the contracts in place while it runs, so each target runs in a sandbox copy of the
# working tree's files (.mutation/<target>, git-ignored) that shares node_modules. The sandbox's
# own package.json scripts are what SuMo's "custom" mode calls: a fast compile
# (CLEARHOUSE_MUTATION=1, see hardhat.config.ts) and the target's tests (sumo-config.js) with
# --bail. Results land in docs/mutation/<target>.csv and <target>.json; docs/mutation.md
# discusses the survivors. FUZZ_RUNS (default 30) sets the property tests' runs per mutant.
# MUTANTS_FROM=<hash> [MUTANTS_TO=<hash>] tests a slice of the mutants in SuMo's order (its own
# sandbox and result files, so that slices run side by side on several cores).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
recheck=false
if [ "${1:-}" = "--recheck" ]; then
  recheck=true
  shift
fi
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

# Copies the working tree into $1 and points its test script at target $2's tests.
prepare_sandbox() {
  local sandbox="$1" target="$2"
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
  (cd "$sandbox" && npx hardhat compile --quiet)
}

for target in "${targets[@]}"; do
  if $recheck; then
    sandbox="$root/.mutation/$target-recheck"
    echo "== rechecking the live mutants of $target (sandbox $sandbox, FUZZ_RUNS=$FUZZ_RUNS)"
    prepare_sandbox "$sandbox" "$target"
    node "$root/scripts/mutation-recheck.js" "$target" "$sandbox"
    continue
  fi
  name="$target${MUTANTS_FROM:+-$MUTANTS_FROM}"
  sandbox="$root/.mutation/$name"
  echo "== mutation testing: $name (sandbox $sandbox, FUZZ_RUNS=$FUZZ_RUNS)"
  prepare_sandbox "$sandbox" "$target"
  (cd "$sandbox" && APP_ROOT_PATH="$sandbox" MUTATION_TARGET="$target" \
    npx sumo test ${MUTANTS_FROM:+"$MUTANTS_FROM" "${MUTANTS_TO:-last}"})
  cp "$sandbox/.sumo/results/results.csv" "$root/docs/mutation/$name.csv"
  node "$root/scripts/mutation-summary.js" "$root/docs/mutation/$name.csv" > "$root/docs/mutation/$name.json"
  node -e 'const s = require(process.argv[1]); console.log(`${process.argv[2]}: ${s.killed} killed of ${s.valid} (score ${s.score}%), ${s.live.length} live, ${s.timedout} timed out, ${s.stillborn} stillborn`)' \
    "$root/docs/mutation/$name.json" "$name"
done
