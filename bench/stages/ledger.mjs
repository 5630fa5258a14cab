// Ledger stage: post N two-entry transactions through payops' Ledger in batches, with full
// durability (WAL, synchronous=FULL), against bare better-sqlite3 writing the same rows in the
// same run. Targets: ≥ 40,000 transactions/s and ≥ 1/3 of the bare rate.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, loadAverage, measureNode, round } from './measure.mjs';

export default async function ledgerStage({ quick, tx, batch, log }) {
  const n = tx ?? (quick ? 20_000 : 1_000_000);
  const batchSize = batch ?? 10_000;
  const load = [loadAverage()];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payops-bench-ledger-'));
  try {
    log(`ledger: posting ${n} transactions in batches of ${batchSize} (WAL, synchronous=FULL)`);
    const posted = measureNode(
      [
        path.join(ROOT, 'bench', 'stages', 'ledger-post.mjs'),
        String(n),
        String(batchSize),
        path.join(dir, 'ledger.db'),
      ],
      { profile: 'ledger-post' },
    );
    const seconds = JSON.parse(posted.stdout).seconds;

    log('ledger: bare better-sqlite3, the same rows, batches and durability');
    const bare = measureNode([
      path.join(ROOT, 'bench', 'stages', 'ledger-baseline.mjs'),
      String(n),
      String(batchSize),
      path.join(dir, 'baseline.db'),
    ]);
    const bareSeconds = JSON.parse(bare.stdout).seconds;
    load.push(loadAverage());

    const perSecond = Math.round(n / seconds);
    const barePerSecond = Math.round(n / bareSeconds);
    const ratio = round(perSecond / barePerSecond, 3);
    return {
      stage: 'ledger',
      n,
      seconds: round(seconds),
      perSecond,
      peakRssMb: posted.peakRssMb,
      batch: batchSize,
      baseline: {
        what: 'bare better-sqlite3: the same journal and entry rows (hashes, running balances), no indexes/constraints/triggers/hashing/validation, same pragmas and batches',
        seconds: round(bareSeconds),
        perSecond: barePerSecond,
        peakRssMb: bare.peakRssMb,
      },
      ratio,
      target: { perSecond: 40_000, ratio: 0.333 },
      meets: { perSecond: perSecond >= 40_000, ratio: ratio >= 0.333 },
      load,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
