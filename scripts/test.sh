#!/usr/bin/env bash
# The whole test suite: type check, lint, formatting, then every vitest project (unit tests,
# Pulumi mock tests, promtool tests, the integration tests against the real local Kafka
# cluster, and the control-plane tests: the real Pulumi engine, kube-apiserver and Strimzi's
# operators). Before anything runs, a preflight (seconds when all is present) installs or builds
# what a fresh machine lacks and says so, or stops with the exact command to run.
#
# Usage: scripts/test.sh [--unit] [vitest args...]
#   --unit        the fast tier: the unit project only (no preflight; types, lint and format
#                 are checked by the full run)
#   vitest args   one vitest run with those filters or options, instead of the lanes below
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
step() { printf '\n== %s ==\n' "$*"; }
fail() { printf '\n[test] cannot run the tests: %s\n' "$*" >&2; exit 1; }

unit=false
if [ "${1:-}" = "--unit" ]; then unit=true; shift; fi
case "${1:-}" in -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac

if ! $unit; then
  step "preflight: tools the integration and control-plane tests need"
  t0=$SECONDS
  # promtool and Prometheus (alert rule tests, live alerts): Debian's prometheus package.
  if ! command -v promtool >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || fail "promtool is missing; run: sudo apt-get install -y --no-install-recommends prometheus"
    echo "[test] installing Debian's prometheus package (promtool)"
    (apt-get install -y -q --no-install-recommends prometheus >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends prometheus >/dev/null; }) ||
      fail "apt-get install prometheus failed"
    # The package starts a system Prometheus on :9090; the tests run their own.
    systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
  command -v java >/dev/null 2>&1 || fail "Java 17+ is missing (the local Kafka cluster); run: sudo apt-get install -y openjdk-17-jdk-headless"
  command -v mvn >/dev/null 2>&1 || fail "Maven is missing (it fetches the Kafka jars); run: sudo apt-get install -y maven"
  command -v openssl >/dev/null 2>&1 || fail "openssl is missing; run: sudo apt-get install -y openssl"
  # The Kafka jars, MirrorMaker 2 and Apicurio Registry (Maven, ~/.m2): seconds when present.
  tsx local/cli.ts fetch
  # The control-plane toolchain: about 45 minutes the first time on 2 cores, then cached
  # outside the clone (~/.cache/kafka-platform/toolchain, keyed by version).
  if ! bash scripts/toolchain.sh --check >/dev/null 2>&1; then
    echo "[test] the control-plane toolchain is not built on this machine yet: building it now"
    echo "[test] (about 45 minutes once on 2 cores; later runs find it in ~/.cache/kafka-platform/toolchain)"
  fi
  bash scripts/toolchain.sh
  echo "[test] preflight done in $((SECONDS - t0))s"
fi

# The suite's local JVMs (Kafka nodes, MirrorMaker 2, Strimzi's operators) compile with C1 only:
# half the CPU to start a cluster and 40% less while it idles (local/java.ts, LocalJit). The
# benchmarks keep the tiered JIT.
export KP_LOCAL_JIT="${KP_LOCAL_JIT:-c1}"

if $unit; then
  step "unit tests (vitest --project unit)"
  exec vitest run --project unit "$@"
fi
step "typecheck (tsc --noEmit)"
tsc --noEmit -p .
step "lint (eslint)"
eslint --max-warnings=0 .
step "format (prettier --check)"
prettier --check . >/dev/null || { prettier --check .; exit 1; }
if [ $# -gt 0 ]; then
  # A filter or vitest options: one vitest run, projects in their configured order.
  step "tests (vitest $*)"
  exec vitest run "$@"
fi

step "tests: unit and commands (vitest)"
vitest run --project unit --project commands

# The live projects each start clusters of their own on separate ports (integration: one Kafka;
# control-plane: a Kafka and the control plane; regions: two Kafkas and MirrorMaker 2), and spend
# most of their time waiting on brokers, Prometheus rule holds, MirrorMaker and the Pulumi engine
# rather than on the CPU. One vitest process per project runs them side by side (vitest itself
# serializes one-file-at-a-time projects even in one group); every line is prefixed with its
# lane, and each lane's summary comes last.
lanes=("integration" "control-plane" "regions")
step "tests: live lanes side by side (${#lanes[@]}): ${lanes[*]}"
# Each lane's own output is also kept whole (gitignored), so that a failed lane's failures can
# be repeated after the interleaved output, where a CI log that keeps only its tail shows them.
logs=.cache/test-logs
mkdir -p "$logs"
pids=()
names=()
lane_t0=$(date +%s)
for lane in "${lanes[@]}"; do
  name=$lane
  rm -f "$logs/$name.log" "$logs/$name.end"
  (
    set -o pipefail
    status=0
    vitest run --project "$lane" 2>&1 | tee "$logs/$name.log" | sed -u "s/^/[$name] /" || status=$?
    date +%s >"$logs/$name.end"
    exit $status
  ) &
  pids+=($!)
  names+=("$name")
done
rc=0
failed=()
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then result=passed; else result=FAILED; rc=1; failed+=("${names[$i]}"); fi
  ended=$(cat "$logs/${names[$i]}.end" 2>/dev/null || date +%s)
  echo "[test] lane ${names[$i]}: $result in $((ended - lane_t0))s"
done
for name in "${failed[@]}"; do
  # vitest's failure report (from its "Failed Tests", "Failed Suites" or "Unhandled Errors"
  # banner), or the lane's last lines when it ended before one (a global setup that threw).
  plain=$(sed 's/\x1b\[[0-9;]*m//g' "$logs/$name.log")
  report=$(printf '%s\n' "$plain" | sed -n '/⎯\{3,\} *\(Failed Tests\|Failed Suites\|Unhandled Error\)/,$p')
  [ -n "$report" ] || report=$(printf '%s\n' "$plain" | tail -n 60)
  printf '\n== lane %s FAILED: its report (whole log: %s/%s.log) ==\n' "$name" "$logs" "$name"
  printf '%s\n' "$report" | head -n 120 || true
done
[ $rc = 0 ] || echo "[test] failed lanes: ${failed[*]}"
exit $rc
