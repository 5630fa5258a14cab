import path from 'node:path';
import { BANK_CASES } from './bank.cases.js';
import { CORPUS_DIR, run, runCorpus } from './harness.js';

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

runCorpus(
  {
    title: 'bad-input corpus: bank statements (payops reconcile bank)',
    command: (input, args) => ['reconcile', 'bank', input as string, '--non-interactive', ...args],
    givens: { book: charged },
    idsQuery: `SELECT 'run ' || id || ': ' || format FROM recon_runs WHERE psp = 'bank'
               UNION ALL SELECT 'statement ' || statement_ref FROM bank_statements
               UNION ALL SELECT 'entry ' || id || ' at line ' || line FROM bank_entries`,
  },
  BANK_CASES,
);
