#!/usr/bin/env bash
# bench/asl/run.sh: the ASL interpreter benchmark (issue 4, "Speed"). Builds
# weft_asl_bench (through the build lock), installs aws-local-stepfunctions
# (npm ci in bench/asl/ts, from package-lock.json) when needed, runs the same
# workloads through both, and prints a Markdown block for docs/benchmarks.md.
#
#   bench/asl/run.sh
#
# Environment: BUILD (build dir, default build), SKIP_BUILD=1,
# CHAIN_RUNS (chain10 executions per repetition, default 100000),
# MAP_RUNS (map10k executions per repetition, default 5), REPEATS (timed
# repetitions, best reported, default 3), HOLD_BUILD_LOCK=1 (run holding
# /tmp/weft-build.lock, so that the other engineers' compilations do not
# compete for the 2 cores; the TypeScript part takes a few minutes).
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
LOCK="flock /tmp/weft-build.lock"
CHAIN_RUNS=${CHAIN_RUNS:-100000}
MAP_RUNS=${MAP_RUNS:-5}
REPEATS=${REPEATS:-3}

if [[ -z ${SKIP_BUILD:-} ]]; then
  if [[ ! -f $BUILD/build.ninja ]]; then
    $LOCK cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo || exit 1
  fi
  $LOCK cmake --build "$BUILD" --target weft_asl_bench -j2 || exit 1
fi
if [[ ! -d bench/asl/ts/node_modules/aws-local-stepfunctions ]]; then
  (cd bench/asl/ts && npm ci --no-audit --no-fund --loglevel=error) || exit 1
fi
# jsonata-js 2.0.6, pinned by the differential test, for the JSONata rows.
if [[ ! -d tests/jsonata/node_modules/jsonata ]]; then
  (cd tests/jsonata && npm ci --no-audit --no-fund --loglevel=error) || exit 1
fi

