#!/usr/bin/env bash
# The whole test suite (README "Quick start", run by .ci/run): installs what it needs, builds,
# type checks, runs the unit, CLI, LSP and engine tests, then the extension in a real VS Code.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-installed.sh
npm run --silent build
npx tsc -b
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
node scripts/run-tests.mjs core cli server client test 2>&1 | tee "$logs/unit.log"
# Last: it packages the extension (a production build into dist/) and drives it in a real VS Code.
bash scripts/e2e-run.sh 2>&1 | tee "$logs/e2e.log"
count() { grep -Eo "$1" "$2" | tail -n1 | grep -Eo '[0-9]+' | head -n1; }
unit_pass=$(count '^ℹ pass [0-9]+' "$logs/unit.log")
unit_fail=$(count '^ℹ fail [0-9]+' "$logs/unit.log")
e2e_pass=$(count '^[0-9]+/[0-9]+ checks passed' "$logs/e2e.log")
e2e_total=$(grep -Eo '^[0-9]+/[0-9]+ checks passed' "$logs/e2e.log" | tail -n1 | sed -E 's#^[0-9]+/([0-9]+).*#\1#')
echo "all: $((unit_pass + e2e_pass)) passed, $((unit_fail + e2e_total - e2e_pass)) failed"
