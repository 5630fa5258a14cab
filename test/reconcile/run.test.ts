import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { balances } from '../../src/ledger/index.js';
import { showOrder } from '../../src/payments/queries.js';
import { SqliteOrderReads } from '../../src/payments/sqlite-order-reads.js';
import { sqliteDecisions } from '../../src/reconcile/sqlite-recon-stores.js';
import { ReconStore } from '../../src/reconcile/store.js';
import type { SettlementRow } from '../../src/reconcile/types.js';
import {
  BANK_OPERATING_ACCOUNT,
  EUR,
  IN_TRANSIT,
  type TestBook,
  capture,
  lined,
  payout,
  settlementRow,
  tempBook,
} from './book.js';
import { checkBooks, verifyBooks } from '../helpers/check.js';

function balanceOf(db: Database, account: string, currency = 'USD'): bigint {
  return (
    balances(db).find((row) => row.account === account && row.currency === currency)
      ?.balanceMinor ?? 0n
  );
}

function openItems(db: Database) {
  return new ReconStore(db)
    .openItems()
    .map((item) => ({ class: item.class, subject: item.subject, amountMinor: item.amountMinor }));
}

describe('reconcile run', () => {
  let db: Database;
  let cleanup: () => void;
  let book: TestBook;
  const decisions = () => sqliteDecisions(db, { clock: book.clock, by: 'tester', runId: null });

  beforeEach(() => ({ db, book, cleanup } = tempBook()));
  afterEach(() => cleanup());

  it('matches every row, settles the batch to the bank, and leaves nothing open', async () => {
    await book.charge([
      ['ord_1', '25.00'],
      ['ord_2', '10.00'],
    ]);
    const rows = [capture('ord_1', 2500n), capture('ord_2', 1000n)];
    const outcome = await book.reconcile('day1.csv', lined([...rows, payout('po_1', rows)]));
    expect(outcome.status).toBe('reconciled');
    expect(outcome.summary.openCount).toBe(0);
    expect(outcome.summary.classes).toEqual([
      { class: 'matched', rows: 3, records: 2, money: [{ currency: 'USD', amountMinor: '3500' }] },
    ]);
    expect(outcome.summary.batches).toEqual([
      expect.objectContaining({
        batchId: 'po_1',
        capturesMinor: '3500',
        feesMinor: '60',
        rowsNetMinor: '3440',
        payoutMinor: '3440',
        differenceMinor: '0',
        settledMinor: '3440',
        status: 'balanced',
      }),
    ]);
    expect(balanceOf(db, IN_TRANSIT)).toBe(3440n);
    // In transit until a bank statement shows the credit: the operating account has not moved.
    expect(balanceOf(db, BANK_OPERATING_ACCOUNT)).toBe(0n);
    expect(balanceOf(db, 'assets:psp:sim:receivable')).toBe(0n);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('puts every row and every expected record in exactly one class', async () => {
    await book.charge([
      ['ord_1', '25.00'],
      ['ord_2', '25.00'],
      ['ord_3', '25.00'],
      ['ord_4', '25.00'],
      ['ord_7', '7.00'],
    ]);
    await book.charge(
      [
        ['ord_5', '5.00'],
        ['ord_6', '6.00'],
      ],
      {
        ord_5: { status: 'pending', pspReference: 'ch_ord_5' },
        ord_6: { status: 'declined', pspReference: 'ch_ord_6', reason: 'card_declined' },
      },
    );
    book.now = Date.parse('2026-11-26T08:00:00Z');
    await book.charge([['ord_8', '8.00']]);
    const rows: SettlementRow[] = [
      capture('ord_1', 2500n, { occurredAt: '2026-11-26T12:00:00.000Z' }),
      capture('ord_2', 2600n),
      capture('ord_3', 2500n, { feeMinor: 40n }),
      capture('ord_4', 2500n, { currency: EUR, batchId: 'po_eur' }),
      capture('ord_5', 500n),
      capture('ord_6', 600n),
      capture('ord_1', 2500n),
      capture('ord_x', 999n, { pspReference: 'ch_unknown' }),
    ];
    const all = lined([...rows, payout('po_1', rows, 2470n + 2570n + 2460n)]);
    const outcome = await book.reconcile('day.csv', all, {
      rules: { completePendingOrders: false },
    });
    const byClass = Object.fromEntries(
      outcome.summary.classes.map((line) => [
        line.class,
        { rows: line.rows, records: line.records },
      ]),
    );
    expect(byClass).toEqual({
      matched: { rows: 1, records: 1 },
      pending: { rows: 0, records: 1 },
      missing_external: { rows: 0, records: 1 },
      missing_internal: { rows: 1, records: 0 },
      amount_mismatch: { rows: 1, records: 1 },
      fee_mismatch: { rows: 1, records: 1 },
      currency_mismatch: { rows: 1, records: 1 },
      status_mismatch: { rows: 2, records: 2 },
      duplicate: { rows: 1, records: 0 },
      batch_total_mismatch: { rows: 1, records: 0 },
    });
    // Rows: 9 (8 + payout). Records: 8 orders, ord_1..ord_8, each once.
    expect(outcome.summary.classes.reduce((sum, line) => sum + line.rows, 0)).toBe(9);
    expect(outcome.summary.classes.reduce((sum, line) => sum + line.records, 0)).toBe(8);
    expect(openItems(db)).toEqual(
      expect.arrayContaining([
        { class: 'amount_mismatch', subject: 'capture:ch_ord_2', amountMinor: 100n },
        { class: 'fee_mismatch', subject: 'capture:ch_ord_3', amountMinor: 10n },
        { class: 'currency_mismatch', subject: 'capture:ch_ord_4', amountMinor: 2500n },
        { class: 'status_mismatch', subject: 'capture:ch_ord_5', amountMinor: 500n },
        { class: 'status_mismatch', subject: 'capture:ch_ord_6', amountMinor: 600n },
        { class: 'missing_internal', subject: 'capture:ch_unknown', amountMinor: 999n },
        { class: 'missing_external', subject: 'capture:ord_7', amountMinor: 700n },
        expect.objectContaining({ class: 'duplicate', amountMinor: 2500n }),
        expect.objectContaining({ class: 'batch_total_mismatch', subject: 'batch:po_1:USD' }),
      ]),
    );
    // pending is counted quietly: no item, not in the open count.
    expect(openItems(db).some((item) => item.class === 'pending')).toBe(false);
    expect(outcome.summary.openCount).toBe(9);
    // Only the matched row moved money; nothing else touched the bank.
    expect(balanceOf(db, IN_TRANSIT)).toBe(2470n);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('lists pending records as items when the rules say so', async () => {
    await book.charge([['ord_1', '25.00']]);
    const outcome = await book.reconcile(
      'day.csv',
      lined([
        settlementRow({ type: 'fee', pspReference: 'fee_1', grossMinor: 0n, feeMinor: 100n }),
      ]),
      { rules: { quietPending: false } },
    );
    expect(openItems(db)).toEqual([
      { class: 'pending', subject: 'capture:ord_1', amountMinor: 2500n },
    ]);
    expect(outcome.summary.open).toEqual([
      { class: 'pending', rows: 1, records: 0, money: [{ currency: 'USD', amountMinor: '2500' }] },
    ]);
  });

  it('gives each item a life across runs: new, persisting, then resolved by a late settlement', async () => {
    await book.charge([
      ['ord_1', '25.00'],
      ['ord_2', '10.00'],
    ]);
    const first = lined([capture('ord_1', 2500n, { batchId: 'po_1' })]);
    const one = await book.reconcile(
      'day1.csv',
      [...first, ...lined([payout('po_1', first)]).map((row) => ({ ...row, line: 3 }))],
      { rules: { quietPending: false } },
    );
    expect(one.summary.life).toEqual({ new: 1, persisting: 0, resolved: 0 });
    const pendingItem = new ReconStore(db).openItems()[0];
    expect(pendingItem).toMatchObject({ class: 'pending', subject: 'capture:ord_2' });

    book.now = Date.parse('2026-11-27T08:00:00Z');
    const unrelated = lined([
      settlementRow({
        type: 'fee',
        pspReference: 'fee_2',
        grossMinor: 0n,
        feeMinor: 5n,
        batchId: null,
        occurredAt: '2026-11-26T10:00:00.000Z',
      }),
    ]);
    const two = await book.reconcile('day4.csv', unrelated, { rules: { quietPending: false } });
    expect(two.summary.life).toEqual({ new: 0, persisting: 1, resolved: 0 });
    expect(new ReconStore(db).openItems()).toEqual([
      expect.objectContaining({ itemId: pendingItem?.itemId, class: 'missing_external' }),
    ]);

    const late = lined([
      capture('ord_2', 1000n, { batchId: 'po_5', occurredAt: '2026-11-27T10:00:00.000Z' }),
    ]);
    const three = await book.reconcile(
      'day5.csv',
      [...late, { ...payout('po_5', late), line: 3 }],
      { rules: { quietPending: false } },
    );
    expect(three.summary.life).toEqual({ new: 0, persisting: 0, resolved: 1 });
    expect(new ReconStore(db).item(pendingItem?.itemId as string)).toMatchObject({
      status: 'resolved',
      resolution: 'settled: reported by day5.csv:2',
    });
    expect(openItems(db)).toEqual([]);
    expect(balanceOf(db, IN_TRANSIT)).toBe(2470n + 970n);
    expect(balanceOf(db, 'assets:psp:sim:receivable')).toBe(-5n); // the standalone fee of day4, in no batch yet
  });

  it('imports the same bytes once: the second run changes nothing and says so', async () => {
    await book.charge([['ord_1', '25.00']]);
    const rows = lined([capture('ord_1', 2500n), payout('po_1', [capture('ord_1', 2500n)])]);
    const first = await book.reconcile('day.csv', rows);
    const head = (await verifyBooks(db)).headHash;
    const again = await book.reconcile('day.csv', rows);
    expect(again).toMatchObject({ status: 'already_imported', run: { id: first.run.id } });
    expect((await verifyBooks(db)).headHash).toBe(head);
  });

  it('rolls back a run that fails half-way: nothing imported, and the next attempt posts once', async () => {
    await book.charge([['ord_1', '25.00']]);
    const rows = lined([capture('ord_1', 2500n), payout('po_1', [capture('ord_1', 2500n)])]);
    async function* failing(): AsyncGenerator<SettlementRow> {
      yield rows[0] as SettlementRow;
      throw new Error('disk read failed');
    }
    const { reconcileFile } = await import('../../src/reconcile/run.js');
    const { DEFAULT_RULES } = await import('../../src/reconcile/rules.js');
    const { SqliteSettlementImportStore } = await import(
      '../../src/reconcile/sqlite-settlement-import-store.js'
    );
    await expect(
      reconcileFile(
        new SqliteSettlementImportStore(db),
        {
          name: 'day.csv',
          sha256: 'a'.repeat(64),
          bytes: 1,
          format: 'payops',
          rows: failing(),
          rejectedCount: () => 0,
        },
        { psp: 'sim', rules: DEFAULT_RULES, dryRun: false, by: 'tester', clock: book.clock },
      ),
    ).rejects.toThrow('disk read failed');
    expect(db.prepare('SELECT COUNT(*) AS n FROM recon_runs').get()).toEqual({ n: 0n });
    expect(
      db
        .prepare("SELECT COUNT(*) AS n FROM ledger_transactions WHERE kind LIKE 'settlement.%'")
        .get(),
    ).toEqual({ n: 0n });
    await book.reconcile('day.csv', rows);
    await book.reconcile('day.csv', rows);
    expect(
      db
        .prepare("SELECT COUNT(*) AS n FROM ledger_transactions WHERE kind LIKE 'settlement.%'")
        .get(),
    ).toEqual({ n: 1n });
    expect(balanceOf(db, IN_TRANSIT)).toBe(2470n);
  });

  it('--dry-run shows what the rules would do and writes nothing', async () => {
    await book.charge([['ord_1', '25.00']], {
      ord_1: { status: 'succeeded', pspReference: 'ch_ord_1', feeMinor: 30n },
    });
    const rows = [capture('ord_1', 2500n, { feeMinor: 33n })];
    const head = (await verifyBooks(db)).headHash;
    const dry = await book.reconcile('day.csv', lined([...rows, payout('po_1', rows)]), {
      dryRun: true,
      rules: {
        feeTolerance: new Map([[rows[0]!.currency, 5n]]),
        capPerRun: new Map([[rows[0]!.currency, 100n]]),
      },
    });
    expect(dry).toMatchObject({ status: 'reconciled', dryRun: true });
    expect(dry.summary.rules).toEqual([
      expect.objectContaining({
        rule: 'feeTolerance',
        class: 'fee_mismatch',
        applied: true,
        amountMinor: '3',
      }),
    ]);
    // Issue 15: the transactions a dry run rolls back never exist; it names none of them.
    expect(dry.summary.rules[0]?.message).toMatch(/would post 2 transactions/);
    expect(dry.summary.rules[0]?.message).not.toMatch(/#\d|posted/);
    expect((await verifyBooks(db)).headHash).toBe(head);
    expect(db.prepare('SELECT COUNT(*) AS n FROM recon_runs').get()).toEqual({ n: 0n });
  });

  it('rules: completes a pending order the PSP settled, books fee differences and write-offs within tolerance, up to the cap', async () => {
    await book.charge(
      [
        ['ord_1', '25.00'],
        ['ord_2', '25.00'],
        ['ord_3', '25.00'],
        ['ord_4', '25.00'],
      ],
      { ord_1: { status: 'pending', pspReference: 'ch_ord_1' } },
    );
    const rows = [
      capture('ord_1', 2500n),
      capture('ord_2', 2500n, { feeMinor: 32n }),
      capture('ord_3', 2495n),
      capture('ord_4', 2490n),
    ];
    const outcome = await book.reconcile('day.csv', lined([...rows, payout('po_1', rows)]), {
      rules: {
        feeTolerance: new Map([[rows[0]!.currency, 5n]]),
        writeOffTolerance: new Map([[rows[0]!.currency, 10n]]),
        capPerRun: new Map([[rows[0]!.currency, 10n]]),
      },
    });
    expect(
      outcome.summary.rules.map((action) => [action.rule, action.class, action.applied]),
    ).toEqual([
      ['completePendingOrders', 'status_mismatch', true],
      ['feeTolerance', 'fee_mismatch', true],
      ['writeOffTolerance', 'amount_mismatch', true],
      ['writeOffTolerance', 'amount_mismatch', false],
    ]);
    expect((await showOrder(new SqliteOrderReads(db), 'ord_1')).status).toBe('succeeded');
    // The rows add up to the payout: the open row explains the batch, which waits for it.
    expect(openItems(db)).toEqual([
      { class: 'amount_mismatch', subject: 'capture:ch_ord_4', amountMinor: -10n },
    ]);
    expect(balanceOf(db, 'expenses:reconciliation:write-offs')).toBe(5n);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it("decisions: accepting the PSP's figures and the batch residual leaves the bank with exactly the payout", async () => {
    await book.charge([
      ['ord_1', '25.00'],
      ['ord_2', '25.00'],
    ]);
    const rows = [
      capture('ord_1', 2500n),
      capture('ord_2', 2600n),
      capture('ord_x', 1000n, { pspReference: 'ch_x' }),
    ];
    // The PSP paid what it really captured: the true 25.00 for ord_2, nothing for ch_x.
    const outcome = await book.reconcile(
      'day.csv',
      lined([...rows, payout('po_1', rows, 2470n + 2470n)]),
    );
    expect(outcome.summary.openCount).toBe(3);
    const store = new ReconStore(db);
    const amount = store.openItems().find((item) => item.class === 'amount_mismatch')!;
    const extra = store.openItems().find((item) => item.class === 'missing_internal')!;
    const batch = store.openItems().find((item) => item.class === 'batch_total_mismatch')!;
    expect(decisions().optionsFor(batch).proposed).toBe('note'); // its rows first
    decisions().decide(amount.itemId, 'accept');
    decisions().decide(extra.itemId, 'accept');
    expect(decisions().optionsFor(store.item(batch.itemId)!).proposed).toBe('accept');
    decisions().decide(batch.itemId, 'accept');
    expect(openItems(db)).toEqual([]);
    expect(balanceOf(db, IN_TRANSIT)).toBe(2470n + 2470n);
    expect(balanceOf(db, 'assets:psp:sim:receivable')).toBe(0n);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('every posting that moves money into transit says so: the batch, a row settled later, the batch residual', async () => {
    await book.charge([
      ['ord_1', '25.00'],
      ['ord_2', '25.00'],
    ]);
    const rows = [
      capture('ord_1', 2500n),
      capture('ord_2', 2600n),
      capture('ord_x', 1000n, { pspReference: 'ch_x' }),
    ];
    await book.reconcile('day.csv', lined([...rows, payout('po_1', rows, 2470n + 2470n)]));
    const store = new ReconStore(db);
    for (const cls of ['amount_mismatch', 'missing_internal', 'batch_total_mismatch'])
      decisions().decide(store.openItems().find((item) => item.class === cls)!.itemId, 'accept');
    const toTransit = db
      .prepare(`SELECT DISTINCT t.kind, t.description FROM ledger_transactions t JOIN ledger_entries e ON e.tx_id = t.id JOIN ledger_accounts a ON a.id = e.account_id
                WHERE a.name = ? ORDER BY t.id`)
      .all(IN_TRANSIT) as { kind: string; description: string }[];
    expect(toTransit.map((tx) => tx.kind)).toEqual([
      'settlement.batch',
      'settlement.row',
      'settlement.row',
      'reconcile.accept',
    ]);
    for (const tx of toTransit) expect(tx.description, tx.kind).toContain('in transit to the bank');
    expect(balanceOf(db, BANK_OPERATING_ACCOUNT)).toBe(0n);
  });

  it('the worked example of docs/RECONCILIATION.md, to the minor unit', async () => {
    await book.charge(
      [
        ['ord_1', '25.00'],
        ['ord_2', '40.00'],
        ['ord_3', '10.00'],
      ],
      {
        ord_1: { status: 'succeeded', pspReference: 'ch_1', feeMinor: 103n },
        ord_2: { status: 'succeeded', pspReference: 'ch_2', feeMinor: 146n },
        ord_3: { status: 'succeeded', pspReference: 'ch_3', feeMinor: 59n },
      },
    );
    await book.refund('rf_1', 'ord_2', '4.00');
    const rows = lined([
      settlementRow({
        type: 'capture',
        pspReference: 'ch_1',
        merchantReference: 'ord_1',
        grossMinor: 2500n,
        feeMinor: 103n,
      }),
      settlementRow({
        type: 'capture',
        pspReference: 'ch_2',
        merchantReference: 'ord_2',
        grossMinor: 4000n,
        feeMinor: 146n,
      }),
      settlementRow({
        type: 'refund',
        pspReference: 're_rf_1',
        merchantReference: 'ord_2',
        grossMinor: -400n,
      }),
      settlementRow({
        type: 'capture',
        pspReference: 'ch_3',
        merchantReference: 'ord_3',
        grossMinor: 1100n,
        feeMinor: 62n,
      }),
    ]);
    const receivable = () => balanceOf(db, 'assets:psp:sim:receivable');
    const bank = () => balanceOf(db, IN_TRANSIT);
    expect(receivable()).toBe(7500n - 308n - 400n);
    const outcome = await book.reconcile('day.csv', [
      ...rows,
      { ...payout('po_1', rows, 6789n), line: 6 },
    ]);
    expect(outcome.summary.batches[0]).toMatchObject({
      capturesMinor: '7600',
      feesMinor: '311',
      refundsMinor: '-400',
      rowsNetMinor: '6889',
      payoutMinor: '6789',
      differenceMinor: '-100',
    });
    expect([bank(), receivable()]).toEqual([5851n, 941n]);
    const store = new ReconStore(db);
    const amount = store.openItems().find((item) => item.class === 'amount_mismatch')!;
    expect(amount.amountMinor).toBe(100n);
    decisions().decide(amount.itemId, 'accept');
    expect([
      bank(),
      receivable(),
      balanceOf(db, 'expenses:reconciliation:adjustments'),
      balanceOf(db, 'expenses:psp-fees'),
    ]).toEqual([6889n, 0n, -100n, 311n]);
    const batch = store.openItems().find((item) => item.class === 'batch_total_mismatch')!;
    decisions().decide(batch.itemId, 'accept');
    expect([bank(), receivable(), balanceOf(db, 'expenses:reconciliation:adjustments')]).toEqual([
      6789n,
      0n,
      0n,
    ]);
    expect(openItems(db)).toEqual([]);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('a second charge for an order already settled is missing_internal, and linking it is not proposed', async () => {
    await book.charge([['ord_1', '25.00']]);
    const rows = [capture('ord_1', 2500n), capture('ord_1', 2500n, { pspReference: 'ch_second' })];
    await book.reconcile('day.csv', lined([...rows, payout('po_1', rows)]));
    const item = new ReconStore(db).openItems()[0]!;
    expect(item).toMatchObject({ class: 'missing_internal', probableRef: 'capture:ord_1' });
    expect(decisions().optionsFor(item).proposed).toBe('accept');
    expect(() => decisions().decide(item.itemId, 'link', { linkTo: 'ord_1' })).toThrow(
      'link: capture:ord_1 was already settled by another row of the PSP',
    );
  });

  it('money the PSP settled for a failed order is held for the buyer, and its refund returns it', async () => {
    await book.charge([['ord_1', '25.00']], {
      ord_1: { status: 'declined', pspReference: 'ch_ord_1', reason: 'card_declined' },
    });
    const settled = [capture('ord_1', 2500n)];
    await book.reconcile('day1.csv', lined([...settled, payout('po_1', settled)]));
    const status = new ReconStore(db).openItems()[0]!;
    expect(status.class).toBe('status_mismatch');
    decisions().decide(status.itemId, 'accept');
    expect(balanceOf(db, 'liabilities:psp:sim:unapplied')).toBe(2500n);
    expect((await showOrder(new SqliteOrderReads(db), 'ord_1')).status).toBe('failed');
    const refunded = [
      settlementRow({
        type: 'refund',
        pspReference: 're_x',
        merchantReference: 'ord_1',
        grossMinor: -2500n,
        batchId: 'po_2',
        occurredAt: '2026-11-23T13:00:00.000Z',
      }),
    ];
    await book.reconcile('day2.csv', lined(refunded));
    const refund = new ReconStore(db)
      .openItems()
      .find((item) => item.class === 'missing_internal')!;
    expect(decisions().optionsFor(refund).options[0]?.effect).toContain(
      'liabilities:psp:sim:unapplied',
    );
    decisions().decide(refund.itemId, 'accept');
    expect(balanceOf(db, 'liabilities:psp:sim:unapplied')).toBe(0n);
    expect(balanceOf(db, 'expenses:psp-fees')).toBe(30n);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('a payout listed twice is one payout: the repeat is a duplicate that can only be linked away', async () => {
    await book.charge([['ord_1', '25.00']]);
    const rows = [capture('ord_1', 2500n)];
    const outcome = await book.reconcile(
      'day.csv',
      lined([...rows, payout('po_1', rows), payout('po_1', rows)]),
    );
    expect(outcome.summary.batches[0]).toMatchObject({ payoutMinor: '2470', status: 'balanced' });
    const duplicate = new ReconStore(db).openItems()[0]!;
    expect(duplicate.class).toBe('duplicate');
    expect(
      decisions()
        .optionsFor(duplicate)
        .options.map((option) => option.action),
    ).toEqual(['link', 'note']);
    decisions().decide(duplicate.itemId, 'link');
    expect(balanceOf(db, IN_TRANSIT)).toBe(2470n);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('accepting a currency mismatch takes the record out in its currency and books the row in its own', async () => {
    await book.charge([['ord_1', '25.00']]);
    const rows = [capture('ord_1', 2300n, { currency: EUR, batchId: 'po_eur', feeMinor: 40n })];
    await book.reconcile(
      'day.csv',
      lined([...rows, payout('po_eur', rows, undefined, { currency: EUR })]),
    );
    const item = new ReconStore(db).openItems()[0]!;
    expect(item.class).toBe('currency_mismatch');
    decisions().decide(item.itemId, 'accept');
    expect([
      balanceOf(db, 'assets:psp:sim:receivable'),
      balanceOf(db, 'assets:psp:sim:receivable', 'EUR'),
    ]).toEqual([0n, 0n]);
    expect([
      balanceOf(db, 'expenses:reconciliation:adjustments'),
      balanceOf(db, 'expenses:reconciliation:adjustments', 'EUR'),
    ]).toEqual([2500n, -2300n]);
    expect([balanceOf(db, 'expenses:psp-fees'), balanceOf(db, 'expenses:psp-fees', 'EUR')]).toEqual(
      [0n, 40n],
    );
    expect(balanceOf(db, IN_TRANSIT, 'EUR')).toBe(2260n);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('a batch whose payout arrives in a later file: its rows wait, then settle once, effective at the payout', async () => {
    await book.charge([
      ['ord_1', '25.00'],
      ['ord_2', '10.00'],
    ]);
    const first = lined([capture('ord_1', 2500n, { batchId: 'po_9' })]);
    const one = await book.reconcile('day1.csv', first);
    expect(one.summary.batches).toEqual([
      expect.objectContaining({ batchId: 'po_9', status: 'awaiting payout', settledMinor: '2470' }),
    ]);
    expect(balanceOf(db, IN_TRANSIT)).toBe(0n);
    const second = lined([
      capture('ord_2', 1000n, { batchId: 'po_9', occurredAt: '2026-11-24T09:00:00.000Z' }),
    ]);
    const two = await book.reconcile('day2.csv', [
      ...second,
      { ...payout('po_9', [...first, ...second]), line: 3, occurredAt: '2026-11-24T23:59:59.000Z' },
    ]);
    expect(two.summary.batches).toEqual([
      expect.objectContaining({
        batchId: 'po_9',
        status: 'balanced',
        rows: 2,
        payoutMinor: '3440',
        settledMinor: '3440',
      }),
    ]);
    expect(balanceOf(db, IN_TRANSIT)).toBe(3440n);
    const settlements = db
      .prepare(
        "SELECT effective_at FROM ledger_transactions WHERE kind = 'settlement.batch' ORDER BY id",
      )
      .all() as { effective_at: string }[];
    expect(settlements.map((row) => row.effective_at)).toEqual([
      '2026-11-24T23:59:59.000Z',
      '2026-11-24T23:59:59.000Z',
    ]);
    expect((await checkBooks(db)).ok).toBe(true);
  });

  it('a late settlement after a write-off writes the write-off back', async () => {
    await book.charge([
      ['ord_1', '25.00'],
      ['ord_2', '10.00'],
    ]);
    book.now = Date.parse('2026-11-27T08:00:00Z');
    const first = lined([
      settlementRow({
        type: 'fee',
        pspReference: 'fee_1',
        grossMinor: 0n,
        feeMinor: 0n,
        batchId: null,
        occurredAt: '2026-11-27T10:00:00.000Z',
      }),
    ]);
    await book.reconcile('day1.csv', first);
    const missing = new ReconStore(db)
      .openItems()
      .filter((item) => item.class === 'missing_external');
    expect(missing.map((item) => item.subject)).toEqual(['capture:ord_1', 'capture:ord_2']);
    decisions().decide(missing[0]!.itemId, 'write_off');
    expect(balanceOf(db, 'expenses:reconciliation:write-offs')).toBe(2500n);
    const late = [capture('ord_1', 2500n, { occurredAt: '2026-11-27T11:00:00.000Z' })];
    await book.reconcile('day2.csv', lined([...late, payout('po_1', late)]));
    expect(balanceOf(db, 'expenses:reconciliation:write-offs')).toBe(0n);
    expect(balanceOf(db, IN_TRANSIT)).toBe(2470n);
    expect((await checkBooks(db)).ok).toBe(true);
  });
});