tmp=$(mktemp -d /tmp/weft-asl-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# A copy, so that a rebuild by someone else cannot swap the binary mid-run.
cp "$BUILD/bench/weft_asl_bench" "$tmp/"
python3 bench/asl/gen_map_input.py 10000 >"$tmp/map10k.input.json" || exit 1

run_all() {
  "$tmp/weft_asl_bench" --dir bench/asl --json --chain-runs "$CHAIN_RUNS" \
    --map-runs "$MAP_RUNS" --repeats "$REPEATS" >"$tmp/weft.jsonl" || return 1
  for n in 1000 10000; do
    "$tmp/weft_asl_bench" --dir bench/asl --rss-items "$n" >>"$tmp/rss.jsonl" || return 1
  done
  node bench/asl/ts/bench.mjs --json --chain-runs "$CHAIN_RUNS" --map-runs "$MAP_RUNS" \
    --repeats "$REPEATS" --map-input "$tmp/map10k.input.json" >"$tmp/ts.jsonl" || return 1
  node bench/asl/ts/jsonata_bench.mjs --jsonata tests/jsonata --chain-runs "$((CHAIN_RUNS / 5))" \
    --map-runs "$MAP_RUNS" --repeats "$REPEATS" >"$tmp/jsonata.jsonl" || return 1
}
export -f run_all
export tmp CHAIN_RUNS MAP_RUNS REPEATS
if [[ -n ${HOLD_BUILD_LOCK:-} ]]; then
  $LOCK bash -c run_all || exit 1
else
  run_all || exit 1
fi

python3 - "$tmp" "$CHAIN_RUNS" "$MAP_RUNS" "$REPEATS" <<'EOF'
import json, os, platform, subprocess, sys

tmp, chain_runs, map_runs, repeats = sys.argv[1:5]
def lines(name):
    with open(os.path.join(tmp, name)) as f:
        return [json.loads(l) for l in f if l.strip()]

weft = {r["workload"]: r for r in lines("weft.jsonl")}
ts_all = lines("ts.jsonl")[0]
ts = {r["workload"]: r for r in ts_all["results"]}
rss = {r["items"]: r["vmhwm_kb"] for r in lines("rss.jsonl")}
for name in ("chain10", "map10k"):
    if weft[name].get("output") != ts[name]["output"]:
        sys.exit(f"{name}: the two interpreters' outputs differ")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()

print(f"Machine: {os.cpu_count()} cores, {cpu}; {platform.system()} {platform.release()}; "
      f"commit {commit}; {ts_all['engine']}.")
print(f"Best of {repeats} timed repetitions after a warm-up; chain10: {chain_runs} executions, "
      f"map10k: {map_runs} executions of 10,000 items per repetition; both interpreters' "
      "outputs checked equal.\n")
print("| workload | transitions per execution | weft asl (transitions/s) | "
      "aws-local-stepfunctions (transitions/s) | ratio |")
print("| --- | ---: | ---: | ---: | ---: |")
for name in ("chain10", "map10k"):
    w, t = weft[name], ts[name]
    per = w["transitions"] // w["runs"]
    print(f"| {name} | {per:,} | {w['transitions_per_s']:,.0f} | {t['transitions_per_s']:,.0f} | "
          f"{w['transitions_per_s'] / t['transitions_per_s']:.1f}x |")
ata = {r["workload"]: r for r in lines("jsonata.jsonl")}
for name in ("chain10-jsonata", "chain10-jsonata-merge", "map10k-jsonata"):
    if weft[name].get("output") != ata[name]["output"]:
        sys.exit(f"{name}: weft's and jsonata-js's outputs differ")
print()
print("JSONata: the same workloads written in the JSONata query language "
      "(`chain10_jsonata.json`: Output objects of paths; `chain10_jsonata_merge.json`: "
      "`$merge`; `map10k_jsonata.json`), outputs checked equal to the JSONPath forms'. "
      "aws-local-stepfunctions ignores JSONata, so the last columns run only the "
      "expressions in jsonata-js 2.0.6 (`bench/asl/ts/jsonata_bench.mjs`: no state machine, "
      "no history).\n")
print("| workload | weft JSONPath (transitions/s) | weft JSONata (transitions/s) | "
      "JSONata cost | jsonata-js, expressions only (transitions/s) | weft vs jsonata-js |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for name, base in (("chain10-jsonata", "chain10"), ("chain10-jsonata-merge", "chain10"),
                   ("map10k-jsonata", "map10k")):
    w, p, j = weft[name]["transitions_per_s"], weft[base]["transitions_per_s"], \
        ata[name]["transitions_per_s"]
    print(f"| {name} | {p:,.0f} | {w:,.0f} | {p / w:.2f}x | {j:,.0f} | {w / j:.1f}x |")
m = weft["memory"]
print()
print("weft, per in-flight Map iteration (heap, counting allocator, 10,000 vs 1,000 iterations "
      f"waiting on a Task): {m['inflight_iteration_bytes']:,.0f} B with a {m['item_bytes']:,.0f} B "
      f"item ({m['inflight_overhead_bytes']:,.0f} B beyond it); "
      f"{m['padded_inflight_iteration_bytes']:,.0f} B with a {m['padded_item_bytes']:,.0f} B item; "
      f"fitted: {m['inflight_fixed_bytes']:,.0f} B fixed + {m['inflight_data_copies']:.2f} x the item's data.")
print(f"weft, map10k peak heap per item during an execution: {m['map10k_peak_bytes_per_item']:,.0f} B "
      f"(of which the history events: {m['map10k_history_bytes_per_item']:,.0f} B).")
print(f"weft, map10k peak RSS (VmHWM) per item, 10,000 vs 1,000 items in two processes: "
      f"{(rss[10000] - rss[1000]) * 1024 / 9000:,.0f} B.")
print("weft heap allocations per transition: " + ", ".join(
    f"{n} {weft[n]['allocations_per_transition']:.0f}" for n in ("chain10", "map10k")) + ".")
EOF
