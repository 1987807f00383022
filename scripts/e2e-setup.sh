#!/usr/bin/env bash
# Installs what the VS Code end-to-end test needs, outside the repository, idempotently:
#   - Debian packages chromium, libkrb5-dev, ripgrep (only the missing ones; needs root + apt);
#   - code-server (VS Code in a browser, pinned to the newest release whose engines allow Node 20)
#     into $BRAZESYNC_E2E_HOME (default ~/.cache/brazesync-e2e).
# playwright-core comes from the project's devDependencies. Recipe and pitfalls:
# ../shared/reference/vscode-e2e/README.md (pitfall numbers below refer to it).
set -euo pipefail

E2E_HOME=${BRAZESYNC_E2E_HOME:-$HOME/.cache/brazesync-e2e}
CS_VERSION=4.100.3
SECONDS=0

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v rg >/dev/null || missing+=(ripgrep)
[ -f /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)   # kerberos native module (pitfall 3)
command -v g++ >/dev/null || missing+=(build-essential)
command -v python3 >/dev/null || missing+=(python3)
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "e2e-setup: missing Debian packages; run as root: apt-get install --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "e2e-setup: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "e2e-setup: apt done in ${SECONDS}s"
fi

CS_BIN="$E2E_HOME/node_modules/.bin/code-server"
installed=$(node -p "try { require('$E2E_HOME/node_modules/code-server/package.json').version } catch { '' }" 2>/dev/null || true)
if [ "$installed" != "$CS_VERSION" ] || [ ! -x "$CS_BIN" ]; then
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  # code-server 4.100.3's postinstall requires Node 20 exactly (pitfall 1).
  [ "$node_major" = 20 ] || { echo "e2e-setup: code-server $CS_VERSION needs Node 20, found $(node -v)" >&2; exit 1; }
  NODE_PREFIX=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  [ -f "$NODE_PREFIX/include/node/node.h" ] || { echo "e2e-setup: no Node headers under $NODE_PREFIX/include/node" >&2; exit 1; }
  start=$SECONDS
  mkdir -p "$E2E_HOME/tmp"
  [ -f "$E2E_HOME/package.json" ] || echo '{"name":"brazesync-e2e-harness","private":true}' > "$E2E_HOME/package.json"
  # @vscode/ripgrep downloads rg from GitHub; seed its cache with Debian's rg (pitfall 4).
  rgc="$E2E_HOME/tmp/vscode-ripgrep-cache-1.15.11"
  mkdir -p "$rgc"
  tar czf "$rgc/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$(dirname "$(command -v rg)")" rg
  # nodedir: local headers for node-gyp (pitfall 6); unsafe_perm: postinstall as root (pitfall 2);
  # yes: node-pty runs `npx node-gyp` (pitfall 5).
  (cd "$E2E_HOME" && TMPDIR="$E2E_HOME/tmp" npm_config_nodedir="$NODE_PREFIX" npm_config_unsafe_perm=true \
    npm_config_yes=true npm install --no-audit --no-fund --no-save --loglevel=error "code-server@$CS_VERSION")
  echo "e2e-setup: code-server $CS_VERSION installed in $((SECONDS - start))s"
fi
echo "e2e-setup: ready in ${SECONDS}s ($E2E_HOME)"
