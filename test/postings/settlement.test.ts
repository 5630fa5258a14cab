import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bookedFeeAccountOf,
  feeLegs,
  posting,
  recordReversalLegs,
  rowBookingLegs,
  settlementPspFeesTransaction,
  settlementTransaction,
} from '../../src/postings/index.js';
import { AT, USD, expectBalanced, lines } from './rules.js';

const nonZero = fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }).filter((n) => n !== 0n);

describe('settlement batch matched', () => {
  it('Dr assets:bank:in-transit:<psp> / Cr psp receivable (net), keyed by batch for matched rows', () => {
    const settlement: Parameters<typeof settlementTransaction>[1] = {
      id: 4n,
      kind: 'rows',
      batchId: 'po_1',
      currency: USD,
      netMinor: 6440n,
    };
    const request = settlementTransaction('sim', settlement, '3 matched rows', AT);
    expect(request).toMatchObject({
      idempotencyKey: 'settlement.batch:sim:po_1:USD:s4',
      kind: 'settlement.batch',
      description: 'Payout po_1 from sim in transit to the bank: 3 matched rows, 64.40 USD',
      effectiveAt: AT,
      metadata: { psp: 'sim', batchId: 'po_1', settlement: '4' },
    });
    expect(lines(request)).toEqual([
      'Dr assets:bank:in-transit:sim 6440',
      'Cr assets:psp:sim:receivable 6440',
    ]);
    const residual = settlementTransaction(
      'sim',
      { ...settlement, kind: 'residual', netMinor: -5n },
      'settlement 4',
      AT,
    );
    expect(residual).toMatchObject({
      idempotencyKey: 'settlement.residual:sim:s4',
      kind: 'settlement.residual',
    });
    expect(lines(residual)).toEqual([
      'Cr assets:bank:in-transit:sim 5',
      'Dr assets:psp:sim:receivable 5',
    ]);
  });

  it('balances for any net, either sign', () => {
    fc.assert(
      fc.property(nonZero, fc.constantFrom('rows', 'row', 'record', 'residual'), (netMinor, kind) =>
        expectBalanced(
          settlementTransaction(
            'sim',
            { id: 1n, kind, batchId: 'b', currency: USD, netMinor },
            'x',
            AT,
          ),
        ),
      ),
    );
  });
});

describe('PSP fee learned later (settlement file)', () => {
  it('Dr expenses:psp-fees / Cr psp receivable, one per file and currency', () => {
    const run = { psp: 'sim', runId: 12n, fileSha256: 'ab'.repeat(32) };
    const request = settlementPspFeesTransaction(run, USD, 310n, AT);
    expect(request).toMatchObject({
      idempotencyKey: `settlement.psp-fees:sim:${'ab'.repeat(8)}:USD`,
      kind: 'settlement.psp-fee',
      description: 'PSP fees not booked before, from settlement file run 12 (sim)',
      metadata: { psp: 'sim', run: '12' },
    });
    expect(lines(request)).toEqual([
      'Dr expenses:psp-fees 310',
      'Cr assets:psp:sim:receivable 310',
    ]);
    fc.assert(
      fc.property(nonZero, (feeMinor) =>
        expectBalanced(settlementPspFeesTransaction(run, USD, feeMinor, AT)),
      ),
    );
  });
});

describe('the legs a settlement decision is made of', () => {
  const wrap = (legs: Parameters<typeof posting>[0]['legs']) =>
    posting({
      idempotencyKey: 'k',
      kind: 'reconcile.accept',
      description: 'd',
      effectiveAt: AT,
      legs,
    });

  it('books an unknown row as the PSP states it, against the counter account', () => {
    expect(
      lines(wrap(rowBookingLegs('sim', USD, 1000n, 30n, 'liabilities:psp:sim:unapplied'))),
    ).toEqual([
      'Dr assets:psp:sim:receivable 970',
      'Dr expenses:psp-fees 30',
      'Cr liabilities:psp:sim:unapplied 1000',
    ]);
  });

  it('takes a record out of the receivable, undoing its fee where it was booked', () => {
    expect(bookedFeeAccountOf('chargeback')).toBe('expenses:chargeback-fees');
    expect(bookedFeeAccountOf('capture')).toBe('expenses:psp-fees');
    expect(
      lines(
        wrap(
          recordReversalLegs(
            'sim',
            USD,
            1000n,
            30n,
            'expenses:reconciliation:adjustments',
            bookedFeeAccountOf('refund'),
          ),
        ),
      ),
    ).toEqual([
      'Cr assets:psp:sim:receivable 970',
      'Cr expenses:psp-fees 30',
      'Dr expenses:reconciliation:adjustments 1000',
    ]);
  });

  it('balances for any gross and fee; a fee as large as the gross leaves no receivable line', () => {
    fc.assert(
      fc.property(nonZero, nonZero, (grossMinor, feeMinor) => {
        const booked = wrap(rowBookingLegs('sim', USD, grossMinor, feeMinor, 'expenses:x'));
        const reversed = wrap(
          recordReversalLegs('sim', USD, grossMinor, feeMinor, 'expenses:x', 'expenses:y'),
        );
        expectBalanced(booked);
        expectBalanced(reversed);
        expectBalanced(wrap(feeLegs('sim', USD, feeMinor)));
      }),
    );
    expect(lines(wrap(rowBookingLegs('sim', USD, 30n, 30n, 'expenses:x')))).toEqual([
      'Dr expenses:psp-fees 30',
      'Cr expenses:x 30',
    ]);
  });
});
