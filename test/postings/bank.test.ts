import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bankFeePosting,
  payoutReceivedPosting,
  payoutsLeftPosting,
  unidentifiedPosting,
} from '../../src/postings/index.js';
import { toCurrency } from '../../src/money/index.js';
import { expectBalanced } from './rules.js';

const USD = toCurrency('USD');
const entry = {
  entryId: 7n,
  currency: USD,
  amountMinor: 6440n,
  bookingDate: '2026-11-24',
  source: 'day.xml:12',
};
const legs = (request: {
  entries: readonly { account: string; direction: string; amountMinor: bigint }[];
}) =>
  request.entries.map(
    (e) => `${e.direction === 'debit' ? 'Dr' : 'Cr'} ${e.account} ${e.amountMinor}`,
  );

describe('what a statement posts', () => {
  it('each class on assets:bank:operating against what it is, at the end of the booking day, with a stable key', () => {
    const received = payoutReceivedPosting(entry, 'sim', 'po_sim_20261123_USD');
    expect(received).toMatchObject({
      idempotencyKey: 'bank.received:sim:po_sim_20261123_USD:USD',
      kind: 'bank.payout-received',
      effectiveAt: '2026-11-24T23:59:59.999Z',
      description: 'PSP payout po_sim_20261123_USD from sim received, 64.40 USD (day.xml:12)',
    });
    expect(legs(received)).toEqual([
      'Dr assets:bank:operating 6440',
      'Cr assets:bank:in-transit:sim 6440',
    ]);
    const left = payoutsLeftPosting(entry, ['po_a', 'po_b']);
    expect(left).toMatchObject({ idempotencyKey: 'bank.left:7', kind: 'bank.payout-left' });
    expect(legs(left)).toEqual([
      'Dr liabilities:payouts:in-transit 6440',
      'Cr assets:bank:operating 6440',
    ]);
    expect(legs(unidentifiedPosting(entry, 'credit', 'why'))).toEqual([
      'Dr assets:bank:operating 6440',
      'Cr liabilities:bank:unidentified-credits 6440',
    ]);
    expect(legs(unidentifiedPosting(entry, 'debit', 'why'))).toEqual([
      'Cr assets:bank:operating 6440',
      'Dr assets:bank:unidentified-debits 6440',
    ]);
    expect(unidentifiedPosting(entry, 'debit', 'why')).toMatchObject({
      idempotencyKey: 'bank.unidentified:7',
      kind: 'bank.unidentified',
    });
    expect(legs(bankFeePosting(entry))).toEqual([
      'Dr expenses:bank-fees 6440',
      'Cr assets:bank:operating 6440',
    ]);
    expect(bankFeePosting(entry)).toMatchObject({ idempotencyKey: 'bank.fee:7', kind: 'bank.fee' });
  });

  it('balances for any amount and direction, each line the entry amount', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 15n }), (amountMinor) => {
        const e = { ...entry, amountMinor };
        for (const request of [
          payoutReceivedPosting(e, 'sim', 'b'),
          payoutsLeftPosting(e, ['po_a']),
          unidentifiedPosting(e, 'credit', 'why'),
          unidentifiedPosting(e, 'debit', 'why'),
          bankFeePosting(e),
        ]) {
          expectBalanced(request);
          for (const line of request.entries) expect(line.amountMinor).toBe(amountMinor);
        }
      }),
    );
  });
});
