import path from 'node:path';
import { CORPUS_DIR, run, runCorpus } from './harness.js';
import { SETTLEMENT_CASES } from './settlement.cases.js';

const charged = (db: string) =>
  run([
    'payin',
    'run',
    path.join(CORPUS_DIR, 'given', 'book.ndjson'),
    '--rejects',
    `${db}.rejects`,
    '--db',
    db,
  ]);
const reconciled = (file: string, exit: number) => (db: string) => {
  charged(db);
  run(
    [
      'reconcile',
      'run',
      path.join(CORPUS_DIR, 'settlement', file),
      '--non-interactive',
      '--db',
      db,
    ],
    exit,
  );
};

runCorpus(
  {
    title: 'bad-input corpus: settlement, mapping and rules files (payops reconcile run)',
    command: (input, args) => ['reconcile', 'run', input as string, '--non-interactive', ...args],
    givens: {
      book: charged,
      reconciled: reconciled('payops-good.csv', 0),
      'imported-bad': reconciled('payops-one-bad-row.csv', 3),
    },
    idsQuery: `SELECT 'run ' || id || ': ' || rows_read || ' read, ' || rows_rejected || ' rejected' FROM recon_runs
               UNION ALL SELECT 'run ' || run_id || ' row ' || coalesce(psp_reference, 'at line ' || line) FROM recon_rows`,
  },
  SETTLEMENT_CASES,
);
