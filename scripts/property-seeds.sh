#!/usr/bin/env bash
# Runs the property (fast-check) suites ROUNDS times (default 30), each round from a new random seed,
# and prints each round's seed; a failing round is replayed with `FC_SEED=<seed> npx jest <suite>`.
# Usage: scripts/property-seeds.sh [ROUNDS] [jest options and path patterns...]
#   (default: every suite using fast-check; e.g. `scripts/property-seeds.sh 30 --maxWorkers=1 test/policy`)
set -uo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-30}
shift || true
options=()
suites=()
for arg in "$@"; do
  if [[ $arg == -* ]]; then options+=("$arg"); else suites+=("$arg"); fi
done
[ "${#suites[@]}" -gt 0 ] || mapfile -t suites < <(grep -rl 'from "fast-check"' test --include='*.test.ts' | sort)
log_dir=$(mktemp -d)
failed=0
for round in $(seq 1 "$rounds"); do
  seed=$(node -e 'console.log(require("node:crypto").randomInt(-(2 ** 31), 2 ** 31))')
  log="$log_dir/round-$round.log"
  if FC_SEED=$seed npx jest --silent "${options[@]}" "${suites[@]}" >"$log" 2>&1; then
    echo "round $round/$rounds seed $seed: passed"
  else
    failed=$((failed + 1))
    echo "round $round/$rounds seed $seed: FAILED ($log)"
    grep -E "^(FAIL|    (Counterexample|\{ seed))" "$log" | sed 's/^/  /'
  fi
done
echo "property rounds: $((rounds - failed)) passed, $failed failed (logs in $log_dir)"
[ "$failed" -eq 0 ]
