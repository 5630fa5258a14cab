#!/usr/bin/env node
// payops benchmarks: `npm run bench` (full) or `npm run bench -- --quick` (CI-sized).
//   node bench/run.mjs [--quick] [--stage ledger|payin|http|reconcile]… [--tx N] [--batch N] [--orders N]
// Each stage prints one JSON line on stdout (stage, n, seconds, perSecond, peakRssMb, baseline,
// ratio, …); progress goes to stderr; all results are written to bench/results.json.
// Never part of `npm test`: speed is measured here, on a quiet machine, not asserted in tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import ledger from './stages/ledger.mjs';
import payin from './stages/payin.mjs';
import http from './stages/http.mjs';
import reconcile from './stages/reconcile.mjs';

const STAGES = { ledger, payin, http, reconcile };
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    stage: { type: 'string', multiple: true },
    tx: { type: 'string' },
    batch: { type: 'string' },
    orders: { type: 'string' },
  },
});
const selected = values.stage ?? Object.keys(STAGES);
const unknown = selected.filter((name) => !(name in STAGES));
if (unknown.length > 0) {
  console.error(`unknown stage(s): ${unknown.join(', ')}; known: ${Object.keys(STAGES).join(', ')}`);
  process.exit(2);
}
const options = {
  quick: values.quick,
  tx: values.tx ? Number(values.tx) : undefined,
  batch: values.batch ? Number(values.batch) : undefined,
  orders: values.orders ? Number(values.orders) : undefined,
  log: (message) => process.stderr.write(`${message}\n`),
};

const results = [];
for (const name of selected) {
  const result = await STAGES[name](options);
  results.push(result);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` };
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results.json');
fs.writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), mode: values.quick ? 'quick' : 'full', machine, results }, null, 2)}\n`);
process.stderr.write(`results written to ${out}\n`);
