// Evaluates JSONata cases with the reference implementation (the jsonata
// package pinned in package.json) and prints one JSON line per case:
//   {"value": <JSON text>} | {"undefined": true}
//   | {"error": "<code>", "position": <offset, when jsonata-js gives one>}
// Usage: node reference.js <cases.json> <datasets.json>
// A case is {"expr": "...", "data": "<dataset name>" | "input": <JSON>,
// "bindings": {...}}; neither data nor input means no input (undefined).
'use strict';
const fs = require('fs');
const jsonata = require('jsonata');

// Functions (and jsonata's lambda objects) are written as "" (what weft's
// boundary turns them into).
function replacer(key, value) {
  if (typeof value === 'function' ||
      (value && (value._jsonata_lambda || value._jsonata_function))) {
    return '';
  }
  return value;
}

async function main() {
  const cases = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const datasets = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
  const out = [];
  for (const c of cases) {
    let line;
    try {
      const expr = jsonata(c.expr);
      const input = c.data !== undefined ? datasets[c.data] : c.input;
      const result = await expr.evaluate(input, c.bindings);
      line = result === undefined ? {undefined: true}
                                  : {value: JSON.stringify(result, replacer)};
      if (line.value === undefined) line = {undefined: true};
    } catch (err) {
      line = {error: String(err.code || err.name || 'unknown')};
      if (typeof err.position === 'number') line.position = err.position;
    }
    out.push(JSON.stringify(line));
  }
  process.stdout.write(out.join('\n') + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
