// Reconciliation stage (issue 6): N settlement rows against a book of N orders. The book is seeded
// through payops' own intake and executor in process (reconcile-seed.mjs: minutes for a million,
// not measured); then the measured work is the real `payops reconcile run` process, whose wall time
// and own peak RSS are reported; then the same file again (recognised, nothing changes) and
// `payops check` on the reconciled book.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT, measureNode as timed, round } from './measure.mjs';

export default async function reconcile({ quick, orders, log }) {
  const n = orders ?? (quick ? 20_000 : 1_000_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payops-bench-reconcile-'));
  try {
    const db = path.join(dir, 'bench.db');
    const file = path.join(dir, 'settlement.csv');
    log(
      `reconcile: seeding ${n} orders through intake and executor, and their settlement file (not measured)`,
    );
    const seed = timed([
      path.join(ROOT, 'bench', 'stages', 'reconcile-seed.mjs'),
      String(n),
      db,
      file,
      path.join(dir, 'events.ndjson'),
    ]);
    const seeded = JSON.parse(seed.stdout);

    log(`reconcile: payops reconcile run (${seeded.rows} rows against ${n} orders)`);
    const run = timed([BIN, 'reconcile', 'run', file, '--db', db, '--non-interactive', '--json']);
    const summary = JSON.parse(run.stdout);
    const matched = summary.classes.find((line) => line.class === 'matched');
    if (summary.openCount !== 0 || matched?.records !== n)
      throw new Error(
        `expected ${n} matched records and nothing open, got ${JSON.stringify(summary.classes)}`,
      );

    log('reconcile: the same file again (recognised by its bytes; nothing changes)');
    const again = timed([BIN, 'reconcile', 'run', file, '--db', db, '--non-interactive', '--json']);
    if (JSON.parse(again.stdout).status !== 'already_imported')
      throw new Error('the second import was not recognised');

    log('reconcile: payops check on the reconciled book');
    const check = timed([BIN, 'check', '--db', db, '--json']);
    if (!JSON.parse(check.stdout).ok) throw new Error('payops check failed after reconciliation');

    return {
      stage: 'reconcile',
      n,
      rows: seeded.rows,
      seconds: round(run.seconds),
      rowsPerSecond: Math.round(seeded.rows / run.seconds),
      peakRssMb: run.peakRssMb,
      target: { seconds: 30, peakRssMb: 600 },
      fileMb: round(fs.statSync(file).size / 2 ** 20, 1),
      again: { seconds: round(again.seconds), peakRssMb: again.peakRssMb },
      check: { seconds: round(check.seconds), peakRssMb: check.peakRssMb },
      seed: {
        seconds: round(seeded.seededSeconds),
        how: 'real intake + PayinExecutor in process, a PSP answering at once (no simulated-PSP bookkeeping)',
      },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
