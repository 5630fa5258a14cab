import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { payops, tempDirPerTest } from '../helpers/cli.js';
import { eventsFile } from '../helpers/events.js';

const checkout = {
  eventId: 'chk_1', type: 'pay_in', occurredAt: '2026-11-23T10:00:00Z', currency: 'USD', payer: { id: 'buyer_1' }, paymentToken: 'tok_visa',
  orders: [{ orderId: 'ord_1', sellerId: 'seller_7', amount: '25.00', platformFee: '2.50' }],
};

/**
 * Review 2, item 4: `psp settle` is in RUN_COMMANDS ("settlement runs" of issue 15) but never opens
 * the book through withDatabase, so onFirstOpen never fires and the run is never recorded.
 */
describe('review2: every run command is recorded in `payops runs list`', () => {
  const temp = tempDirPerTest();

  it('records `psp settle` as a run', () => {
    const db = path.join(temp.dir, 'books.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
    expect(payops(['payin', 'run', eventsFile(temp.dir, 'day.ndjson', checkout), '--db', db]).code).toBe(0);
    const day = new Date().toISOString().slice(0, 10);
    const settle = payops(['psp', 'settle', '--date', day, '--out', path.join(temp.dir, 'settlement.csv'), '--db', db]);
    expect(settle.code).toBe(0);
    const runs = JSON.parse(payops(['runs', 'list', '--json', '--db', db]).stdout) as { runs: { command: string }[] };
    expect(runs.runs.map((run) => run.command)).toContain('psp settle');
  });
});
