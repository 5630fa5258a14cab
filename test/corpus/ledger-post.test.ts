import path from 'node:path';
import { CORPUS_DIR, runCorpus, run } from './harness.js';
import { LEDGER_POST_CASES } from './ledger-post.cases.js';

runCorpus(
  {
    title: 'bad-input corpus: ledger post files (payops ledger post --file)',
    command: (input, args) => ['ledger', 'post', '--file', input as string, ...args],
    givens: {
      opening: (db) =>
        run([
          'ledger',
          'post',
          '--file',
          path.join(CORPUS_DIR, 'given', 'opening.ndjson'),
          '--db',
          db,
        ]),
    },
    idsQuery: 'SELECT idempotency_key FROM ledger_transactions ORDER BY idempotency_key',
  },
  LEDGER_POST_CASES,
);
