#!/usr/bin/env bash
# Runs every test of Atrium, installing what the tests need first (Chromium, Dex,
# npm packages). This is the command README.md names and .ci/run calls.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

step() { printf '\n==> %s\n' "$*" >&2; }

step "installing test dependencies"
bash scripts/install-test-deps.sh

step "checking generated and vendored files are current"
go tool templ generate >/dev/null
if ! git diff --quiet -- '*_templ.go' || [ -n "$(git ls-files --others --exclude-standard -- '*_templ.go')" ]; then
  git status --short -- '*_templ.go' >&2
  echo "templ generate changed files: run 'go tool templ generate' and commit the result" >&2
  exit 1
fi
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change these files: run 'gofmt -w' on them and commit the result:" >&2
  echo "$unformatted" >&2
  exit 1
fi

step "go vet"
go vet ./...

step "go test -race"
export ATRIUM_TEST_OUTPUT=${ATRIUM_TEST_OUTPUT:-$root/test-output}
status=0
go test -race -count=1 -timeout 20m ./... || status=$?
echo "screenshots and accessibility reports: $ATRIUM_TEST_OUTPUT/screenshots" >&2
exit "$status"
