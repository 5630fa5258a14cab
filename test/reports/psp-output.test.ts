import { describe, expect, it } from 'vitest';
import { toCurrency } from '../../src/money/index.js';
import { notInjectedLines, pspSettleLines } from '../../src/reports/psp-output.js';

const USD = toCurrency('USD');

describe('psp settle output', () => {
  it('says the file, each batch and each injected discrepancy; the skipped ones go to stderr', () => {
    const manifest = {
      psp: 'sim' as const,
      date: '2026-11-23',
      seed: '1',
      file: 's.csv',
      rows: 3,
      batches: [
        {
          batchId: 'b1',
          currency: USD,
          payoutMinor: '12345',
          rowsNetMinor: '12345',
          differenceMinor: null,
        },
        {
          batchId: 'b2',
          currency: USD,
          payoutMinor: null,
          rowsNetMinor: '-5',
          differenceMinor: null,
        },
      ],
      injected: [
        {
          kind: 'missing_row' as const,
          expectedClass: 'missing_psp',
          pspReference: 'ch_1',
          merchantReference: null,
          currency: USD,
          batchId: 'b1',
          line: null,
          overstatedNetMinor: '0',
          detail: '',
        },
      ],
      skipped: [{ kind: 'missing_row' as const, reason: 'no row left' }],
    };
    expect(pspSettleLines(manifest, 'out.csv', '2026-11-23')).toEqual([
      'wrote 3 rows to out.csv (2026-11-23, psp sim)',
      '  batch b1: payout 123.45 USD',
      '  batch b2: no payout (the day nets to nothing or less)',
      '  injected missing_row (missing_psp): ch_1',
    ]);
    expect(notInjectedLines(manifest)).toEqual(['not injected: missing_row: no row left']);
  });
});
