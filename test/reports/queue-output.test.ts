import { describe, expect, it } from 'vitest';
import { toCurrency } from '../../src/money/index.js';
import { emptyTally } from '../../src/work/executors/charge.js';
import { emptyPayoutTally } from '../../src/work/executors/payout.js';
import { emptyRefundTally } from '../../src/work/executors/refund.js';
import {
  dlqRequeueLines,
  needsAttentionCount,
  queuedCsv,
  releaseListCsv,
  renderQueued,
  renderReleaseList,
  retryRunLines,
} from '../../src/reports/queue-output.js';

type Queued = Parameters<typeof renderQueued>[0][number];
type Summary = Parameters<typeof retryRunLines>[0];
type Held = Parameters<typeof renderReleaseList>[0][number];

const charge: Queued = {
  kind: 'charge',
  id: 'ord_1',
  orderId: 'ord_1',
  sellerId: 'seller_1',
  currency: toCurrency('USD'),
  amountMinor: 123456n,
  attempts: 3,
  lastError: '=HYPERLINK("x"), a 503',
  nextAttemptAt: '2026-11-23T10:05:00.000Z',
  since: '2026-11-23T10:00:00.000Z',
  psp: 'sim',
};
const payout: Queued = {
  ...charge,
  kind: 'payout',
  id: 'po_1',
  orderId: null,
  currency: toCurrency('JPY'),
  amountMinor: 5000n,
  lastError: null,
  nextAttemptAt: null,
};

function summary(change: (s: Summary) => void = () => {}): Summary {
  const s: Summary = {
    charges: emptyTally(),
    refunds: emptyRefundTally(),
    payouts: emptyPayoutTally(),
    queue: {
      created: 0,
      executing: 0,
      succeeded: 0,
      pending: 0,
      failed: 0,
      retry_scheduled: 2,
      dead_lettered: 1,
      needs_attention: 0,
    },
    open: {
      refunds: { retryScheduled: 0, deadLettered: 0, needsAttention: 0 },
      payouts: { retryScheduled: 0, deadLettered: 0, needsAttention: 0 },
    },
    held: [],
    heldPayOuts: { released: 0, rejected: [], stillHeld: 0 },
  };
  change(s);
  return s;
}

describe('retry list and dlq list output', () => {
  it('says an empty list in words', () => {
    expect(renderQueued([], true)).toBe('the retry queue is empty');
    expect(renderQueued([], false)).toBe('no dead letters');
  });

  it('shows the next attempt in the retry queue and the time since in the dead letters', () => {
    expect(renderQueued([charge, payout], true).split('\n')).toEqual([
      'kind    id      amount  currency  attempts  next attempt              last error',
      '------  -----  -------  --------  --------  ------------------------  ----------------------',
      'charge  ord_1  1234.56  USD              3  2026-11-23T10:05:00.000Z  =HYPERLINK("x"), a 503',
      'payout  po_1      5000  JPY              3',
    ]);
    expect(renderQueued([payout], false).split('\n')).toEqual([
      'kind    id    amount  currency  attempts  since                     last error',
      '------  ----  ------  --------  --------  ------------------------  ----------',
      'payout  po_1    5000  JPY              3  2026-11-23T10:00:00.000Z',
    ]);
  });

  it('writes CSV with numeric amounts and attempts, empty cells for nulls, and text that cannot run as a formula', () => {
    expect(queuedCsv([charge, payout], true).split('\n')).toEqual([
      'kind,id,order_id,seller_id,amount,currency,attempts,next_attempt_at,since,psp,last_error',
      `charge,ord_1,ord_1,seller_1,1234.56,USD,3,2026-11-23T10:05:00.000Z,2026-11-23T10:00:00.000Z,sim,"'=HYPERLINK(""x""), a 503"`,
      'payout,po_1,,seller_1,5000,JPY,3,,2026-11-23T10:00:00.000Z,sim,',
    ]);
    expect(queuedCsv([], false)).toBe(
      'kind,id,order_id,seller_id,amount,currency,attempts,since,psp,last_error',
    );
  });
});

describe('retry run and dlq requeue output', () => {
  it('says the charges and the queue, with the shared lines after them', () => {
    const s = summary((x) => {
      x.charges.attempted = 3;
      x.charges.succeeded = 2;
      x.charges.retryScheduled = 1;
    });
    expect(retryRunLines(s, 'USD 12.50', ['retries   1 retries scheduled: 503 (1)'])).toEqual([
      'attempted 3: succeeded 2, pending 0, failed 0, retry scheduled 1, dead-lettered 0\ncaptured USD 12.50\nqueue: retry scheduled 2, dead-lettered 1',
      'retries   1 retries scheduled: 503 (1)',
    ]);
  });

  it('adds the refund and payout lines only when some ran, and counts what needs attention over all three', () => {
    const s = summary((x) => {
      x.refunds.attempted = 1;
      x.refunds.succeeded = 1;
      x.charges.recoveredLeases = 4;
      x.queue.needs_attention = 1;
      x.open.payouts.needsAttention = 2;
    });
    expect(needsAttentionCount(s)).toBe(3);
    const lines = retryRunLines(s, 'none', []);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      'refunds attempted 1: succeeded 1, declined 0, retry scheduled 0, dead-lettered 0',
    );
    expect(lines[1]).toContain('; recovered 4 from crashed runs\ncaptured none\n');
    expect(lines[1]).toMatch(
      /, needs attention 3 \(charges 1, refunds 0, payouts 2\): `payops attention list`$/,
    );
  });

  it('says what became of requeued charges always, and of refunds and payouts when there were some', () => {
    expect(dlqRequeueLines(summary(), [])).toEqual([
      'requeued 0 charges: succeeded 0, pending 0, failed 0, retry scheduled 0, dead-lettered again 0',
    ]);
    const s = summary((x) => {
      x.payouts.attempted = 2;
      x.payouts.deadLettered = 2;
    });
    expect(dlqRequeueLines(s, ['held      …'])).toEqual([
      'requeued 0 charges: succeeded 0, pending 0, failed 0, retry scheduled 0, dead-lettered again 0',
      'requeued 2 payouts: sent 0, failed 0, retry scheduled 0, dead-lettered again 2',
      'held      …',
    ]);
  });
});

describe('release list output', () => {
  const held: Held = {
    eventId: 'dlv_1',
    orderId: 'ord_1',
    sellerId: 'seller_1',
    source: 'events.ndjson',
    status: 'held',
    orderStatus: 'pending',
    heldAt: '2026-11-23T10:00:00.000Z',
    resolvedAt: null,
    reason: null,
  };

  it('says there is none, in the words of the list asked for', () => {
    expect(renderReleaseList([], true)).toBe('no pay_out was ever held');
    expect(renderReleaseList([], false)).toMatch(
      /^no pay_out is held: .*--all shows those once held\)$/,
    );
  });

  it('puts the date basis above the table, and writes CSV with empty cells for what is not resolved', () => {
    const text = renderReleaseList([held], false).split('\n');
    expect(text[0]).toBe('dates: received (when payops accepted the pay_out)');
    expect(text[1]).toMatch(/^event {2}order {2}seller {4}order status {2}pay_out {2}held at/);
    expect(releaseListCsv([held])).toBe(
      'event_id,order_id,seller_id,order_status,status,held_at,resolved_at,reason\ndlv_1,ord_1,seller_1,pending,held,2026-11-23T10:00:00.000Z,,',
    );
  });
});
