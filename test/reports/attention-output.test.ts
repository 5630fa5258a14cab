import { describe, expect, it } from 'vitest';
import { toCurrency } from '../../src/money/index.js';
import {
  attentionResolveLines,
  outcomeCount,
  renderAttentionList,
} from '../../src/reports/attention-output.js';

const USD = toCurrency('USD');

describe('attention output', () => {
  it('says when nothing needs attention, and lists each kept answer with its amount', () => {
    expect(renderAttentionList([])).toBe('nothing needs attention');
    const table = renderAttentionList([
      {
        id: 1n,
        kind: 'charge',
        itemId: 'ord_1',
        psp: 'sim',
        answerStatus: 'succeeded',
        pspReference: null,
        amountMinor: 2500n,
        currency: USD,
        pspFeeMinor: null,
        declineReason: null,
        error: 'disk full',
        answeredAt: '2026-11-23T10:00:00.000Z',
        resolvedAt: null,
        resolvedBy: null,
      },
    ]).split('\n');
    expect(table[0]).toBe(
      'kind    id     answer     psp ref  amount  currency  since                     why not recorded',
    );
    expect(table[2]).toBe(
      'charge  ord_1  succeeded            25.00  USD       2026-11-23T10:00:00.000Z  disk full',
    );
  });

  it('says each outcome of a resolve, then the counts', () => {
    const outcomes = [
      {
        kind: 'charge' as const,
        itemId: 'ord_1',
        outcome: 'already_booked' as const,
        detail: 'booked before',
      },
      {
        kind: 'refund' as const,
        itemId: 're_1',
        outcome: 'refused' as const,
        detail: 'order unknown',
      },
    ];
    expect(outcomeCount(outcomes, 'refused')).toBe(1);
    expect(attentionResolveLines(outcomes)).toEqual([
      'charge ord_1: already booked: booked before',
      'refund re_1: refused: order unknown',
      'booked 0, already booked 1, refused 1',
    ]);
  });
});
