import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ExpectedPspPayout,
  type ExpectedSellerPayout,
  type ImportedKeys,
  duplicateKey,
  planStatement,
} from '../../../src/bank/match/index.js';
import type { BankEntry } from '../../../src/bank/types.js';
import { toCurrency } from '../../../src/money/index.js';

const USD = toCurrency('USD');
const ACCOUNT = 'DE89370400440532013000';
const NOTHING: ImportedKeys = { otherFiles: new Set(), thisFile: new Map() };
const WINDOW = { windowDays: () => 3 };

function entry(
  fields: Partial<BankEntry> & { amountMinor: bigint },
  text: string | null = null,
): BankEntry {
  return {
    line: 1,
    direction: 'credit',
    currency: USD,
    bookingDate: '2026-11-24',
    valueDate: null,
    accountServicerRef: null,
    typeCode: null,
    bankCharge: false,
    reversal: false,
    transactions: [{ amountMinor: null, endToEndId: null, remittance: text, counterparty: null }],
    ...fields,
  };
}
function pspPayout(
  batchId: string,
  amountMinor: bigint,
  payoutDate = '2026-11-23',
): ExpectedPspPayout {
  return {
    psp: 'sim',
    batchId,
    references: [batchId],
    currency: USD,
    amountMinor,
    payoutDate,
    payoutAt: `${payoutDate}T23:59:59.000Z`,
  };
}
function sellerPayout(
  payoutId: string,
  amountMinor: bigint,
  sentDate = '2026-11-23',
): ExpectedSellerPayout {
  return {
    payoutId,
    pspReference: `tr_${payoutId}`,
    psp: 'sim',
    currency: USD,
    amountMinor,
    sentDate,
    sentAt: `${sentDate}T10:00:00.000Z`,
  };
}
const statement = (entries: BankEntry[], closingDate = '2026-11-24') => ({
  account: ACCOUNT,
  currency: USD,
  closingDate,
  entries: entries.map((e, i) => ({ ...e, line: e.line === 1 ? i + 10 : e.line })),
});

