#!/usr/bin/env bash
# Runs Atrium's benchmarks and rewrites docs/benchmarks.md with the results.
# It is not part of the test command (scripts/test.sh, CI): run it on its own.
#
#   bash bench/run.sh           the full run, about 5 minutes
#   bash bench/run.sh --short   the memory load for 15 s instead of 60 s
#   bash bench/run.sh --proxy-only   (or: bash bench/run.sh proxy)
#                               only the proxy benchmark (Atrium's proxied tool
#                               against a bare ReverseProxy and oauth2-proxy),
#                               about 3 minutes once oauth2-proxy is installed;
#                               it rewrites docs/benchmarks-proxy.md and
#                               nothing else
#
# The proxy benchmark installs oauth2-proxy once, into
# ~/.cache/atrium-tools/oauth2-proxy-$O2P_VERSION/ (about 3 minutes cold).
#
# ATRIUM_BENCH_LOAD_SECONDS sets the memory load's duration in seconds.
# Everything listens on loopback; every load is bounded in count or time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

load_seconds=60
proxy_only=false
case "${1:-}" in
  --short) load_seconds=15 ;;
  --proxy-only | proxy) proxy_only=true ;;
  "") ;;
  *) echo "usage: bash bench/run.sh [--short | --proxy-only]" >&2; exit 2 ;;
esac
O2P_VERSION=v7.15.6
PROXY_ROUNDS=3    # rounds of the four wrk runs; the report takes the median of each
PROXY_SECONDS=8   # length of each wrk run
o2p_dir="$HOME/.cache/atrium-tools/oauth2-proxy-$O2P_VERSION"
load_seconds=${ATRIUM_BENCH_LOAD_SECONDS:-$load_seconds}
sessions=10000
started=$SECONDS

out=$(mktemp -d /tmp/atrium-bench-XXXXXX)
env_pid=""
proxyenv_pid=""
sampler_pid=""
cleanup() {
  if [ -n "$sampler_pid" ]; then kill "$sampler_pid" 2>/dev/null || true; fi
  for pid in "$env_pid" "$proxyenv_pid"; do
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
}
trap cleanup EXIT

