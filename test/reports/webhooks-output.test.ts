import { describe, expect, it } from 'vitest';
import {
  notAppliedYetLine,
  webhooksListenLine,
  webhooksReplayLine,
} from '../../src/reports/webhooks-output.js';

describe('webhooks output', () => {
  it('says each outcome and how many, or that none came', () => {
    expect(webhooksListenLine({})).toBe('webhooks: none received');
    expect(webhooksListenLine({ applied: 2, duplicate: 1 })).toBe(
      'webhooks: applied 2, duplicate 1',
    );
    expect(
      webhooksReplayLine({
        lines: 4,
        outcomes: { applied: 3 },
        rejected: [{ line: 2, reason: 'x' }],
        alarms: [],
      }),
    ).toBe('replayed 4 deliveries: applied 3; rejected 1');
    expect(webhooksReplayLine({ lines: 0, outcomes: {}, rejected: [], alarms: [] })).toBe(
      'replayed 0 deliveries: none applied; rejected 0',
    );
  });

  it('says which events wait for their order, in the singular and the plural', () => {
    expect(notAppliedYetLine(1, 'd.ndjson')).toMatch(
      /^1 event not applied yet: its order has no answer/,
    );
    expect(notAppliedYetLine(2, 'd.ndjson')).toMatch(
      /^2 events not applied yet: their orders have .*then replay d\.ndjson again\)$/,
    );
  });
});
