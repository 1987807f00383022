#!/usr/bin/env bash
# The VS Code end-to-end test in one command: install code-server + system packages (cached,
# skipped when present), build and package the .vsix, then drive the extension in code-server with
# headless Chromium (test/e2e/main.ts). Screenshots and logs: test-output/e2e/.
# Exits non-zero when any check fails. Set BRAZESYNC_E2E_SKIP_PACKAGE=1 to reuse dist/brazesync.vsix.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS=0

bash scripts/e2e-setup.sh
setup_s=$SECONDS

if [ "${BRAZESYNC_E2E_SKIP_PACKAGE:-}" != 1 ]; then
  npm run --silent package >/dev/null
fi
package_s=$((SECONDS - setup_s))
echo "e2e-run: setup ${setup_s}s, build + package ${package_s}s"

# The driver runs in its own session; on an interrupt it gets SIGTERM and stops what it started
# (code-server, Chromium, PostgreSQL, the Braze server) before exiting, and this script waits.
setsid node --import tsx test/e2e/main.ts &
driver=$!
stop_driver() {
  kill -TERM -- -"$driver" 2>/dev/null || true
  wait "$driver" 2>/dev/null || true
  exit 130
}
trap stop_driver INT TERM
status=0
wait "$driver" || status=$?
trap - INT TERM
echo "e2e-run: total ${SECONDS}s, exit ${status}"
exit "$status"
