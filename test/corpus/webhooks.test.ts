import path from 'node:path';
import { CORPUS_DIR, run, runCorpus } from './harness.js';
import { WEBHOOK_CASES, WEBHOOK_CORPUS_SECRET } from './webhooks.cases.js';

/** Port 1 of loopback: nothing answers, so the http PSP's charge is "not sent" and scheduled for a retry. */
const NOBODY = 'http://127.0.0.1:1';

runCorpus(
  {
    title: 'bad-input corpus: recorded webhook deliveries (payops webhooks replay)',
    command: (input, args) => ['webhooks', 'replay', input as string, ...args],
    env: { PAYOPS_WEBHOOK_SECRET: WEBHOOK_CORPUS_SECRET },
    givens: {
      book: (db) => {
        run([
          'payin',
          'run',
          path.join(CORPUS_DIR, 'given', 'book.ndjson'),
          '--rejects',
          `${db}.rejects`,
          '--db',
          db,
        ]);
        run(
          [
            'payin',
            'run',
            path.join(CORPUS_DIR, 'given', 'http-order.ndjson'),
            '--psp',
            'http',
            '--psp-url',
            NOBODY,
            '--rejects',
            `${db}.rejects`,
            '--db',
            db,
          ],
          6,
        );
      },
    },
    idsQuery: 'SELECT event_id FROM webhook_events ORDER BY event_id',
  },
  WEBHOOK_CASES,
);
