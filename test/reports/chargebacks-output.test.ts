import { describe, expect, it } from 'vitest';
import { toCurrency } from '../../src/money/index.js';
import {
  chargebacksSyncJson,
  chargebacksSyncLine,
  refusedDisputeLines,
  renderChargebackList,
  unmatchedDisputeLines,
  waitingDisputeLines,
} from '../../src/reports/chargebacks-output.js';

const USD = toCurrency('USD');

describe('chargebacks output', () => {
  const dispute = (disputeId: string) => ({
    disputeId,
    chargeReference: `ch_${disputeId}`,
    merchantReference: 'ord_1',
    amountMinor: 1000n,
    disputeFeeMinor: 1500n,
    currency: USD,
    createdAt: '2026-11-23T10:00:00.000Z',
  });
  const sync = {
    recorded: 1,
    alreadyRecorded: 2,
    unmatched: [dispute('dp_u')],
    mismatched: [{ dispute: dispute('dp_m'), detail: 'another amount' }],
    waiting: [{ dispute: dispute('dp_w'), status: 'pending', reason: 'not captured yet' }],
    conflicts: [dispute('dp_c')],
    clawedMinor: new Map([[USD, 900n]]),
  };

  it('says the sync in one line and each dispute left aside on its own line', () => {
    expect(chargebacksSyncLine(sync, 'USD 9.00')).toBe(
      "chargebacks: 1 new, 2 already booked, 1 waiting for their order's capture or refund; seller shares clawed back USD 9.00",
    );
    expect(unmatchedDisputeLines(sync)).toEqual([
      'dispute dp_u on ord_1 matches no order: left for reconciliation',
    ]);
    expect(waitingDisputeLines(sync)).toEqual([
      'dispute dp_w on ord_1: not captured yet: nothing booked; run `payops chargebacks sync` again after that',
    ]);
    expect(refusedDisputeLines(sync)).toEqual([
      'payops: dispute dp_m on ord_1: another amount: nothing booked, left for reconciliation',
      'payops: dispute dp_c on ord_1: the order is failed in payops but the PSP says its charge ch_dp_c was captured and disputed: nothing booked, left for reconciliation',
    ]);
  });

  it('shapes the JSON by dispute id, with the clawed-back totals as money', () => {
    expect(chargebacksSyncJson(sync)).toMatchObject({
      recorded: 1,
      alreadyRecorded: 2,
      unmatched: ['dp_u'],
      mismatched: [{ disputeId: 'dp_m', orderId: 'ord_1', detail: 'another amount' }],
      waiting: [
        { disputeId: 'dp_w', orderId: 'ord_1', orderStatus: 'pending', reason: 'not captured yet' },
      ],
      conflicts: ['dp_c'],
    });
    expect(chargebacksSyncJson(sync).clawedBack).toHaveLength(1);
  });

  it('says when there are no chargebacks, and lists each with its fee and seller share', () => {
    expect(renderChargebackList([])).toBe('no chargebacks');
    const table = renderChargebackList([
      {
        disputeId: 'dp_1',
        orderId: 'ord_1',
        amountMinor: 1000n,
        disputeFeeMinor: 1500n,
        sellerShareMinor: 900n,
        currency: USD,
        disputedAt: '2026-11-23T10:00:00.000Z',
      },
    ]);
    expect(table.split('\n')[2]).toBe(
      'dp_1     ord_1   10.00  15.00          9.00  USD       2026-11-23T10:00:00.000Z',
    );
  });
});
