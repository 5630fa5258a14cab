import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultFeeCapMinor } from '../../../src/bank/sim/account.js';
import { addDays } from '../../../src/bank/sim/calendar.js';
import {
  type SimBankFacts,
  type SimSellerPayout,
  BANK_DISCREPANCY_KINDS,
  planBankDay,
  simBankIban,
} from '../../../src/bank/sim/index.js';
import type { BankEntry, BankStatement } from '../../../src/bank/types.js';
import type { Currency } from '../../../src/money/index.js';
import { type SimDayPayout, simBatchId } from '../../../src/psp/sim/settlement.js';

const USD = 'USD' as Currency;
const EUR = 'EUR' as Currency;
const JPY = 'JPY' as Currency;

const psp = (date: string, currency: Currency, amountMinor: bigint): SimDayPayout => ({
  date,
  currency,
  amountMinor,
  batchId: simBatchId(date, currency),
});
const seller = (
  payoutId: string,
  createdAt: string,
  currency: Currency,
  amountMinor: bigint,
): SimSellerPayout => ({
  payoutId,
  sellerId: `seller_${payoutId}`,
  createdAt,
  currency,
  amountMinor,
});

// 2026-11-20 is a Friday, 2026-11-23 a Monday.
const FACTS: SimBankFacts = {
  pspPayouts: [
    psp('2026-11-20', USD, 10_000n),
    psp('2026-11-21', USD, 5_000n),
    psp('2026-11-23', USD, 7_000n),
    psp('2026-11-23', EUR, 3_000n),
    psp('2026-11-24', USD, 8_000n),
  ],
  sellerPayouts: [
    seller('po_1', '2026-11-23T10:00:00.000Z', USD, 2_000n),
    seller('po_2', '2026-11-24T09:00:00.000Z', USD, 1_500n),
    seller('po_3', '2026-11-24T11:00:00.000Z', EUR, 500n),
    seller('po_4', '2026-11-25T08:00:00.000Z', USD, 100n),
  ],
};

const day = (
  date: string,
  extra: { inject?: number; seed?: string; delayDays?: number; facts?: SimBankFacts } = {},
) =>
  planBankDay(extra.facts ?? FACTS, {
    date,
    delayDays: extra.delayDays ?? 1,
    inject: extra.inject ?? 0,
    seed: extra.seed ?? '1',
  });

const signed = (entry: BankEntry): bigint =>
  entry.direction === 'credit' ? entry.amountMinor : -entry.amountMinor;
const adds = (statement: BankStatement): boolean =>
  statement.entries.reduce(
    (sum, entry) => sum + signed(entry),
    statement.header.opening.amountMinor,
  ) === statement.footer.closing.amountMinor;
const shape = (entry: BankEntry) => ({
  direction: entry.direction,
  amountMinor: entry.amountMinor,
  endToEndId: entry.transactions[0]?.endToEndId,
  bankCharge: entry.bankCharge,
});

