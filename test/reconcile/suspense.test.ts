import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { sqliteDecisions } from '../../src/reconcile/sqlite-recon-stores.js';
import { ReconStore } from '../../src/reconcile/store.js';
import {
  IN_TRANSIT,
  type TestBook,
  balanceOf,
  capture,
  lined,
  payout,
  settlementRow,
  tempBook,
} from './book.js';
import { checkBooks, verifyBooks } from '../helpers/check.js';

const SUSPENSE = 'liabilities:psp:sim:unapplied';
const ADJUSTMENTS = 'expenses:reconciliation:adjustments';

/**
 * Issue 15: a capture the PSP settled for an order payops has no record of is money received that
 * nothing explains (DESIGN §6): accepting it holds it in the suspense liability, never an expense,
 * until a link to the order or a refund clears it.
 */
describe('missing_internal captures are held in suspense until identified', () => {
  let db: Database;
  let cleanup: () => void;
  let book: TestBook;
  const decisions = () => sqliteDecisions(db, { clock: book.clock, by: 'tester', runId: null });
  const store = () => new ReconStore(db);
  const receivable = () => balanceOf(db, 'assets:psp:sim:receivable');
  const healthy = async () => {
    expect((await checkBooks(db)).results.filter((result) => !result.ok)).toEqual([]);
    expect((await verifyBooks(db)).ok).toBe(true);
  };

  beforeEach(async () => {
    ({ db, book, cleanup } = tempBook());
    await book.charge([['ord_1', '25.00']]);
    // ord_late is paid at the PSP, but payops has not booked it (yet).
    const rows = [capture('ord_1', 2500n), capture('ord_late', 999n)];
    await book.reconcile('day1.csv', lined([...rows, payout('po_1', rows)]));
  });
  afterEach(() => cleanup());

  const acceptUnexplained = () => {
    const item = store()
      .openItems()
      .find((candidate) => candidate.class === 'missing_internal')!;
    expect(decisions().optionsFor(item).options[0]?.effect).toContain(SUSPENSE);
    const outcome = decisions().decide(item.itemId, 'accept');
    expect(outcome.resolved).toBe(true);
    return item;
  };

  it('accepting it credits the suspense liability, not expenses:reconciliation:adjustments', async () => {
    const item = acceptUnexplained();
    expect(balanceOf(db, SUSPENSE)).toBe(999n);
    expect(balanceOf(db, ADJUSTMENTS)).toBe(0n);
    expect([balanceOf(db, IN_TRANSIT), receivable(), balanceOf(db, 'expenses:psp-fees')]).toEqual([
      2470n + 969n,
      0n,
      60n,
    ]);
    expect(store().item(item.itemId)?.resolution).toMatch(/^accepted into suspense/);
    await healthy();
  });

  it('whole life with a link: accept -> suspense -> the order shows up and is linked -> suspense zero, fee booked once', async () => {
    const item = acceptUnexplained();
    expect(balanceOf(db, SUSPENSE)).toBe(999n);
    await book.charge([['ord_late', '9.99']]); // the order arrives: Dr receivable 9.99 / Cr seller, revenue; its fee 0.30
    expect(receivable()).toBe(969n);
    const outcome = decisions().decide(item.itemId, 'link', { linkTo: 'ord_late' });
    expect(outcome).toMatchObject({ action: 'link', resolved: true });
    expect(outcome.txIds).toHaveLength(1);
    expect([balanceOf(db, SUSPENSE), receivable(), balanceOf(db, ADJUSTMENTS)]).toEqual([
      0n,
      0n,
      0n,
    ]);
    expect(balanceOf(db, 'expenses:psp-fees')).toBe(60n); // ord_1's and ord_late's fee, each once
    expect(() => decisions().decide(item.itemId, 'link', { linkTo: 'ord_late' })).toThrow(
      /already resolved/,
    );
    await healthy();
    // A later file does not expect ord_late again: the suspense row is its settlement.
    book.now = Date.parse('2026-11-30T10:00:00Z');
    const rows = [
      capture('ord_9', 100n, {
        pspReference: 'ch_other',
        merchantReference: null,
        occurredAt: '2026-11-29T10:00:00.000Z',
        batchId: 'po_2',
      }),
    ];
    const later = await book.reconcile(
      'day2.csv',
      lined([...rows, payout('po_2', rows, undefined, { occurredAt: '2026-11-29T23:00:00.000Z' })]),
    );
    expect(later.summary.classes.find((line) => line.class === 'missing_external')).toBeUndefined();
  });

  it('the order item proposes the link to the capture held in suspense', async () => {
    const held = acceptUnexplained();
    await book.charge([['ord_late', '9.99']]);
    book.now = Date.parse('2026-11-30T10:00:00Z');
    const rows = [
      capture('ord_9', 100n, {
        pspReference: 'ch_other',
        merchantReference: null,
        occurredAt: '2026-11-29T10:00:00.000Z',
        batchId: 'po_2',
      }),
    ];
    await book.reconcile(
      'day2.csv',
      lined([...rows, payout('po_2', rows, undefined, { occurredAt: '2026-11-29T23:00:00.000Z' })]),
      { rules: { graceDays: 0 } },
    );
    const order = store()
      .openItems()
      .find((candidate) => candidate.subject === 'capture:ord_late')!;
    expect(decisions().optionsFor(order)).toMatchObject({
      proposed: 'link',
      linkTarget: held.itemId,
    });
    decisions().decide(order.itemId, 'link', { linkTo: held.itemId });
    expect([balanceOf(db, SUSPENSE), receivable()]).toEqual([0n, 0n]);
    expect(store().item(order.itemId)?.status).toBe('resolved');
    await healthy();
  });

  it('whole life with a refund: accept -> suspense -> the PSP refunds it -> suspense zero', async () => {
    acceptUnexplained();
    book.now = Date.parse('2026-11-25T10:00:00Z');
    const rows = [
      settlementRow({
        type: 'refund',
        pspReference: 're_late',
        merchantReference: 'ord_late',
        grossMinor: -999n,
        batchId: 'po_2',
        occurredAt: '2026-11-24T10:00:00.000Z',
      }),
    ];
    await book.reconcile(
      'day2.csv',
      lined([...rows, payout('po_2', rows, 0n, { occurredAt: '2026-11-24T23:00:00.000Z' })]),
    );
    const refund = store()
      .openItems()
      .find((candidate) => candidate.class === 'missing_internal')!;
    expect(decisions().optionsFor(refund).options[0]?.effect).toContain(SUSPENSE);
    decisions().decide(refund.itemId, 'accept');
    expect([balanceOf(db, SUSPENSE), balanceOf(db, ADJUSTMENTS)]).toEqual([0n, 0n]);
    await healthy();
  });
});

