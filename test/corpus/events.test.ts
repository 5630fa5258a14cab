import path from 'node:path';
import { EVENT_CASES } from './events.cases.js';
import { CORPUS_DIR, runCorpus, run } from './harness.js';

runCorpus(
  {
    title: 'bad-input corpus: event files (payops payin run)',
    command: (input, args) => ['payin', 'run', input as string, ...args],
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
        run([
          'payin',
          'run',
          path.join(CORPUS_DIR, 'given', 'deliveries.ndjson'),
          '--rejects',
          `${db}.rejects`,
          '--db',
          db,
        ]);
      },
    },
    idsQuery: 'SELECT event_id FROM events ORDER BY event_id',
    rejectsFile: (input) => `${input}.rejects.ndjson`,
  },
  EVENT_CASES,
);
