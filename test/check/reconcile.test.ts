import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { Ledger } from '../../src/ledger/index.js';
import { tempDatabase } from '../helpers/db.js';
import { TestBook, USD, capture, lined, payout } from '../reconcile/book.js';
import { checkBooks } from '../helpers/check.js';

const NAME =
  'settlements post each row once; every reconciliation posting has its decision; resolved batches hold their payout';

describe('payops check: reconciliation', () => {
  let db: Database;
  let cleanup: () => void;

  beforeEach(async () => {
    let file: string;
    ({ db, file, cleanup } = tempDatabase());
    const book = new TestBook(db, path.dirname(file));
    await book.charge([
      ['ord_1', '25.00'],
      ['ord_2', '10.00'],
    ]);
    const rows = [capture('ord_1', 2500n), capture('ord_2', 1000n)];
    await book.reconcile('day.csv', lined([...rows, payout('po_1', rows)]));
  });
  afterEach(() => cleanup());

  const problems = async () =>
    (await checkBooks(db)).results.find((result) => result.name === NAME);

  it('passes on reconciled books', async () => {
    expect(await problems()).toEqual({
      name: NAME,
      ok: true,
      details: ['1 settlements, 0 decisions'],
    });
  });

  it('catches a settlement that no longer adds up to its rows, and the batch that no longer holds its payout', async () => {
    db.prepare('UPDATE recon_settlements SET net_minor = net_minor + 1').run();
    expect(await problems()).toMatchObject({
      ok: false,
      details: [
        'settlement 1 (rows, batch po_1 USD): its rows net 3440, it records 3441',
        'settlement 1 (rows, batch po_1 USD): transaction 5 moved 3440 to the bank, not 3441',
        'batch po_1 (sim) is resolved, yet the books moved 34.41 USD to the bank for a payout of 34.40 USD',
      ],
    });
  });

  it('catches a matched row of a paid-out batch that never reached the bank', async () => {
    db.prepare('UPDATE recon_rows SET settlement_id = NULL WHERE line = 2').run();
    expect((await problems())?.details).toContain(
      'day.csv:2 is matched in paid-out batch po_1 but never reached the bank',
    );
  });

  it('catches a reconciliation posting that no decision made', async () => {
    new Ledger(db).post({
      idempotencyKey: 'reconcile.accept:rm_forged:1',
      kind: 'reconcile.accept',
      description: 'forged',
      effectiveAt: '2026-11-23T12:00:00Z',
      entries: [
        { account: 'assets:bank:operating', currency: USD, direction: 'debit', amountMinor: 100n },
        {
          account: 'expenses:reconciliation:adjustments',
          currency: USD,
          direction: 'credit',
          amountMinor: 100n,
        },
      ],
    });
    expect((await problems())?.details).toEqual([
      expect.stringMatching(/^tx \d+ \(reconcile\.accept\) was posted by no recorded decision$/),
    ]);
  });
});
