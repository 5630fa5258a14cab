import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { type TestBook, tempBook } from '../reconcile/book.js';
import { BATCH, importStatements, settledAndPaidOut } from './book.js';
import { bankEntry, statementOf } from './statements.js';
import { checkBooks } from '../helpers/check.js';

/** A process that imports one statement through dist/ (npm run build first) and is killed at a failpoint. */
const CHILD = `
import { openDatabase } from ${JSON.stringify(path.join(REPO_ROOT, 'dist/db/index.js'))};
import { reconcileStatement } from ${JSON.stringify(path.join(REPO_ROOT, 'dist/bank/run.js'))};
import { SqliteStatementImportStore } from ${JSON.stringify(path.join(REPO_ROOT, 'dist/bank/sqlite-statement-import-store.js'))};
import { DEFAULT_BANK_RULES } from ${JSON.stringify(path.join(REPO_ROOT, 'dist/bank/rules.js'))};
const [dbFile, payoutId, batch] = process.argv.slice(2);
const entry = (line, direction, amountMinor, text) => ({ line, direction, amountMinor, currency: 'USD', bookingDate: '2026-11-24', valueDate: null, accountServicerRef: 'R' + line,
  typeCode: null, bankCharge: false, reversal: false, transactions: [{ amountMinor: null, endToEndId: null, remittance: text, counterparty: null }] });
async function* parts() {
  yield { kind: 'statement', header: { line: 1, statementId: 'S1', account: 'DE89370400440532013000', currency: 'USD', opening: { amountMinor: 0n, date: '2026-11-24' } } };
  yield { kind: 'entry', entry: entry(2, 'credit', 6440n, batch) };
  yield { kind: 'entry', entry: entry(3, 'debit', 2400n, payoutId) };
  yield { kind: 'end', footer: { closing: { amountMinor: 4040n, date: '2026-11-24' }, line: 4 }, skipped: 0 };
}
const db = openDatabase(dbFile);
await reconcileStatement(new SqliteStatementImportStore(db), { name: 'day.xml', sha256: 'a'.repeat(64), bytes: 1, format: 'camt053', parts: parts() }, { rules: DEFAULT_BANK_RULES, dryRun: false, by: 'chaos', clock: Date.now });
console.log('finished');
`;

const TABLES = [
  'ledger_transactions',
  'bank_statements',
  'bank_entries',
  'bank_matches',
  'recon_runs',
  'recon_items',
  'recon_decisions',
];

describe('a crash while a statement is imported leaves nothing', () => {
  let db: Database;
  let book: TestBook;
  let cleanup: () => void;
  let payoutId: string;

  beforeEach(async () => {
    ({ db, book, cleanup } = tempBook());
    payoutId = await settledAndPaidOut(book);
  });
  afterEach(() => cleanup());

  for (const point of ['bank.after-import', 'bank.after-posting']) {
    it(`killed at ${point}: no statement, entry, posting, match or item; the file then imports whole`, async () => {
      const counts = () =>
        TABLES.map((table) => db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get());
      const before = counts();
      const script = path.join(book.dir, 'child.mjs');
      fs.writeFileSync(script, CHILD);
      const child = spawnSync(
        process.execPath,
        [script, path.join(book.dir, 'test.db'), payoutId, BATCH],
        { env: { ...process.env, PAYOPS_FAILPOINTS: point }, encoding: 'utf8' },
      );
      expect(child.stderr).toBe('');
      expect(child.signal).toBe('SIGKILL');
      expect(counts()).toEqual(before);
      expect((await checkBooks(db)).ok).toBe(true);
      const outcome = await importStatements(book, 'day.xml', [
        statementOf([
          bankEntry('credit', 6440n, { text: BATCH, accountServicerRef: 'R2' }),
          bankEntry('debit', 2400n, { text: payoutId, accountServicerRef: 'R3' }),
        ]),
      ]);
      expect(outcome.summary.bank.matchedPayouts).toEqual({ psp: 1, seller: 1 });
    });
  }

  it('the child finishes without a failpoint (the harness itself works)', () => {
    const script = path.join(book.dir, 'child.mjs');
    fs.writeFileSync(script, CHILD);
    const child = spawnSync(
      process.execPath,
      [script, path.join(book.dir, 'test.db'), payoutId, BATCH],
      { encoding: 'utf8' },
    );
    expect(child.stdout.trim()).toBe('finished');
    expect(db.prepare('SELECT COUNT(*) FROM bank_matches').pluck().get()).toBe(2n);
  });
});
