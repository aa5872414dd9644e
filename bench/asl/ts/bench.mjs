// bench/asl/ts/bench.mjs: the ASL benchmark workloads (bench/asl/*.json) run
// through the npm package aws-local-stepfunctions, for comparison with
// weft_asl_bench. bench/asl/run.sh runs both.
//
//   node bench.mjs [--chain-runs N] [--map-runs N] [--map-input FILE] [--repeats N] [--json]
//
// Transitions are counted as weft_asl_bench counts them: one per state
// entered (the StateEntered events), 10 per chain10 execution and
// 1 + 3 * items per map10k execution. A first, untimed run of each workload
// consumes the event log and checks that count; timed runs do not read the
// event log (the library builds it anyway, as weft builds its history).
// Each timed repetition runs the executions one after another (await each);
// the best repetition is reported.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StateMachine } from 'aws-local-stepfunctions';

const here = dirname(fileURLToPath(import.meta.url));
const benchDir = join(here, '..');

function parseArgs(argv) {
  const opts = { chainRuns: 100000, mapRuns: 5, repeats: 3, mapInput: '', json: false };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--chain-runs') opts.chainRuns = Number(argv[++i]);
    else if (a === '--map-runs') opts.mapRuns = Number(argv[++i]);
    else if (a === '--repeats') opts.repeats = Number(argv[++i]);
    else if (a === '--map-input') opts.mapInput = argv[++i];
    else if (a === '--json') opts.json = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function mapItems(n) {
  // Same items as bench/asl/gen_map_input.py.
  const items = [];
  for (let i = 0; i < n; ++i) items.push({ id: i, score: (i * 37) % 100, name: `item-${i}` });
  return { items };
}

// Runs once, reading every event; returns the number of states entered and
// the output.
async function checkedRun(machine, input) {
  const { result, eventLogs } = machine.run(input);
  let entered = 0;
  let closed = false;
  for await (const e of eventLogs) {
    if (e.type === 'StateEntered') ++entered;
    if (e.type === 'ExecutionSucceeded') closed = true;
    if (e.type === 'ExecutionFailed') throw new Error(`execution failed: ${e.Error}: ${e.Cause}`);
    if (closed) break;
  }
  return { entered, output: await result };
}

async function timed(machine, input, runs) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; ++i) await machine.run(input).result;
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function bench(name, definition, input, runs, expected, repeats) {
  const machine = new StateMachine(definition);
  const { entered: perRun, output } = await checkedRun(machine, input);
  if (perRun !== expected)
    throw new Error(`${name}: ${perRun} states entered per execution, expected ${expected}`);
  await timed(machine, input, Math.max(1, Math.floor(runs / 10)));  // warm-up (JIT)
  let best = Infinity;
  for (let r = 0; r < repeats; ++r) best = Math.min(best, await timed(machine, input, runs));
  const transitions = perRun * runs;
  return { workload: name, runs, transitions, seconds: best, transitions_per_s: transitions / best,
           output };
}

const opts = parseArgs(process.argv.slice(2));
const chainInput = readJson(join(benchDir, 'chain10.input.json'));
const mapInput = opts.mapInput ? readJson(opts.mapInput) : mapItems(10000);
const results = [
  await bench('chain10', readJson(join(benchDir, 'chain10.json')), chainInput, opts.chainRuns, 10,
              opts.repeats),
  await bench('map10k', readJson(join(benchDir, 'map10k.json')), mapInput, opts.mapRuns,
              1 + 3 * mapInput.items.length, opts.repeats),
];
if (opts.json) {
  console.log(JSON.stringify({ engine: `aws-local-stepfunctions (node ${process.version})`, results }));
} else {
  for (const { output, ...r } of results)
    console.log(`${r.workload}: ${r.runs} executions, ${r.transitions} transitions in ` +
                `${r.seconds.toFixed(3)} s: ${Math.round(r.transitions_per_s)} transitions/s`);
}
