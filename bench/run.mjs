#!/usr/bin/env node
// payops benchmarks: `npm run bench` (full) or `npm run bench -- --quick` (CI-sized, a minute or two).
//   node bench/run.mjs [--quick] [--stage ledger|balance|payin|payout|http|reconcile|scaling|report-income|bank]… [--tx N] [--batch N] [--entries N] [--orders N]
//                      [--sellers N] [--scale N,N,…] [--profile DIR]
// Each stage prints one JSON line on stdout (stage, n, seconds, perSecond, peakRssMb, and its
// baseline, ratio, target and whether it meets it); progress goes to stderr; the run, with the
// machine it ran on, is written to bench/results.json. Measured work runs in its own process, so
// peak RSS is that process's own. `--profile DIR` writes a V8 CPU profile of each measured payops
// process there. Never part of `npm test`: speed is measured here, not asserted in tests.
//
// A stage is a module whose default export takes { quick, log, previous, …the flags above } and
// returns one result object; add it to STAGES below.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import Sqlite from 'better-sqlite3';
import balance from './stages/balance.mjs';
import bank from './stages/bank.mjs';
import ledger from './stages/ledger.mjs';
import payin from './stages/payin.mjs';
import http from './stages/http.mjs';
import payout from './stages/payout.mjs';
import reconcile from './stages/reconcile.mjs';
import reportIncome from './stages/report-income.mjs';
import scaling from './stages/scaling.mjs';

const STAGES = {
  ledger,
  balance,
  payin,
  payout,
  http,
  reconcile,
  scaling,
  'report-income': reportIncome,
  bank,
};

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    stage: { type: 'string', multiple: true },
    tx: { type: 'string' },
    batch: { type: 'string' },
    entries: { type: 'string' },
    orders: { type: 'string' },
    sellers: { type: 'string' },
    scale: { type: 'string' },
    profile: { type: 'string' },
  },
});
const selected = values.stage ?? Object.keys(STAGES);
const unknown = selected.filter((name) => !(name in STAGES));
if (unknown.length > 0) {
  console.error(
    `unknown stage(s): ${unknown.join(', ')}; known: ${Object.keys(STAGES).join(', ')}`,
  );
  process.exit(2);
}
const count = (flag, text) => {
  if (text === undefined) return undefined;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value <= 0) {
    console.error(`--${flag}: expected a positive whole number, got "${text}"`);
    process.exit(2);
  }
  return value;
};
if (values.profile) {
  fs.mkdirSync(values.profile, { recursive: true });
  process.env.PAYOPS_BENCH_PROFILE_DIR = path.resolve(values.profile);
}
const log = (message) =>
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);
const options = {
  quick: values.quick,
  tx: count('tx', values.tx),
  batch: count('batch', values.batch),
  entries: count('entries', values.entries),
  orders: count('orders', values.orders),
  sellers: count('sellers', values.sellers),
  scale: values.scale?.split(',').map((size) => count('scale', size)),
  log,
};

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  sqlite: new Sqlite(':memory:').prepare('SELECT sqlite_version()').pluck().get(),
  platform: `${os.platform()} ${os.release()}`,
  // The 1-minute load average before and after: above the core count, others shared the machine.
  loadAverage: { start: Number(os.loadavg()[0].toFixed(2)) },
};
const started = Date.now();
const results = [];
for (const name of selected) {
  const result = await STAGES[name]({ ...options, previous: results });
  results.push(result);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
machine.loadAverage.end = Number(os.loadavg()[0].toFixed(2));
const commit =
  spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout?.trim() || null;
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results.json');
const command = `node bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim();
fs.writeFileSync(
  out,
  `${JSON.stringify({ at: new Date(started).toISOString(), minutes: Number(((Date.now() - started) / 60_000).toFixed(1)), mode: values.quick ? 'quick' : 'full', command, commit, machine, results }, null, 2)}\n`,
);
log(`results written to ${out}`);
