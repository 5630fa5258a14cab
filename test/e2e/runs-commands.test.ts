import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { payops, tempDirPerTest } from '../helpers/cli.js';
import { eventsFile } from '../helpers/events.js';

const checkout = {
  eventId: 'chk_1',
  type: 'pay_in',
  occurredAt: '2026-11-23T10:00:00Z',
  currency: 'USD',
  payer: { id: 'buyer_1' },
  paymentToken: 'tok_visa',
  orders: [{ orderId: 'ord_1', sellerId: 'seller_7', amount: '25.00', platformFee: '2.50' }],
};

/**
 * Found by the second review of issue 15: a command in RUN_COMMANDS that never opens the book is
 * never recorded (psp settle was one, and is no run: it writes the simulated PSP's file). Every
 * command that moves money in the books is recorded, dlq requeue and webhooks replay included.
 */
describe('every command that moves money in the books is a recorded run', () => {
  const temp = tempDirPerTest();

  it('records payin run, dlq requeue and webhooks replay; psp settle writes no run into the book', () => {
    const db = path.join(temp.dir, 'books.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
    expect(
      payops(['payin', 'run', eventsFile(temp.dir, 'day.ndjson', checkout), '--db', db]).code,
    ).toBe(0);
    expect(payops(['dlq', 'requeue', '--all', '--db', db]).code).toBe(0);
    const deliveries = path.join(temp.dir, 'deliveries.ndjson');
    fs.writeFileSync(deliveries, '');
    expect(
      payops(['webhooks', 'replay', deliveries, '--db', db], {
        env: { PAYOPS_WEBHOOK_SECRET: 'whsec_test_review2' },
      }).code,
    ).toBe(0);
    const day = new Date().toISOString().slice(0, 10);
    expect(
      payops([
        'psp',
        'settle',
        '--date',
        day,
        '--out',
        path.join(temp.dir, 'settlement.csv'),
        '--db',
        db,
      ]).code,
    ).toBe(0);
    const runs = JSON.parse(payops(['runs', 'list', '--json', '--db', db]).stdout) as {
      runs: { command: string }[];
    };
    expect(runs.runs.map((run) => run.command).sort()).toEqual([
      'dlq requeue',
      'payin run',
      'webhooks replay',
    ]);
  });
});
