#!/usr/bin/env bash
# Mutation testing with SuMo.
#   npm run mutation [-- market|escrow ...]            SuMo on each target (both by default)
#   npm run mutation -- --merge market|escrow ...      merge the slices' results into <target>.csv
#   npm run mutation -- --recheck market|escrow ...    re-test the live mutants against the
#                                                      current tests (with MUTATION_UNTESTED=1
#                                                      also those no run tested; with
#                                                      MUTATION_ONLY=<hash>,... just those;
#                                                      MUTATION_SHARD=<i>/<n> one n-th of them,
#                                                      so that n shards run on n cores)
#                                                      (scripts/mutation-recheck.js)
#
# SuMo edits the contracts in place while it runs, so each target runs in a sandbox copy of the
# working tree's files (.mutation/<target>, git-ignored) that shares node_modules. The sandbox's
# own package.json scripts are what SuMo's "custom" mode calls: a fast compile
# (CLEARHOUSE_MUTATION=1, see hardhat.config.ts) and the target's tests (sumo-config.js) with
# --bail. Results land in docs/mutation/<target>.csv and <target>.json; docs/mutation.md
# discusses the survivors. FUZZ_RUNS (default 30) sets the property tests' runs per mutant.
# MUTANTS_FROM=<hash>|first [MUTANTS_TO=<hash>] tests a slice of the mutants in SuMo's order (its
# own sandbox and result file docs/mutation/<target>-<from>.csv, so that slices run side by side
# on several cores); --merge then joins them. A slice from a hash misses SuMo's very last mutant,
# which MUTATION_UNTESTED=1 with --recheck tests.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
mode=run
case "${1:-}" in
  --recheck) mode=recheck; shift ;;
  --merge) mode=merge; shift ;;
esac
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

summarize() {
  local target="$1" recheck="$root/docs/mutation/$1-recheck.json"
  node "$root/scripts/mutation-summary.js" "$root/docs/mutation/$target.csv" \
    $([ -f "$recheck" ] && echo "$recheck") > "$root/docs/mutation/$target.json"
  node -e '
    const s = require(process.argv[1]);
    console.log(
      `${process.argv[2]}: ${s.killed} killed of ${s.valid} (score ${s.score}%)` +
        `${s.rechecked ? " after the recheck" : ""}, ${s.live.length} live, ${s.timedout} timed out, ` +
        `${s.stillborn} stillborn${s.untested ? `, ${s.untested} not yet tested` : ""}`,
    );
  ' "$root/docs/mutation/$target.json" "$target"
}

for target in "${targets[@]}"; do
  if [ "$mode" = merge ]; then
    # One CSV per target: the rows of every slice (and of an earlier merge), each mutant once.
    (cd "$root/docs/mutation" && shopt -s nullglob && slices=("$target"-first.csv "$target"-m*.csv) &&
      [ ${#slices[@]} -gt 0 ] || { echo "mutation: no slices of $target to merge" >&2; exit 1; }
      files=("${slices[@]}"); [ -f "$target.csv" ] && files=("$target.csv" "${files[@]}")
      {
        head -n 1 "${files[0]}"
        for f in "${files[@]}"; do tail -n +2 "$f"; done | awk -F'$' 'NF > 1 && !seen[$1]++'
      } > "$target.csv.new"
      mv "$target.csv.new" "$target.csv"
      for f in "${slices[@]}"; do rm -f "$f" "${f%.csv}.json"; done)
    rm -f "$root/docs/mutation/$target-recheck.json"
    summarize "$target"
    continue
  fi
  if [ "$mode" = recheck ]; then
    sandbox="$root/.mutation/$target-recheck${MUTATION_SHARD:+-${MUTATION_SHARD%/*}}"
    echo "== rechecking the live mutants of $target (sandbox $sandbox, FUZZ_RUNS=$FUZZ_RUNS)"
    prepare_sandbox "$sandbox" "$target"
    node "$root/scripts/mutation-recheck.js" "$target" "$sandbox"
    summarize "$target"
    continue
  fi
  name="$target${MUTANTS_FROM:+-$MUTANTS_FROM}"
  sandbox="$root/.mutation/$name"
  echo "== mutation testing: $name (sandbox $sandbox, FUZZ_RUNS=$FUZZ_RUNS)"
  prepare_sandbox "$sandbox" "$target"
  (cd "$sandbox" && APP_ROOT_PATH="$sandbox" MUTATION_TARGET="$target" \
    npx sumo test ${MUTANTS_FROM:+"$MUTANTS_FROM" "${MUTANTS_TO:-last}"})
  cp "$sandbox/.sumo/results/results.csv" "$root/docs/mutation/$name.csv"
  [ -z "${MUTANTS_FROM:-}" ] && rm -f "$root/docs/mutation/$target-recheck.json"
  summarize "$name"
done