step() { printf '\n==> %s\n' "$*" >&2; }
failed=()
# measure FILE SHOWN -- COMMAND...: records SHOWN in the report's command list,
# runs COMMAND with its output in $out/FILE and on stderr; a failure is
# reported and the run goes on, so the report says what was not measured.
measure() {
  local file=$1 shown=$2
  shift 3
  printf '%s\n' "$shown" >>"$out/commands.txt"
  if ! "$@" >"$out/$file" 2>&1; then
    failed+=("$file")
    echo "FAILED: $shown (its output, below, is in $out/$file)" >&2
  fi
  cat "$out/$file" >&2
}
# wait_env FILE PID SECONDS LOG: waits until the environment command PID
# (bench/cmd/benchenv or proxyenv) has written FILE, then shows its LOG. If it
# exits or the time runs out first, it says so after the log, and fails.
wait_env() {
  local file=$1 pid=$2 seconds=$3 log=$4 i
  for ((i = 0; i < seconds; i++)); do
    if [ -f "$file" ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 1
  done
  cat "$log" >&2
  [ -f "$file" ] && return 0
  if kill -0 "$pid" 2>/dev/null; then
    echo "FAILED: $(basename "$log" .log) wrote no $file within $seconds s; its log above ($log) shows how far it got" >&2
  else
    echo "FAILED: $(basename "$log" .log) exited before writing $file; the cause is at the end of its log above ($log)" >&2
  fi
  return 1
}

step "installing wrk if missing"
if ! command -v wrk >/dev/null; then
  if ! { apt-get update && apt-get install -y wrk; }; then
    echo "wrk is missing and apt-get could not install it: run bash scripts/install-test-deps.sh as root, or put wrk on PATH" >&2
    exit 1
  fi
fi

# proxy_bench measures the upstream served directly, Atrium's proxied tool, a
# bare ReverseProxy on the same transport (no authentication) and
# oauth2-proxy, one after the other with the same wrk arguments, and writes
# docs/benchmarks-proxy.md.
proxy_bench() {
  step "proxy benchmark: installing oauth2-proxy $O2P_VERSION if missing"
  if [ ! -x "$o2p_dir/oauth2-proxy" ]; then
    mkdir -p "$o2p_dir"
    if ! GOBIN="$o2p_dir" go install "github.com/oauth2-proxy/oauth2-proxy/v7@$O2P_VERSION"; then
      echo "FAILED: go install oauth2-proxy $O2P_VERSION (see above; it needs the Go module proxy): the proxy benchmark is skipped, docs/benchmarks-proxy.md is left as it was; once that works, run bash bench/run.sh --proxy-only" >&2
      failed+=("oauth2-proxy")
      return 0
    fi
  fi
  [ -x "$out/atrium" ] || go build -o "$out/atrium" ./cmd/atrium
  go build -o "$out/proxyenv" ./bench/cmd/proxyenv
  go build -o "$out/proxyreport" ./bench/cmd/proxyreport
  {
    echo "GOBIN=~/.cache/atrium-tools/oauth2-proxy-$O2P_VERSION go install github.com/oauth2-proxy/oauth2-proxy/v7@$O2P_VERSION   # once"
    echo "go build -o \$OUT/atrium ./cmd/atrium"
    echo "go build -o \$OUT/proxyenv ./bench/cmd/proxyenv"
    echo "\$OUT/proxyenv -atrium \$OUT/atrium -oauth2-proxy ~/.cache/atrium-tools/oauth2-proxy-$O2P_VERSION/oauth2-proxy -env \$OUT/proxy.env &   # then: . \$OUT/proxy.env"
  } >"$out/proxy-commands.txt"
  {
    echo "DATE='$(date -u '+%Y-%m-%d %H:%M UTC')'"
    echo "NPROC='$(nproc)'"
    echo "O2P_VERSION='$O2P_VERSION'"
    echo "LOADAVG_BEFORE='$(cut -d' ' -f1-3 /proc/loadavg)'"
  } >"$out/proxy-meta.env"

  step "proxy benchmark: starting the upstream, the identity provider, atrium serve, the bare proxy and oauth2-proxy"
  "$out/proxyenv" -atrium "$out/atrium" -oauth2-proxy "$o2p_dir/oauth2-proxy" -env "$out/proxy.env" >"$out/proxyenv.log" 2>&1 &
  proxyenv_pid=$!
  if wait_env "$out/proxy.env" "$proxyenv_pid" 120 "$out/proxyenv.log"; then
    # shellcheck disable=SC1091
    . "$out/proxy.env"
    grep -v '_COOKIE=' "$out/proxy.env" >>"$out/proxy-meta.env"
    step "proxy benchmark: wrk against the upstream, Atrium's proxy, the bare proxy and oauth2-proxy, $PROXY_ROUNDS rounds"
    echo "CLK_TCK='$(getconf CLK_TCK)'" >>"$out/proxy-meta.env"
    echo "PROXY_ROUNDS='$PROXY_ROUNDS'" >>"$out/proxy-meta.env"
    printf '%s\n' "# $PROXY_ROUNDS rounds, each: the four below after the upstream, in turn Atrium, bare, oauth2-proxy and the reverse" >>"$out/proxy-commands.txt"
    local shown round order target url pid
    local -a cookie
    for round in $(seq 1 "$PROXY_ROUNDS"); do
      # The proxies take turns at going first, so that none always meets
      # the machine as another left it; Atrium and the bare proxy, the pair
      # compared most closely, always run one after the other.
      if [ $((round % 2)) = 1 ]; then order="upstream atrium bare oauth2-proxy"; else order="upstream oauth2-proxy bare atrium"; fi
      for target in $order; do
        case $target in
          upstream) url=$UPSTREAM_URL cookie=() pid="" shown="\$UPSTREAM_URL" ;;
          bare) url=$BARE_URL cookie=() pid=$BARE_PID shown="\$BARE_URL" ;;
          atrium) url=$ATRIUM_TOOL_URL cookie=(-H "Cookie: $ATRIUM_COOKIE") pid=$ATRIUM_PID shown="-H \"Cookie: \$ATRIUM_COOKIE\" \$ATRIUM_TOOL_URL" ;;
          oauth2-proxy) url=$O2P_URL cookie=(-H "Cookie: $O2P_COOKIE") pid=$O2P_PID shown="-H \"Cookie: \$O2P_COOKIE\" \$O2P_URL" ;;
        esac
        [ "$round" = 1 ] && printf '%s\n' "wrk -t2 -c32 -d${PROXY_SECONDS}s --latency $shown" >>"$out/proxy-commands.txt"
        # The proxy's CPU time (user + system, in clock ticks) across the run.
        local before=""
        [ -n "$pid" ] && before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
        measure "wrk-proxy-$target-r$round.txt" "wrk -t2 -c32 -d${PROXY_SECONDS}s --latency $shown (round $round)" -- \
          wrk -t2 -c32 -d"${PROXY_SECONDS}s" --latency "${cookie[@]}" "$url"
        [ -n "$pid" ] && echo "$(( $(awk '{print $14 + $15}' "/proc/$pid/stat") - before ))" >"$out/cpu-proxy-$target-r$round.txt"
      done
    done
  else
    failed+=("proxyenv")
  fi
  if [ -n "$proxyenv_pid" ] && kill -0 "$proxyenv_pid" 2>/dev/null; then
    kill -TERM "$proxyenv_pid" 2>/dev/null || true
    wait "$proxyenv_pid" 2>/dev/null || true
  fi
  proxyenv_pid=""
  echo "LOADAVG_AFTER='$(cut -d' ' -f1-3 /proc/loadavg)'" >>"$out/proxy-meta.env"
  "$out/proxyreport" -results "$out" -out docs/benchmarks-proxy.md
  echo "results: docs/benchmarks-proxy.md (raw files in $out)" >&2
}

