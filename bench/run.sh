#!/usr/bin/env bash
# bench/run.sh: the SWF benchmark end to end. Builds weft and weft_swf_bench
# (through the build lock), starts `weft server` on a free loopback port with
# a fresh data dir, runs the load generator against it, prints a Markdown
# block of results (paste it into docs/benchmarks.md), stops the server.
#
#   bench/run.sh [weft_swf_bench flags]      e.g. bench/run.sh --workflows 5000 --parallel
#
# Environment: BUILD (build dir, default build), SKIP_BUILD=1, SERVER_THREADS,
# SHARDS, POLL_TIMEOUT (server flags; unset: the server's defaults),
# DATA_DIR_PARENT (where the temporary data dir goes, default /tmp),
# HOLD_BUILD_LOCK=1 (run the load holding /tmp/weft-build.lock, so that the
# other engineers' compilations do not compete for the 2 cores; keep such
# runs short), PROFILE=1 (count the server's fsyncs and profile it with
# perf during the run; prints bench/perf_breakdown.py's table).
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
LOCK="flock /tmp/weft-build.lock"

if [[ -z ${SKIP_BUILD:-} ]]; then
  if [[ ! -f $BUILD/build.ninja ]]; then
    $LOCK cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo || exit 1
  fi
  $LOCK cmake --build "$BUILD" --target weft weft_swf_bench -j2 || exit 1
fi

tmp=$(mktemp -d "${DATA_DIR_PARENT:-/tmp}/weft-bench.XXXXXX")
# Copies, so that a rebuild by someone else cannot swap a binary mid-run.
cp "$BUILD/weft" "$BUILD/bench/weft_swf_bench" "$tmp/"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

server_args=(server --listen "127.0.0.1:$port" --data-dir "$tmp/data")
[[ -n ${SERVER_THREADS:-} ]] && server_args+=(--threads "$SERVER_THREADS")
[[ -n ${SHARDS:-} ]] && server_args+=(--shards "$SHARDS")
[[ -n ${POLL_TIMEOUT:-} ]] && server_args+=(--poll-timeout "$POLL_TIMEOUT")
"$tmp/weft" "${server_args[@]}" >"$tmp/server.log" 2>&1 &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
if ! kill -0 "$pid" 2>/dev/null; then
  echo "weft server did not start:" >&2
  cat "$tmp/server.log" >&2
  exit 1
fi

echo "## run of $(date -u '+%Y-%m-%d %H:%M UTC'), weft $(git rev-parse --short HEAD)"
echo
echo "- machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- server: \`weft ${server_args[*]/$tmp/\$TMP}\`"
echo "- command: \`bench/run.sh $*\`"
bench=("$tmp/weft_swf_bench" --server "127.0.0.1:$port" --server-pid "$pid" "$@")
if [[ -n ${PROFILE:-} ]] && ! command -v perf >/dev/null; then
  echo "PROFILE=1 needs perf (Debian: apt-get install linux-perf)" >&2
  exit 2
fi
if [[ -n ${PROFILE:-} ]]; then
  # Counts the server's fsyncs and samples its stacks while the generator
  # runs (pass --probe 0 to keep the probe's requests out of the counts).
  perf stat -x, -o "$tmp/perf-stat.csv" -e syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync \
    -p "$pid" >/dev/null 2>&1 &
  perf_stat=$!
  perf record -F 499 --call-graph dwarf,16384 -o "$tmp/perf.data" -p "$pid" >/dev/null 2>&1 &
  perf_record=$!
  sleep 0.5
fi
if [[ -n ${HOLD_BUILD_LOCK:-} ]]; then
  # No compilation can start while the load runs (a running one finishes first).
  echo "- measured holding the build lock (no concurrent compilation)"
  $LOCK "${bench[@]}"
else
  "${bench[@]}"
fi
rc=$?
if [[ -n ${PROFILE:-} ]]; then
  kill -INT "$perf_stat" "$perf_record"
  wait "$perf_stat" "$perf_record" 2>/dev/null
  echo
  echo "- server fsync + fdatasync calls during the generator's run:" \
    "$(grep -E 'sys_enter_f' "$tmp/perf-stat.csv" | cut -d, -f1 | paste -sd+ | bc)"
  echo
  perf script -i "$tmp/perf.data" -F comm,tid,ip,sym 2>/dev/null | bench/perf_breakdown.py
fi
echo
echo "- data dir after the run: $(du -sh "$tmp/data" | cut -f1)"
if grep -qiE 'error|fatal|abort' "$tmp/server.log"; then
  echo "- server log (errors):"
  grep -iE 'error|fatal|abort' "$tmp/server.log" | head -5 | sed 's/^/    /'
fi
exit $rc
