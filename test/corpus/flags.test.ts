import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { payops, tempDir } from '../helpers/cli.js';
import { DATABASE_FLAG_CASES, FLAG_CASES } from './flags.cases.js';
import { CORPUS_DIR, runCorpus, run } from './harness.js';
import { WEBHOOK_CORPUS_SECRET } from './webhooks.cases.js';

runCorpus(
  {
    title: 'bad-input corpus: flags and arguments',
    command: (_input, args) => [...args],
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
          'ledger',
          'post',
          '--file',
          path.join(CORPUS_DIR, 'given', 'opening.ndjson'),
          '--db',
          db,
        ]);
      },
    },
    idsQuery:
      'SELECT event_id FROM events UNION ALL SELECT idempotency_key FROM ledger_transactions',
    rejectsFile: (input) => `${input}.rejects.ndjson`,
    // Set, so that the webhook commands get past it to the flag at fault.
    env: { PAYOPS_WEBHOOK_SECRET: WEBHOOK_CORPUS_SECRET },
  },
  FLAG_CASES,
);

describe('bad-input corpus: the database flag', () => {
  it.each(DATABASE_FLAG_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { dir, cleanup } = tempDir();
    try {
      const db = c.db === 'dir' ? dir : path.join(dir, 'missing.db');
      const result = payops([...c.args, '--db', db]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(c.message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      cleanup();
    }
  });
});