if $proxy_only; then
  proxy_bench
  if [ ${#failed[@]} -gt 0 ]; then
    echo "not measured: ${failed[*]} (the FAILED lines above say why; raw files in $out)" >&2
    exit 1
  fi
  exit 0
fi

step "describing the machine"
{
  echo "DATE='$(date -u '+%Y-%m-%d %H:%M UTC')'"
  echo "NPROC='$(nproc)'"
  echo "CPU_MODEL='$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')'"
  echo "MEM_TOTAL='$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)'"
  echo "KERNEL='$(uname -sr)'"
  echo "GO_VERSION='$(go version)'"
  echo "WRK_VERSION='$(wrk -v 2>&1 | head -n1 | sed 's/ Copyright.*//')'"
  echo "LOAD_SECONDS='$load_seconds'"
  echo "LOADAVG_BEFORE='$(cut -d' ' -f1-3 /proc/loadavg)'"
} >"$out/meta.env"
cat "$out/meta.env" >&2

step "building"
go build -o "$out/atrium" ./cmd/atrium
go build -o "$out/benchenv" ./bench/cmd/benchenv
go build -o "$out/benchreport" ./bench/cmd/benchreport
go test -c -o "$out/bench.test" ./bench
cat >>"$out/commands.txt" <<'EOF'
go build -o $OUT/atrium ./cmd/atrium
go build -o $OUT/benchenv ./bench/cmd/benchenv
go build -o $OUT/benchreport ./bench/cmd/benchreport
go test -c -o $OUT/bench.test ./bench
EOF

step "Go benchmarks"
bt="$out/bench.test"
measure go-page.txt "\$OUT/bench.test -test.run '^\$' -test.bench '^BenchmarkPageVsSlowestSource\$' -test.benchtime 15x" -- \
  "$bt" -test.run '^$' -test.bench '^BenchmarkPageVsSlowestSource$' -test.benchtime 15x -test.timeout 5m
measure go-ttfb.txt "\$OUT/bench.test -test.run '^\$' -test.bench '^BenchmarkTTFBOneSlowSource\$' -test.benchtime 8x" -- \
  "$bt" -test.run '^$' -test.bench '^BenchmarkTTFBOneSlowSource$' -test.benchtime 8x -test.timeout 5m
measure go-calls.txt "\$OUT/bench.test -test.run '^\$' -test.bench '^BenchmarkUpstreamCallsConcurrentViews\$' -test.benchtime 1x" -- \
  "$bt" -test.run '^$' -test.bench '^BenchmarkUpstreamCallsConcurrentViews$' -test.benchtime 1x -test.timeout 5m
measure go-render.txt "\$OUT/bench.test -test.run '^\$' -test.bench '^BenchmarkRenderCustomerPage\$' -test.benchmem -test.benchtime 1s -test.count 5" -- \
  "$bt" -test.run '^$' -test.bench '^BenchmarkRenderCustomerPage$' -test.benchmem -test.benchtime 1s -test.count 5 -test.timeout 5m
measure render-cpu.txt "\$OUT/bench.test -test.run '^\$' -test.bench '^BenchmarkRenderCustomerPage/handler\$' -test.benchtime 3s -test.cpuprofile \$OUT/handler.cpu" -- \
  "$bt" -test.run '^$' -test.bench '^BenchmarkRenderCustomerPage/handler$' -test.benchtime 3s -test.cpuprofile "$out/handler.cpu" -test.timeout 5m
measure render-profile.txt "go tool pprof -top -cum -nodecount 400 \$OUT/bench.test \$OUT/handler.cpu" -- \
  go tool pprof -top -cum -nodecount 400 "$bt" "$out/handler.cpu"

step "starting atrium serve with $sessions stored sessions"
printf '%s\n' "\$OUT/benchenv -atrium \$OUT/atrium -env \$OUT/env.sh -sessions $sessions &   # then: . \$OUT/env.sh" >>"$out/commands.txt"
"$out/benchenv" -atrium "$out/atrium" -env "$out/env.sh" -sessions "$sessions" >"$out/benchenv.log" 2>&1 &
env_pid=$!
if wait_env "$out/env.sh" "$env_pid" 180 "$out/benchenv.log"; then
  # shellcheck disable=SC1091
  . "$out/env.sh"
  rss() { awk '/^VmRSS/ {print $2}' "/proc/$PORTAL_PID/status"; }
  echo "RSS_IDLE_KB=$(rss)" >"$out/rss.env"

  step "wrk: /healthz and the warm customer page"
  measure wrk-healthz.txt "wrk -t2 -c32 -d10s --latency \$PORTAL_URL/healthz" -- \
    wrk -t2 -c32 -d10s --latency "$PORTAL_URL/healthz"
  measure wrk-page.txt "wrk -t2 -c32 -d10s --latency -H \"Cookie: \$COOKIE\" \$PORTAL_URL$PAGE_PATH" -- \
    wrk -t2 -c32 -d10s --latency -H "Cookie: $COOKIE" "$PORTAL_URL$PAGE_PATH"
  echo "RSS_AFTER_THROUGHPUT_KB=$(rss)" >>"$out/rss.env"

  step "wrk: $load_seconds s at 64 connections over $SESSIONS sessions"
  (
    peak=0
    for _ in $(seq 1 $((load_seconds + 10))); do
      r=$(rss 2>/dev/null) || break
      if [ "$r" -gt "$peak" ]; then peak=$r; echo "$peak" >"$out/rss-peak"; fi
      sleep 1
    done
  ) &
  sampler_pid=$!
  measure wrk-sessions.txt "wrk -t2 -c64 -d${load_seconds}s --timeout 10s --latency -s bench/sessions.lua \$PORTAL_URL -- \$COOKIES_FILE \$PATHS_FILE" -- \
    wrk -t2 -c64 -d"${load_seconds}s" --timeout 10s --latency -s bench/sessions.lua "$PORTAL_URL" -- "$COOKIES_FILE" "$PATHS_FILE"
  kill "$sampler_pid" 2>/dev/null || true
  wait "$sampler_pid" 2>/dev/null || true
  sampler_pid=""
  {
    echo "RSS_AFTER_LOAD_KB=$(rss)"
    echo "RSS_LOAD_MAX_KB=$(cat "$out/rss-peak" 2>/dev/null || echo 0)"
    echo "HWM_KB=$(awk '/^VmHWM/ {print $2}' "/proc/$PORTAL_PID/status")"
  } >>"$out/rss.env"
  cat "$out/rss.env" >&2
  printf '%s\n' "awk '/^VmRSS|^VmHWM/' /proc/\$PORTAL_PID/status   # before, between and after the wrk runs; every second during the load" >>"$out/commands.txt"
else
  failed+=("benchenv")
fi
cleanup
env_pid=""

proxy_bench

step "writing docs/benchmarks.md"
previous="none"
if git show HEAD:docs/benchmarks.md >"$out/previous.md" 2>/dev/null; then
  previous="the committed docs/benchmarks.md ($(git rev-parse --short HEAD))"
elif [ -f docs/benchmarks.md ]; then
  cp docs/benchmarks.md "$out/previous.md"
  previous="docs/benchmarks.md of the previous run (not committed)"
else
  rm -f "$out/previous.md"
fi
{
  echo "PREVIOUS='$previous'"
  echo "LOADAVG_AFTER='$(cut -d' ' -f1-3 /proc/loadavg)'"
  echo "ELAPSED_SECONDS='$((SECONDS - started))'"
} >>"$out/meta.env"
printf '%s\n' "\$OUT/benchreport -results \$OUT -out docs/benchmarks.md   # compares with git show HEAD:docs/benchmarks.md" >>"$out/commands.txt"
"$out/benchreport" -results "$out" -out docs/benchmarks.md
echo "results: docs/benchmarks.md (raw files in $out)" >&2
if [ ${#failed[@]} -gt 0 ]; then
  echo "not measured: ${failed[*]} (the FAILED lines above say why; raw files in $out)" >&2
  exit 1
fi
