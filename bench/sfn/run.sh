#!/usr/bin/env bash
# bench/sfn/run.sh: the Step Functions benchmark end to end. Builds weft and
# weft_sfn_bench (`make build`, which takes the build lock), then, REPEATS
# times each, on a fresh server every time (free loopback port, fresh data
# dir, stopped afterwards):
#   1. weft, 10 Pass states, EXECUTIONS executions started as fast as it takes them;
#   2. weft, 5 activity Tasks, TASK_EXECUTIONS executions served by WORKERS workers;
#   3. moto's server (bench/sfn/moto_server.py: moto's server with a fix
#      that lets it run more than one execution; execute_state_machine on),
#      the same 10-Pass workload, MOTO_EXECUTIONS executions;
# and prints each run's Markdown block, then the medians and the weft/moto
# ratio (paste them into docs/benchmarks.md, "Step Functions").
#
#   bench/sfn/run.sh            the full benchmark (a few minutes)
#   bench/sfn/run.sh --smoke    a few executions of each weft workload (~3 s;
#                               the bench_sfn_smoke ctest), no moto
#
# Environment: BUILD (default build), SKIP_BUILD=1, REPEATS (3), EXECUTIONS
# (20000), TASK_EXECUTIONS (3000), MOTO_EXECUTIONS (100), STARTERS (64),
# WORKERS (64), GEN_THREADS (1), SERVER_THREADS, SHARDS (weft server flags),
# SKIP_MOTO=1, DATA_DIR_PARENT (default /tmp), RUN_TIMEOUT (seconds per
# generator run, default 300), HOLD_BUILD_LOCK=1 (measure holding
# /tmp/weft-build.lock so that no compilation competes; keep such runs
# short), PROFILE=1 (perf record of the weft server during the first Pass
# run, or the first PROFILE_RUN=weft-task run; prints bench/perf_breakdown.py's
# table; PERF_OUT=FILE keeps perf.data).
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SMOKE=
[[ ${1:-} == --smoke ]] && SMOKE=1
REPEATS=${REPEATS:-3}
EXECUTIONS=${EXECUTIONS:-20000}
TASK_EXECUTIONS=${TASK_EXECUTIONS:-3000}
MOTO_EXECUTIONS=${MOTO_EXECUTIONS:-100}
RUN_TIMEOUT=${RUN_TIMEOUT:-300}
common=(--starters "${STARTERS:-64}" --threads "${GEN_THREADS:-1}")
if [[ -n $SMOKE ]]; then
  REPEATS=1 EXECUTIONS=100 TASK_EXECUTIONS=20 SKIP_MOTO=1 RUN_TIMEOUT=60
fi

if [[ -z ${SKIP_BUILD:-} ]]; then
  make build BUILD="$BUILD" >/dev/null || { echo "make build failed" >&2; exit 1; }
fi

