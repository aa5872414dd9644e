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
# DATA_DIR_PARENT (where the temporary data dir goes, default /tmp).
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
"$tmp/weft_swf_bench" --server "127.0.0.1:$port" --server-pid "$pid" "$@"
rc=$?
echo
echo "- data dir after the run: $(du -sh "$tmp/data" | cut -f1)"
if grep -qiE 'error|fatal|abort' "$tmp/server.log"; then
  echo "- server log (errors):"
  grep -iE 'error|fatal|abort' "$tmp/server.log" | head -5 | sed 's/^/    /'
fi
exit $rc
