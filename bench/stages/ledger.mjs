// Ledger stage (issue 2): post N two-entry transactions in batches with full durability, against
// a bare better-sqlite3 baseline writing the same rows in the same run; then time the balance
// report (the whole CLI process) against ledger-cli on the exported journal of the same book.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT, measureCommand, measureNode, median, round } from './measure.mjs';

export default async function ledgerStage({ quick, tx, batch, log }) {
  const n = tx ?? (quick ? 20_000 : 1_000_000);
  const batchSize = batch ?? 10_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payops-bench-ledger-'));
  try {
    const db = path.join(dir, 'ledger.db');
    log(`ledger: posting ${n} transactions in batches of ${batchSize} (WAL, synchronous=FULL)`);
    const posted = measureNode([path.join(ROOT, 'bench', 'stages', 'ledger-post.mjs'), String(n), String(batchSize), db]);
    const postSeconds = JSON.parse(posted.stdout).seconds;

    log('ledger: bare better-sqlite3 baseline, same rows, same batches, same durability');
    const bare = measureNode([path.join(ROOT, 'bench', 'stages', 'ledger-baseline.mjs'), String(n), String(batchSize), path.join(dir, 'baseline.db')]);
    const bareSeconds = JSON.parse(bare.stdout).seconds;

    log('ledger: payops ledger balance (whole CLI process, median of 5)');
    const balanceRuns = Array.from({ length: 5 }, () => measureNode([BIN, 'ledger', 'balance', '--db', db]).seconds);
    const asOfRuns = Array.from({ length: 5 }, () => measureNode([BIN, 'ledger', 'balance', '--as-of', '2026-11-23T12:00:00Z', '--db', db]).seconds);

    log('ledger: export for ledger-cli, then `ledger balance` (median of 3, 10 minutes at most each)');
    const journal = path.join(dir, 'ledger.journal');
    const exported = spawnSync(process.execPath, [BIN, 'ledger', 'export', '--format', 'hledger', '--out', journal, '--db', db], { encoding: 'utf8' });
    if (exported.status !== 0) throw new Error(exported.stderr);
    const ledgerCliRuns = [];
    let ledgerCli = { seconds: null, reason: 'not run' };
    for (let i = 0; i < 3; i++) {
      ledgerCli = measureCommand('ledger', ['-f', journal, 'balance'], 600_000);
      if (ledgerCli.seconds === null) break;
      ledgerCliRuns.push(ledgerCli.seconds);
    }
    const payopsBalance = median(balanceRuns);
    const ledgerCliBalance = ledgerCliRuns.length > 0 ? median(ledgerCliRuns) : null;
    const perSecond = Math.round(n / postSeconds);
    const barePerSecond = Math.round(n / bareSeconds);
    return {
      stage: 'ledger',
      n,
      batch: batchSize,
      seconds: round(postSeconds),
      perSecond,
      peakRssMb: posted.peakRssMb,
      target: { perSecond: 40_000, ratio: 0.333, balanceSpeedup: 100 },
      baseline: { what: 'bare better-sqlite3: 1 journal + 2 entry rows per transaction, no indexes/triggers/hashing, same pragmas and batches', seconds: round(bareSeconds), perSecond: barePerSecond, peakRssMb: bare.peakRssMb },
      ratio: round(perSecond / barePerSecond, 3),
      balance: {
        payopsCliSeconds: round(payopsBalance, 3),
        payopsAsOfCliSeconds: round(median(asOfRuns), 3),
        ledgerCliSeconds: round(ledgerCliBalance, 3),
        ledgerCliNote: ledgerCliBalance === null ? ledgerCli.reason : undefined,
        speedup: ledgerCliBalance === null ? null : round(ledgerCliBalance / payopsBalance, 1),
        journalMb: round(fs.statSync(journal).size / 1_048_576, 1),
      },
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
