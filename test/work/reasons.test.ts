import { describe, expect, it } from 'vitest';
import {
  type ReasonTally,
  mergeReasons,
  noteDeadLetter,
  noteRetry,
  reasonOf,
  reasonsLine,
} from '../../src/work/reasons.js';

describe('retry and dead-letter reasons', () => {
  it("takes the item's own names out of a PSP detail, so the same failure groups", () => {
    expect(
      reasonOf('HTTP 500 for key payops-ord_1-charge: boom', ['payops-ord_1-charge', 'ord_1']),
    ).toBe('HTTP 500: boom');
    expect(reasonOf('connect ECONNREFUSED 127.0.0.1:9 (ord_7)', ['ord_7'])).toBe(
      'connect ECONNREFUSED 127.0.0.1:9 (…)',
    );
    expect(reasonOf('   ')).toBe('no reason given');
    expect(reasonOf('x'.repeat(500))).toHaveLength(200);
  });

  it('counts retries and dead letters with the totals they explain', () => {
    const tally: ReasonTally = {
      retryScheduled: 0,
      deadLettered: 0,
      retriesByReason: [],
      deadLettersByReason: [],
    };
    for (let i = 0; i < 10; i++) noteRetry(tally, 'getaddrinfo ENOTFOUND');
    noteRetry(tally, 'timeout');
    noteDeadLetter(tally, 'rejected by the PSP: idempotency_key_reused');
    expect(tally).toEqual({
      retryScheduled: 11,
      deadLettered: 1,
      retriesByReason: [
        { reason: 'getaddrinfo ENOTFOUND', count: 10 },
        { reason: 'timeout', count: 1 },
      ],
      deadLettersByReason: [{ reason: 'rejected by the PSP: idempotency_key_reused', count: 1 }],
    });
    expect(reasonsLine('retries scheduled', 11, tally.retriesByReason)).toBe(
      '11 retries scheduled: getaddrinfo ENOTFOUND (10), timeout (1)',
    );
    expect(reasonsLine('retries scheduled', 1, [{ reason: 'timeout', count: 1 }])).toBe(
      '1 retry scheduled: timeout (1)',
    );
    expect(reasonsLine('dead-lettered', 0, [])).toBeUndefined();
  });

  it('merges the reasons of charges, refunds and payouts, most frequent first', () => {
    expect(
      mergeReasons(
        [{ reason: 'a', count: 1 }],
        [
          { reason: 'b', count: 3 },
          { reason: 'a', count: 1 },
        ],
      ),
    ).toEqual([
      { reason: 'b', count: 3 },
      { reason: 'a', count: 2 },
    ]);
  });
});