tmp=$(mktemp -d "${DATA_DIR_PARENT:-/tmp}/weft-sfn-bench.XXXXXX")
# Copies, so that a rebuild by someone else cannot swap a binary mid-run.
cp "$BUILD/weft" "$BUILD/bench/weft_sfn_bench" "$tmp/" || exit 1
pid=
stop_server() {
  if [[ -n $pid ]]; then
    kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  fi
  pid=
}
cleanup() {
  stop_server
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_port() {  # port: waits until it accepts connections (20 s at most)
  for _ in $(seq 400); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
server_args=()
start_weft() {
  port=$(free_port)
  rm -rf "$tmp/data"
  server_args=(server --listen "127.0.0.1:$port" --data-dir "$tmp/data")
  [[ -n ${SERVER_THREADS:-} ]] && server_args+=(--threads "$SERVER_THREADS")
  [[ -n ${SHARDS:-} ]] && server_args+=(--shards "$SHARDS")
  "$tmp/weft" "${server_args[@]}" >>"$tmp/server.log" 2>&1 &
  pid=$!
  wait_port "$port" || { echo "weft server did not start:" >&2; cat "$tmp/server.log" >&2; exit 1; }
}
start_moto() {
  port=$(free_port)
  # moto's server with getmoto/moto#10077 fixed (see the file).
  python3 bench/sfn/moto_server.py -H 127.0.0.1 -p "$port" >>"$tmp/moto.log" 2>&1 &
  pid=$!
  wait_port "$port" || { echo "moto server did not start:" >&2; tail "$tmp/moto.log" >&2; return 1; }
  curl -sf -X POST "http://127.0.0.1:$port/moto-api/config" \
    -d '{"stepfunctions": {"execute_state_machine": true}}' >/dev/null ||
    { echo "moto: POST /moto-api/config failed" >&2; return 1; }
}
if [[ -n ${PROFILE:-} ]] && ! command -v perf >/dev/null; then
  echo "PROFILE=1 needs perf (Debian: apt-get install linux-perf)" >&2
  exit 2
fi
rc=0
# run LABEL GENERATOR-FLAGS...: one generator run against the server on $port.
run() {
  local label=$1
  shift
  local gen=("$tmp/weft_sfn_bench" --server "127.0.0.1:$port" --server-pid "$pid"
             --timeout "$RUN_TIMEOUT" --label "$label" "${common[@]}" "$@")
  if [[ -n ${PROFILE:-} && $label == ${PROFILE_RUN:-weft-pass} && ! -f $tmp/perf.data ]]; then
    perf record -F 999 --call-graph dwarf,16384 -o "$tmp/perf.data" -p "$pid" >/dev/null 2>&1 &
    perf_pid=$!
    sleep 0.5
  fi
  if [[ -n ${HOLD_BUILD_LOCK:-} ]]; then
    timeout $((RUN_TIMEOUT + 60)) flock /tmp/weft-build.lock "${gen[@]}" | tee -a "$tmp/results.txt"
  else
    timeout $((RUN_TIMEOUT + 60)) "${gen[@]}" | tee -a "$tmp/results.txt"
  fi
  local status=${PIPESTATUS[0]}
  if [[ -n ${perf_pid:-} ]]; then
    kill -INT "$perf_pid"
    wait "$perf_pid" 2>/dev/null
    perf_pid=
  fi
  [[ $status -ne 0 ]] && { echo "($label: generator exit status $status)"; rc=1; }
}

echo "## Step Functions run of $(date -u '+%Y-%m-%d %H:%M UTC'), weft $(git rev-parse --short HEAD)"
echo
echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- command: \`bench/sfn/run.sh $*\` (REPEATS=$REPEATS EXECUTIONS=$EXECUTIONS" \
  "TASK_EXECUTIONS=$TASK_EXECUTIONS MOTO_EXECUTIONS=$MOTO_EXECUTIONS${HOLD_BUILD_LOCK:+ HOLD_BUILD_LOCK=1})"
for i in $(seq "$REPEATS"); do
  start_weft
  [[ $i == 1 ]] && echo "- weft server: \`weft ${server_args[*]/$tmp/\$TMP}\`"
  run weft-pass --workload pass --executions "$EXECUTIONS"
  stop_server
  start_weft
  run weft-task --workload task --executions "$TASK_EXECUTIONS" --workers "${WORKERS:-64}"
  stop_server
  if [[ -z ${SKIP_MOTO:-} ]]; then
    if start_moto; then
      run moto-pass --workload pass --executions "$MOTO_EXECUTIONS" --moto
    else
      rc=1
    fi
    stop_server
  fi
done

if [[ -n ${PROFILE:-} && -f $tmp/perf.data ]]; then
  echo
  echo "### perf profile of the weft server (first ${PROFILE_RUN:-weft-pass} run)"
  echo
  perf script -i "$tmp/perf.data" -F comm,tid,ip,sym 2>/dev/null | bench/perf_breakdown.py
  [[ -n ${PERF_OUT:-} ]] && cp "$tmp/perf.data" "$PERF_OUT"
fi
if grep -qiE 'fatal|abort' "$tmp/server.log"; then
  echo "- weft server log (errors):"
  grep -iE 'fatal|abort' "$tmp/server.log" | head -5 | sed 's/^/    /'
  rc=1
fi

echo
echo "### Medians of $REPEATS run(s)"
echo
python3 - "$tmp/results.txt" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    if line.startswith("RESULT "):
        kv = dict(f.split("=", 1) for f in line.split()[1:])
        runs.setdefault(kv["label"], []).append(kv)
def med(label, key):
    vals = [float(r[key]) for r in runs.get(label, [])]
    return statistics.median(vals) if vals else None
def fmt(v, spec):
    return "-" if v is None or v < 0 else format(v, spec)
print("| run | executions started/s | executions/s | transitions/s | p50 ms | p99 ms | client p50/p99 ms | server cores | server us/transition | runs |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for label in runs:
    print("| %s | %s | %s | %s | %s | %s | %s / %s | %s | %s | %d |" % (
        label, fmt(med(label, "started_per_s"), ",.0f"), fmt(med(label, "executions_per_s"), ",.0f"),
        fmt(med(label, "transitions_per_s"), ",.0f"), fmt(med(label, "p50_ms"), ".2f"),
        fmt(med(label, "p99_ms"), ".2f"), fmt(med(label, "client_p50_ms"), ".2f"),
        fmt(med(label, "client_p99_ms"), ".2f"), fmt(med(label, "server_cores"), ".2f"),
        fmt(med(label, "server_us_per_transition"), ".1f"), len(runs[label])))
w, m = med("weft-pass", "transitions_per_s"), med("moto-pass", "transitions_per_s")
if w and m:
    print("\nweft/moto, 10 Pass states: %.1fx transitions/s, %.1fx executions started/s" % (
        w / m, med("weft-pass", "started_per_s") / med("moto-pass", "started_per_s")))
EOF
exit $rc
