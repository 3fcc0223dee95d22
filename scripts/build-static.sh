#!/usr/bin/env bash
# Copies the front-end packages pinned in package-lock.json into static/vendor/.
# The copies are committed; static's tests fail when they differ from the package.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -d node_modules/htmx.org ] || npm ci --no-audit --no-fund --loglevel=error
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
echo "static/vendor/htmx.min.js <- htmx.org $(node -p 'require("./node_modules/htmx.org/package.json").version')"
