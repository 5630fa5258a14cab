// Pay-in stage: generate N checkout events (one order each), run `payops payin run` with the sim
// PSP (no faults) on a fresh database with full durability, and report orders/s and the peak RSS
// of the payops process; then, in the same run, bare better-sqlite3 inserting one plain row per
// order (same pragmas); then `payops check` on the book. Targets: ≥ 20,000 orders/s, < 400 MB.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, GENERATE_EVENTS, ROOT, loadAverage, measureNode, round, runNode } from './measure.mjs';

export const PAYIN_TARGET = { perSecond: 20_000, peakRssMb: 400 };

/** One `payops payin run` of N one-order checkouts on a fresh book; used by the scaling stage too. */
export function runPayin({ n, dir, log, profile }) {
  const events = path.join(dir, 'events.ndjson');
  log(`pay-in: generating ${n} events`);
  runNode([GENERATE_EVENTS, '--events', String(n), '--max-orders', '1', '--sellers', '1000', '--seed', '1', '--out', events]);
  const db = path.join(dir, 'bench.db');
  runNode([BIN, 'init', '--db', db]);
  log(`pay-in: payops payin run (${n} orders, sim PSP, no faults)`);
  const run = measureNode([BIN, 'payin', 'run', events, '--db', db, '--json'], { profile });
  const summary = JSON.parse(run.stdout);
  if (summary.orders.accepted !== n || summary.orders.attempted !== n) throw new Error(`expected ${n} orders, got ${JSON.stringify(summary.orders)}`);
  fs.rmSync(events);
  return { db, seconds: run.seconds, peakRssMb: run.peakRssMb, dbMb: round(fs.statSync(db).size / 1_048_576) };
}

export default async function payinStage({ quick, orders, log }) {
  const n = orders ?? (quick ? 20_000 : 1_000_000);
  const load = [loadAverage()];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payops-bench-payin-'));
  try {
    const run = runPayin({ n, dir, log, profile: 'payin-run' });

    log('pay-in: bare better-sqlite3 baseline (one row per order, same pragmas)');
    const baseline = measureNode([path.join(ROOT, 'bench', 'stages', 'payin-baseline.mjs'), String(n), path.join(dir, 'baseline.db')]);

    log('pay-in: payops check');
    const check = measureNode([BIN, 'check', '--db', run.db, '--json'], { profile: 'payin-check' });
    if (!JSON.parse(check.stdout).ok) throw new Error('payops check failed after the benchmark run');
    load.push(loadAverage());

    const perSecond = Math.round(n / run.seconds);
    const baselinePerSecond = Math.round(n / baseline.seconds);
    return {
      stage: 'payin',
      n,
      seconds: round(run.seconds),
      perSecond,
      peakRssMb: run.peakRssMb,
      dbMb: run.dbMb,
      baseline: { what: 'bare better-sqlite3, one INSERT per order, no indexes, WAL + synchronous=FULL, 4,000 per transaction', seconds: round(baseline.seconds), perSecond: baselinePerSecond, peakRssMb: baseline.peakRssMb },
      ratio: round(perSecond / baselinePerSecond, 3),
      check: { seconds: round(check.seconds), peakRssMb: check.peakRssMb },
      target: PAYIN_TARGET,
      meets: { perSecond: perSecond >= PAYIN_TARGET.perSecond, peakRssMb: run.peakRssMb !== null && run.peakRssMb < PAYIN_TARGET.peakRssMb },
      load,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
