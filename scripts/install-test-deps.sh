#!/usr/bin/env bash
# Installs what the tests and benchmarks need, when missing: Debian's Chromium,
# Redis and wrk, Dex and stripe-mock binaries built from the Go module proxy
# (cached by version outside the repository), and the npm packages (htmx,
# axe-core, Salesforce's Canvas SDK) pinned in package-lock.json.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${ATRIUM_TOOLS_CACHE:-$HOME/.cache/atrium-tools}
dex_version=v0.0.0-20260303133905-11d2eeb52b42 # Dex v2.45.1
stripe_mock_version=v0.203.0
mkdir -p "$cache"

log() { printf '==> %s\n' "$*" >&2; }

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    apt_updated=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v /usr/lib/postgresql/15/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi

dex_bin="$cache/dex-$dex_version/dex"
if [ ! -x "$dex_bin" ]; then
  log "building Dex $dex_version (first time only, a few minutes)"
  build=$(mktemp -d)
  cat >"$build/go.mod" <<MOD
module atrium.local/dexbuild

go 1.26

require github.com/dexidp/dex $dex_version
MOD
  cat >"$build/tools.go" <<'GO'
//go:build tools

package tools

import _ "github.com/dexidp/dex/cmd/dex"
GO
  (cd "$build" && GOFLAGS=-mod=mod go mod tidy >/dev/null 2>&1 || true)
  (cd "$build" && GOFLAGS=-mod=mod CGO_ENABLED=1 go build -o "$build/dex" github.com/dexidp/dex/cmd/dex)
  mkdir -p "$(dirname "$dex_bin")"
  mv "$build/dex" "$dex_bin"
  rm -rf "$build"
fi
echo "$dex_bin" >"$cache/dex-path"

stripe_mock_bin="$cache/stripe-mock-$stripe_mock_version/stripe-mock"
if [ ! -x "$stripe_mock_bin" ]; then
  log "building stripe-mock $stripe_mock_version (first time only, a minute or two)"
  GOBIN="$(dirname "$stripe_mock_bin")" go install "github.com/stripe/stripe-mock@$stripe_mock_version"
fi
echo "$stripe_mock_bin" >"$cache/stripe-mock-path"

if [ -f "$root/package-lock.json" ] && { [ ! -d "$root/node_modules/axe-core" ] || [ ! -d "$root/node_modules/@salesforce/canvas-js-sdk" ]; }; then
  log "npm ci"
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
fi
log "test dependencies ready (dex: $dex_bin, stripe-mock: $stripe_mock_bin)"