/**
 * Review of issue 15: the suspense is cleared by amount. A first partial refund recorded a `link`
 * on the capture, which then counted as cleared: the second refund went to adjustments and the
 * suspense never reached zero.
 */
describe('suspense cleared by amount: partial refunds and links (review 15)', () => {
  let db: Database;
  let cleanup: () => void;
  let book: TestBook;
  let held: string;
  const decisions = () => sqliteDecisions(db, { clock: book.clock, by: 'tester', runId: null });
  const store = () => new ReconStore(db);
  const healthy = async () => {
    expect((await checkBooks(db)).results.filter((result) => !result.ok)).toEqual([]);
    expect((await verifyBooks(db)).ok).toBe(true);
  };

  beforeEach(async () => {
    ({ db, book, cleanup } = tempBook());
    await book.charge([['ord_1', '25.00']]);
    const rows = [capture('ord_1', 2500n), capture('ord_late', 999n)];
    await book.reconcile('day1.csv', lined([...rows, payout('po_1', rows)]));
    const item = store()
      .openItems()
      .find((candidate) => candidate.class === 'missing_internal')!;
    held = item.itemId;
    decisions().decide(item.itemId, 'accept');
    expect(balanceOf(db, SUSPENSE)).toBe(999n);
  });
  afterEach(() => cleanup());

  /** Reconciles a file with one refund row of ord_late and returns its open missing_internal item. */
  const refundFile = async (name: string, ref: string, grossMinor: bigint, day: number) => {
    book.now = Date.parse(`2026-11-${day + 1}T10:00:00Z`);
    const rows = [
      settlementRow({
        type: 'refund',
        pspReference: ref,
        merchantReference: 'ord_late',
        grossMinor,
        batchId: `po_${ref}`,
        occurredAt: `2026-11-${day}T10:00:00.000Z`,
      }),
    ];
    await book.reconcile(
      name,
      lined([
        ...rows,
        payout(`po_${ref}`, rows, 0n, { occurredAt: `2026-11-${day}T23:00:00.000Z` }),
      ]),
    );
    return store()
      .openItems()
      .find((candidate) => candidate.class === 'missing_internal')!;
  };

  it('two partial refunds of a capture held in suspense leave the suspense at zero, nothing in adjustments', async () => {
    decisions().decide((await refundFile('r1.csv', 're_1', -500n, 24)).itemId, 'accept');
    expect(balanceOf(db, SUSPENSE)).toBe(499n);
    const second = await refundFile('r2.csv', 're_2', -499n, 25);
    expect(decisions().optionsFor(second).options[0]?.effect).toContain(SUSPENSE);
    decisions().decide(second.itemId, 'accept');
    expect([balanceOf(db, SUSPENSE), balanceOf(db, ADJUSTMENTS)]).toEqual([0n, 0n]);
    await healthy();
  });

  it('a refund then a link to an order of the remainder: the link clears only the remainder, suspense zero', async () => {
    decisions().decide((await refundFile('r1.csv', 're_1', -500n, 24)).itemId, 'accept');
    await book.charge([['ord_rest', '4.99']]);
    const outcome = decisions().decide(held, 'link', { linkTo: 'ord_rest' });
    expect(outcome).toMatchObject({ action: 'link', resolved: true });
    expect([
      balanceOf(db, SUSPENSE),
      balanceOf(db, 'assets:psp:sim:receivable'),
      balanceOf(db, ADJUSTMENTS),
    ]).toEqual([0n, 0n, 0n]);
    await healthy();
  });

  it('after a partial refund, a link to an order of the whole capture is refused: nothing posted', async () => {
    decisions().decide((await refundFile('r1.csv', 're_1', -500n, 24)).itemId, 'accept');
    await book.charge([['ord_late', '9.99']]);
    expect(() => decisions().decide(held, 'link', { linkTo: 'ord_late' })).toThrow(
      /holds 4\.99 USD in suspense/,
    );
    expect(balanceOf(db, SUSPENSE)).toBe(499n);
  });

  it('a refund beyond what remains in suspense is refused, never booked to adjustments', async () => {
    decisions().decide((await refundFile('r1.csv', 're_1', -500n, 24)).itemId, 'accept');
    const tooMuch = await refundFile('r2.csv', 're_2', -600n, 25);
    expect(
      decisions()
        .optionsFor(tooMuch)
        .options.map((option) => option.action),
    ).not.toContain('accept');
    expect(() => decisions().decide(tooMuch.itemId, 'accept')).toThrow(/not possible/);
    expect([balanceOf(db, SUSPENSE), balanceOf(db, ADJUSTMENTS)]).toEqual([499n, 0n]);
    expect(store().item(tooMuch.itemId)?.status).toBe('open');
  });
});