describe("the simulated bank's day (pure planner)", () => {
  it('credits the PSP payouts arriving that day, debits the seller payouts made that day, takes one account charge, opening from the true history', () => {
    const { statements, injected } = day('2026-11-24');
    expect(injected).toEqual([]);
    expect(statements.map((s) => s.header.currency)).toEqual([EUR, USD]);
    const usd = statements[1] as BankStatement;
    expect(usd.header).toMatchObject({
      account: simBankIban(USD),
      statementId: 'SIMB-20261124-USD',
      opening: { amountMinor: 12_850n, date: '2026-11-24' },
    });
    expect(usd.entries.map(shape)).toEqual([
      {
        direction: 'credit',
        amountMinor: 7_000n,
        endToEndId: 'po_sim_20261123_USD',
        bankCharge: false,
      },
      { direction: 'debit', amountMinor: 1_500n, endToEndId: 'po_2', bankCharge: false },
      { direction: 'debit', amountMinor: 150n, endToEndId: null, bankCharge: true },
    ]);
    expect(usd.entries[0]?.transactions[0]).toMatchObject({
      remittance: 'SIM PSP PAYOUT po_sim_20261123_USD',
    });
    expect(usd.entries[1]?.transactions[0]).toMatchObject({ counterparty: 'seller_po_2' });
    expect(usd.entries.map((e) => e.accountServicerRef)).toEqual([
      'SIMB20261124USD000001',
      'SIMB20261124USD000002',
      'SIMB20261124USD000003',
    ]);
    expect(usd.footer.closing).toEqual({ amountMinor: 18_200n, date: '2026-11-24' });
    expect(statements[0]?.header.opening.amountMinor).toBe(0n);
    expect(statements[0]?.footer.closing.amountMinor).toBe(2_350n);
  });

  it('credits the payouts of Friday and Saturday on Monday; a weekend statement has no PSP credit', () => {
    const monday = day('2026-11-23').statements.find(
      (s) => s.header.currency === USD,
    ) as BankStatement;
    expect(
      monday.entries
        .filter((e) => e.direction === 'credit')
        .map((e) => e.transactions[0]?.endToEndId),
    ).toEqual(['po_sim_20261120_USD', 'po_sim_20261121_USD']);
    const saturday = day('2026-11-28', {
      facts: {
        ...FACTS,
        sellerPayouts: [
          ...FACTS.sellerPayouts,
          seller('po_5', '2026-11-28T12:00:00.000Z', USD, 300n),
        ],
      },
    });
    const usd = saturday.statements.find((s) => s.header.currency === USD) as BankStatement;
    expect(usd.entries.map(shape)).toEqual([
      { direction: 'debit', amountMinor: 300n, endToEndId: 'po_5', bankCharge: false },
      { direction: 'debit', amountMinor: 150n, endToEndId: null, bankCharge: true },
    ]);
  });

  it('a longer delay moves the credit; the next day opens where this one closed', () => {
    const credits = (delayDays: number) =>
      day('2026-11-24', { delayDays })
        .statements.find((s) => s.header.currency === USD)
        ?.entries.filter((e) => e.direction === 'credit')
        .map((e) => e.transactions[0]?.endToEndId);
    expect(credits(1)).toEqual(['po_sim_20261123_USD']);
    expect(credits(2)).toEqual(['po_sim_20261120_USD', 'po_sim_20261121_USD']);
    for (const date of ['2026-11-23', '2026-11-24', '2026-11-27']) {
      const today = day(date).statements;
      const tomorrow = day(addDays(date, 1)).statements;
      for (const statement of today) {
        expect(
          tomorrow.find((s) => s.header.currency === statement.header.currency)?.header.opening
            .amountMinor,
        ).toBe(statement.footer.closing.amountMinor);
      }
    }
  });

  it('injects every kind in turn, each as the manifest says, deterministically from the seed', () => {
    const plan = day('2026-11-24', { inject: 7, seed: '5' });
    expect(plan.skipped).toEqual([]);
    expect(plan.injected.map((i) => i.kind)).toEqual([...BANK_DISCREPANCY_KINDS]);
    expect(plan.injected.every((i) => i.expectedClass === i.kind)).toBe(true);
    expect(day('2026-11-24', { inject: 7, seed: '5' })).toEqual(plan);
    const truth = day('2026-11-24').statements;
    const entries = plan.statements.flatMap((s) => s.entries);
    const byKind = new Map(plan.injected.map((i) => [i.kind, i]));

    const withheld = byKind.get('payout_not_received');
    expect(withheld?.at).toBeNull();
    expect(
      entries.some(
        (e) => e.transactions[0]?.endToEndId === withheld?.reference && e.direction === 'credit',
      ),
    ).toBe(false);

    const short = byKind.get('amount_mismatch');
    const shortEntry = entries.find((e) => e.transactions[0]?.endToEndId === short?.reference);
    const trueEntry = truth
      .flatMap((s) => s.entries)
      .find((e) => e.transactions[0]?.endToEndId === short?.reference);
    expect(short?.amountMinor).toBe(-100n);
    expect(shortEntry?.amountMinor).toBe((trueEntry?.amountMinor ?? 0n) - 100n);

    const duplicate = byKind.get('duplicate');
    expect(entries.filter((e) => e.accountServicerRef === duplicate?.reference)).toHaveLength(2);

    const fee = byKind.get('bank_fee');
    const feeEntry = entries.find((e) => e.accountServicerRef === fee?.reference);
    expect(feeEntry).toMatchObject({ direction: 'debit', bankCharge: true });
    expect(feeEntry?.amountMinor).toBeGreaterThan(defaultFeeCapMinor(feeEntry?.currency ?? USD));

    for (const kind of ['unknown_credit', 'unknown_debit'] as const) {
      const unknown = entries.find((e) => e.accountServicerRef === byKind.get(kind)?.reference);
      expect(unknown?.direction).toBe(kind === 'unknown_credit' ? 'credit' : 'debit');
      const known = kind === 'unknown_credit' ? FACTS.pspPayouts : FACTS.sellerPayouts;
      expect(
        known.some(
          (p) => p.amountMinor === unknown?.amountMinor && p.currency === unknown?.currency,
        ),
      ).toBe(false);
    }

    const shifted = byKind.get('balance_mismatch');
    const statement = plan.statements.find(
      (s) => s.header.statementId === shifted?.reference,
    ) as BankStatement;
    const trueStatement = truth.find(
      (s) => s.header.statementId === shifted?.reference,
    ) as BankStatement;
    expect(statement.header.opening.amountMinor - trueStatement.header.opening.amountMinor).toBe(
      shifted?.amountMinor,
    );
    expect(shifted?.amountMinor).not.toBe(0n);
    expect(plan.statements.every(adds)).toBe(true);
    expect(day('2026-11-24', { inject: 7, seed: '6' })).not.toEqual(plan);
  });

  it('skips, with a reason, what the day has nothing for', () => {
    const plan = day('2026-11-28', { inject: 7, facts: { ...FACTS, sellerPayouts: [] } });
    expect(plan.skipped.map((s) => s.kind)).toEqual([
      'payout_not_received',
      'amount_mismatch',
      'duplicate',
    ]);
    expect(plan.skipped[0]?.reason).toMatch(/no PSP payout arrives that day/);
    expect(plan.injected.map((i) => i.kind)).toEqual([
      'unknown_credit',
      'unknown_debit',
      'bank_fee',
      'balance_mismatch',
    ]);
    const empty = planBankDay(
      { pspPayouts: [], sellerPayouts: [] },
      { date: '2026-11-24', delayDays: 1, inject: 2, seed: '1' },
    );
    expect(empty).toEqual({
      statements: [],
      injected: [],
      skipped: [
        { kind: 'payout_not_received', reason: 'the account has no statement that day' },
        { kind: 'unknown_credit', reason: 'the account has no statement that day' },
      ],
    });
  });

  it('refuses a day that is not one, and a delay out of range', () => {
    expect(() => day('2026-02-30')).toThrow(/--date: "2026-02-30" is not a day/);
    expect(() => day('2026-11-24', { delayDays: 31 })).toThrow(/--delay-days: 31/);
  });

  it('property: every statement adds up, injections are deterministic, each is applied or skipped, the opening is the true history unless shifted', () => {
    const currency = fc.constantFrom(USD, EUR, JPY);
    const dayOf = fc.integer({ min: 0, max: 13 }).map((n) => addDays('2026-11-16', n));
    const facts = fc.record({
      pspPayouts: fc
        .uniqueArray(
          fc.record({
            date: dayOf,
            currency,
            amountMinor: fc.bigInt({ min: 1n, max: 10_000_000n }),
          }),
          { selector: (p) => `${p.date}${p.currency}`, maxLength: 25 },
        )
        .map((list) => list.map((p) => psp(p.date, p.currency, p.amountMinor))),
      sellerPayouts: fc
        .array(
          fc.record({
            date: dayOf,
            currency,
            amountMinor: fc.bigInt({ min: 1n, max: 1_000_000n }),
            hour: fc.integer({ min: 10, max: 23 }),
          }),
          { maxLength: 25 },
        )
        .map((list) =>
          list.map((p, i) =>
            seller(`po_${i}`, `${p.date}T${p.hour}:00:00.000Z`, p.currency, p.amountMinor),
          ),
        ),
    });
    fc.assert(
      fc.property(
        facts,
        dayOf,
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 20 }),
        fc.string({ maxLength: 6 }),
        (f, date, delayDays, inject, seed) => {
          const options = { date, delayDays, inject, seed };
          const plan = planBankDay(f, options);
          const truth = planBankDay(f, { ...options, inject: 0 });
          expect(plan.statements.every(adds) && truth.statements.every(adds)).toBe(true);
          expect(planBankDay(f, options)).toEqual(plan);
          expect(plan.injected.length + plan.skipped.length).toBe(inject);
          for (const [index, statement] of plan.statements.entries()) {
            const shift =
              plan.injected.find(
                (i) =>
                  i.kind === 'balance_mismatch' && i.reference === statement.header.statementId,
              )?.amountMinor ?? 0n;
            expect(statement.header.opening.amountMinor).toBe(
              (truth.statements[index]?.header.opening.amountMinor ?? 0n) + shift,
            );
          }
          // The true history: the next day opens where the true day closed.
          const next = planBankDay(f, { ...options, date: addDays(date, 1), inject: 0 });
          for (const statement of truth.statements) {
            expect(
              next.statements.find((s) => s.header.currency === statement.header.currency)?.header
                .opening.amountMinor,
            ).toBe(statement.footer.closing.amountMinor);
          }
          const refs = plan.statements.flatMap((s) => s.entries.map((e) => e.accountServicerRef));
          const duplicates = plan.injected.filter((i) => i.kind === 'duplicate').length;
          expect(refs.length - new Set(refs).size).toBe(duplicates);
        },
      ),
      { numRuns: 300 },
    );
  });
});