describe('the statement plan', () => {
  it('matches by reference first, then by amount in the window, oldest payout first', () => {
    const payouts = [
      pspPayout('po_sim_20261123_USD', 10_000n),
      pspPayout('po_sim_20261120_USD', 5_000n, '2026-11-20'),
      pspPayout('po_sim_20261121_USD', 5_000n, '2026-11-21'),
    ];
    const plan = planStatement(
      statement([
        entry({ amountMinor: 5_000n }),
        entry({ amountMinor: 10_000n }, 'PO SIM 20261123 USD'),
      ]),
      payouts,
      [],
      NOTHING,
      WINDOW,
    );
    expect(plan.entries[0]).toMatchObject({
      class: 'matched',
      match: 'psp_payout',
      by: 'amount',
      payout: { batchId: 'po_sim_20261120_USD' },
    });
    expect(plan.entries[1]).toMatchObject({
      class: 'matched',
      by: 'reference',
      payout: { batchId: 'po_sim_20261123_USD' },
    });
    expect(plan.notReceived).toEqual([]);
  });

  it('an entry naming several payouts sees them oldest first, in whatever order its text names them', () => {
    // The pool sorts what a text's keys found by the payouts' age (it no longer filters every payout per entry: n² at 100,000).
    const payouts = [
      pspPayout('po_c', 3_000n, '2026-11-22'),
      pspPayout('po_a', 1_000n, '2026-11-20'),
      pspPayout('po_b', 2_000n, '2026-11-21'),
    ];
    const plan = planStatement(
      statement([entry({ amountMinor: 9_999n }, 'po c / po b / po a')]),
      payouts,
      [],
      NOTHING,
      WINDOW,
    );
    expect(plan.entries[0]).toMatchObject({
      class: 'unknown_credit',
      probable: { kind: 'psp_payout', payout: { batchId: 'po_a' } },
    });
    expect(plan.entries[0]?.class === 'unknown_credit' && plan.entries[0].why).toBe(
      'names 3 PSP payouts (po_a, po_b, po_c), none of this amount',
    );
  });

  it('a referenced payout of another amount is an amount_mismatch; out of window is unknown; an overdue payout is not received', () => {
    const payouts = [pspPayout('po_a', 10_000n), pspPayout('po_b', 7_000n, '2026-11-10')];
    const plan = planStatement(
      statement([
        entry({ amountMinor: 9_990n }, 'po a'),
        entry({ amountMinor: 7_000n, bookingDate: '2026-11-24' }),
      ]),
      payouts,
      [],
      NOTHING,
      WINDOW,
    );
    expect(plan.entries[0]).toMatchObject({
      class: 'amount_mismatch',
      differenceMinor: -10n,
      payout: { batchId: 'po_a' },
    });
    expect(plan.entries[1]).toMatchObject({ class: 'unknown_credit', probable: null });
    expect(plan.notReceived).toEqual([
      { payout: { kind: 'psp_payout', payout: payouts[1] }, dueDay: '2026-11-13' },
    ]);
  });

  it('due days are per date and window: two PSPs paying on the same day with different windows are late on different days', () => {
    // The plan computes each (date, window) due day once; the window must be part of what it remembers.
    const other = { ...pspPayout('po_other', 4_000n, '2026-11-20'), psp: 'other' };
    const payouts = [pspPayout('po_sim', 3_000n, '2026-11-20'), other];
    const windows = { windowDays: (psp: string) => (psp === 'sim' ? 1 : 5) };
    for (const closingDate of ['2026-11-23', '2026-11-24'])
      expect(
        planStatement(statement([], closingDate), payouts, [], NOTHING, windows).notReceived,
      ).toEqual([{ payout: { kind: 'psp_payout', payout: payouts[0] }, dueDay: '2026-11-23' }]);
    expect(
      planStatement(statement([], '2026-11-27'), payouts, [], NOTHING, windows).notReceived.map(
        (late) => [late.payout.payout.psp, late.dueDay],
      ),
    ).toEqual([
      ['other', '2026-11-27'],
      ['sim', '2026-11-23'],
    ]);
    expect(
      planStatement(statement([], '2026-11-27'), payouts, [], NOTHING, {
        windowDays: () => 1,
      }).notReceived.map((late) => late.dueDay),
    ).toEqual(['2026-11-23', '2026-11-23']);
  });

  it('debits: a batched entry pays several seller payouts, a charge is a bank fee, the rest unknown', () => {
    const payouts = [
      sellerPayout('po_1', 2_250n),
      sellerPayout('po_2', 1_000n),
      sellerPayout('po_3', 400n),
    ];
    const batchedDebit = entry({
      direction: 'debit',
      amountMinor: 3_250n,
      transactions: [
        { amountMinor: 2_250n, endToEndId: 'PO 1', remittance: null, counterparty: 'Acme' },
        { amountMinor: 1_000n, endToEndId: null, remittance: 'payout po.2', counterparty: 'Beta' },
      ],
    });
    const plan = planStatement(
      statement([
        batchedDebit,
        entry({ direction: 'debit', amountMinor: 150n, bankCharge: true }),
        entry({ direction: 'debit', amountMinor: 401n }, 'po_3'),
      ]),
      [],
      payouts,
      NOTHING,
      WINDOW,
    );
    expect(plan.entries[0]).toMatchObject({
      class: 'matched',
      match: 'seller_payout',
      by: 'reference',
    });
    expect(
      plan.entries[0]?.class === 'matched' &&
        plan.entries[0].match === 'seller_payout' &&
        plan.entries[0].payouts.map((p) => p.payoutId),
    ).toEqual(['po_1', 'po_2']);
    expect(plan.entries[1]).toEqual({ class: 'bank_fee' });
    expect(plan.entries[2]).toMatchObject({
      class: 'unknown_debit',
      probable: { kind: 'seller_payout', payout: { payoutId: 'po_3' } },
    });
  });

  it('a reversal, or a charge the bank credits back, is never matched by its amount', () => {
    const plan = planStatement(
      statement([
        entry({ direction: 'debit', amountMinor: 2_250n, reversal: true }),
        entry({ amountMinor: 5_000n, bankCharge: true }),
      ]),
      [pspPayout('po_a', 5_000n)],
      [sellerPayout('po_1', 2_250n)],
      NOTHING,
      WINDOW,
    );
    expect(plan.entries.map((e) => e.class)).toEqual(['unknown_debit', 'unknown_credit']);
    expect(plan.notReceived).toEqual([]);
  });

  it('a batched debit that does not add up is one entry', () => {
    const payouts = [sellerPayout('po_1', 2_250n), sellerPayout('po_2', 1_000n)];
    const batchedDebit = entry({
      direction: 'debit',
      amountMinor: 3_300n,
      transactions: [
        { amountMinor: 2_250n, endToEndId: 'po_1', remittance: null, counterparty: null },
        { amountMinor: 1_050n, endToEndId: 'po_2', remittance: null, counterparty: null },
      ],
    });
    const plan = planStatement(statement([batchedDebit]), [], payouts, NOTHING, WINDOW);
    expect(plan.entries[0]).toMatchObject({ class: 'unknown_debit' });
  });

  it('duplicates: by the bank reference from another file, and the same entry twice in one file', () => {
    const first = entry({ amountMinor: 500n, accountServicerRef: 'BANKREF1' });
    const imported: ImportedKeys = {
      otherFiles: new Set([duplicateKey(ACCOUNT, first)]),
      thisFile: new Map(),
    };
    const again = entry({ amountMinor: 500n }, 'same');
    const plan = planStatement(
      statement([first, again, { ...again, line: 99 }]),
      [],
      [],
      imported,
      WINDOW,
    );
    expect(plan.entries.map((e) => e.class)).toEqual(['duplicate', 'unknown_credit', 'duplicate']);
    expect(plan.entries[2]).toEqual({ class: 'duplicate', of: 'same_file', originalLine: 11 });
    expect(plan.entries[0]).toMatchObject({ of: 'other_file' });
  });

  it('a statement made of exactly the expected payouts matches them all, whatever the order and mangling', () => {
    const mangles = [
      (r: string) => r.replaceAll('_', '.'),
      (r: string) => r.replaceAll('_', ' '),
      (r: string) => r.replaceAll('_', ''),
      (r: string) => r.toLowerCase(),
      () => null,
    ];
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 12, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 12, maxLength: 12 }),
        fc.integer(),
        (ids, amounts, how, seed) => {
          const payouts = ids.map((id, i) =>
            pspPayout(
              `po_sim_${id}_USD`,
              BigInt(amounts[i] as number) * 1000n,
              `2026-11-${String(16 + (id % 5)).padStart(2, '0')}`,
            ),
          );
          const entries = payouts.map((p, i) =>
            entry(
              {
                amountMinor: p.amountMinor,
                bookingDate: '2026-11-23',
                accountServicerRef: `BANK${i}`,
              },
              (mangles[how[i] as number] as (r: string) => string | null)(p.batchId),
            ),
          );
          const shuffled = entries
            .map((e, i) => ({ e, k: (i * 7919 + seed) % 1009 }))
            .sort((a, b) => a.k - b.k)
            .map(({ e }) => e);
          const plan = planStatement(
            statement(shuffled, '2026-11-23'),
            [...payouts].reverse(),
            [],
            NOTHING,
            { windowDays: () => 10 },
          );
          expect(plan.entries.every((e) => e.class === 'matched')).toBe(true);
          const matched = plan.entries.map((e) =>
            e.class === 'matched' && e.match === 'psp_payout' ? e.payout.batchId : '',
          );
          expect(new Set(matched).size).toBe(payouts.length);
          plan.entries.forEach((e, i) => {
            expect(e.class === 'matched' && e.match === 'psp_payout' && e.payout.amountMinor).toBe(
              shuffled[i]?.amountMinor,
            );
          });
          expect(plan.notReceived).toEqual([]);
        },
      ),
    );
  });

  it('never matches an expected payout twice, and amounts match exactly', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            amount: fc.integer({ min: 1, max: 5 }),
            ref: fc.integer({ min: 0, max: 6 }),
            debit: fc.boolean(),
          }),
          { maxLength: 20 },
        ),
        fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 6 }),
        (rows, expected) => {
          const psp = expected.map((amount, i) => pspPayout(`po_${i}`, BigInt(amount)));
          const seller = expected.map((amount, i) => sellerPayout(`sp_${i}`, BigInt(amount)));
          const entries = rows.map((row, i) =>
            entry(
              {
                amountMinor: BigInt(row.amount),
                direction: row.debit ? 'debit' : 'credit',
                accountServicerRef: `BANK${i}`,
              },
              row.ref < 6 ? `po_${row.ref} sp_${row.ref}` : null,
            ),
          );
          const plan = planStatement(statement(entries), psp, seller, NOTHING, WINDOW);
          const used: string[] = [];
          plan.entries.forEach((e, i) => {
            if (e.class === 'matched' && e.match === 'psp_payout') {
              used.push(e.payout.batchId);
              expect(e.payout.amountMinor).toBe(entries[i]?.amountMinor);
            } else if (e.class === 'matched') {
              used.push(...e.payouts.map((p) => p.payoutId));
              expect(e.payouts.reduce((s, p) => s + p.amountMinor, 0n)).toBe(
                entries[i]?.amountMinor,
              );
            } else if (e.class === 'amount_mismatch') used.push(e.payout.batchId);
          });
          expect(new Set(used).size).toBe(used.length);
          for (const late of plan.notReceived)
            expect(used).not.toContain(
              late.payout.kind === 'psp_payout'
                ? late.payout.payout.batchId
                : late.payout.payout.payoutId,
            );
        },
      ),
    );
  });
});
