#!/usr/bin/env bash
# The whole test suite (README "Quick start", run by .ci/run): installs what it needs, builds,
# type checks, runs the unit, CLI, LSP and engine tests, then the extension in a real VS Code.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-installed.sh
npm run --silent build
npx tsc -b
node scripts/run-tests.mjs core cli server client test
