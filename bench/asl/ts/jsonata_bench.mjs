// bench/asl/ts/jsonata_bench.mjs: the JSONata forms of the ASL workloads
// (bench/asl/chain10_jsonata.json, chain10_jsonata_merge.json,
// map10k_jsonata.json) with their expressions evaluated by the reference
// implementation, npm jsonata 2.0.6 (the package tests/jsonata pins).
// aws-local-stepfunctions ignores JSONata, so this is the comparison the
// issue asks for instead: only the expressions run here (each state's
// Output, the Map's Items and the Choice's Condition, with $states.input
// bound), without a state machine, events or history around them, so it
// favours jsonata-js. Transitions are counted as weft_asl_bench counts them.
//
//   node jsonata_bench.mjs --jsonata DIR [--chain-runs N] [--map-runs N] [--repeats N]
//
// Prints one JSON line per workload: {workload, runs, transitions, seconds,
// transitions_per_s, output}.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const benchDir = join(here, '..');

function parseArgs(argv) {
  const opts = { chainRuns: 20000, mapRuns: 3, repeats: 3, jsonata: '' };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--chain-runs') opts.chainRuns = Number(argv[++i]);
    else if (a === '--map-runs') opts.mapRuns = Number(argv[++i]);
    else if (a === '--repeats') opts.repeats = Number(argv[++i]);
    else if (a === '--jsonata') opts.jsonata = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  if (!opts.jsonata) throw new Error('--jsonata DIR (a folder whose node_modules has jsonata)');
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const jsonata = createRequire(resolve(opts.jsonata, 'package.json'))('jsonata');
const readJson = (name) => JSON.parse(readFileSync(join(benchDir, name), 'utf8'));

// A field value with its "{% %}" strings compiled, as weft compiles them.
function compileTemplate(v) {
  if (typeof v === 'string' && v.startsWith('{%') && v.endsWith('%}')) {
    const expr = jsonata(v.slice(2, -2).trim());
    return (states) => expr.evaluate(undefined, { states });
  }
  if (Array.isArray(v)) {
    const items = v.map(compileTemplate);
    return async (states) => {
      const out = [];
      for (const item of items) out.push(await item(states));
      return out;
    };
  }
  if (v !== null && typeof v === 'object') {
    const members = Object.entries(v).map(([k, m]) => [k, compileTemplate(m)]);
    return async (states) => {
      const out = {};
      for (const [k, m] of members) out[k] = await m(states);
      return out;
    };
  }
  return () => v;
}

function chainRunner(definition) {
  const outputs = Object.values(definition.States).map((s) => compileTemplate(s.Output));
  return async (input) => {
    let value = input;
    for (const output of outputs) value = await output({ input: value });
    return value;
  };
}

function mapRunner(definition) {
  const fan = definition.States.Fan;
  const items = compileTemplate(fan.Items);
  const states = fan.ItemProcessor.States;
  const prepare = compileTemplate(states.Prepare.Output);
  const route = compileTemplate(states.Route.Choices[0].Condition);
  const high = compileTemplate(states.High.Output);
  const low = compileTemplate(states.Low.Output);
  return async (input) => {
    const results = [];
    for (const item of await items({ input })) {
      const prepared = await prepare({ input: item });
      const branch = (await route({ input: prepared })) ? high : low;
      results.push(await branch({ input: prepared }));
    }
    return results;
  };
}

async function timeRuns(run, input, runs) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; ++i) await run(input);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function speed(workload, run, input, runs, perRun) {
  const output = await run(input);
  await timeRuns(run, input, Math.max(1, Math.floor(runs / 10)));  // warm-up
  let best = Infinity;
  for (let r = 0; r < opts.repeats; ++r) best = Math.min(best, await timeRuns(run, input, runs));
  const transitions = perRun * runs;
  console.log(JSON.stringify({ workload, runs, transitions, seconds: best,
                               transitions_per_s: transitions / best, output }));
}

const chainInput = readJson('chain10.input.json');
const mapInput = { items: [] };
for (let i = 0; i < 10000; ++i) mapInput.items.push({ id: i, score: (i * 37) % 100, name: `item-${i}` });
await speed('chain10-jsonata', chainRunner(readJson('chain10_jsonata.json')), chainInput,
            opts.chainRuns, 10);
await speed('chain10-jsonata-merge', chainRunner(readJson('chain10_jsonata_merge.json')),
            chainInput, opts.chainRuns, 10);
await speed('map10k-jsonata', mapRunner(readJson('map10k_jsonata.json')), mapInput, opts.mapRuns,
            1 + 3 * 10000);
