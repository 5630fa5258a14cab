// Pay-in stage: generate N checkout events (one order each), run `payops payin run` with the sim
// PSP (no faults) on a fresh database with full durability, and report orders/s and peak RSS of
// the payops process; then, in the same run, a bare better-sqlite3 baseline that inserts the same
// number of orders (one row each, no indexes, same pragmas and batch size); then `payops check`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT, measureNode as timed, round } from './measure.mjs';

export default async function payin({ quick, orders, log }) {
  const n = orders ?? (quick ? 20_000 : 100_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payops-bench-payin-'));
  try {
    const events = path.join(dir, 'events.ndjson');
    log(`pay-in: generating ${n} events`);
    const generated = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'generate-events.mjs'), '--events', String(n), '--max-orders', '1', '--sellers', '1000', '--seed', '1', '--out', events], { encoding: 'utf8' });
    if (generated.status !== 0) throw new Error(generated.stderr);
    const db = path.join(dir, 'bench.db');
    spawnSync(process.execPath, [BIN, 'init', '--db', db]);

    log(`pay-in: payops payin run (${n} orders, sim PSP, no faults)`);
    const run = timed([BIN, 'payin', 'run', events, '--db', db, '--json']);
    const summary = JSON.parse(run.stdout);
    const attempted = summary.orders.attempted;
    if (summary.orders.accepted !== n || attempted !== n) throw new Error(`expected ${n} orders, got ${JSON.stringify(summary.orders)}`);

    log('pay-in: bare better-sqlite3 baseline (one row per order, same pragmas and batch size)');
    const baseline = timed([path.join(ROOT, 'bench', 'stages', 'payin-baseline.mjs'), String(n), path.join(dir, 'baseline.db')]);

    log('pay-in: payops check');
    const check = timed([BIN, 'check', '--db', db, '--json']);
    if (!JSON.parse(check.stdout).ok) throw new Error('payops check failed after the benchmark run');

    const perSecond = Math.round(n / run.seconds);
    const baselinePerSecond = Math.round(n / baseline.seconds);
    return {
      stage: 'payin',
      n,
      seconds: round(run.seconds),
      perSecond,
      peakRssMb: run.peakRssMb,
      target: { perSecond: 20_000, peakRssMb: 400 },
      baseline: { what: 'bare better-sqlite3, one INSERT per order, no indexes, WAL + synchronous=FULL, 4,000 per transaction', seconds: round(baseline.seconds), perSecond: baselinePerSecond, peakRssMb: baseline.peakRssMb },
      ratio: round(perSecond / baselinePerSecond, 3),
      check: { seconds: round(check.seconds), peakRssMb: check.peakRssMb },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
