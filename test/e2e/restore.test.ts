import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { payops, tempDirPerTest } from '../helpers/cli.js';
import { eventsFile } from '../helpers/events.js';

/**
 * Issue 14 item 1: an operator restores a copy of the books taken before some pay-in and payouts,
 * the PSP has forgotten those idempotency keys (24 h later), and the same event files are run
 * again. Nothing may be charged or paid out a second time.
 */
const DAY_MS = 24 * 60 * 60 * 1000;
const IBAN_7 = 'DE89370400440532013000';
const IBAN_9 = 'GB82WEST12345698765432';
const checkout = (eventId: string, orderId: string, sellerId: string, amount: string) => ({
  eventId, type: 'pay_in', occurredAt: '2026-11-23T10:15:00Z', currency: 'USD', payer: { id: 'buyer_42' }, paymentToken: 'tok_visa', orders: [{ orderId, sellerId, amount, platformFee: '1.00' }],
});
const delivered = (eventId: string, orderId: string, sellerId: string, iban: string) => ({
  eventId, type: 'pay_out', occurredAt: '2026-11-25T09:00:00Z', orderId, seller: { id: sellerId, name: `${sellerId} Ltd`, account: { iban } },
});

interface CheckJson {
  ok: boolean;
  results: { name: string; ok: boolean; details: string[] }[];
}

describe('restoring a backup of the books (end to end)', () => {
  const tmp = tempDirPerTest();

  /** books.db with one pay-in; a copy of it (the backup); then more pay-in, releases and payouts. */
  function booksWithBackup(): { db: string; backup: string; later: string[] } {
    const db = path.join(tmp.dir, 'books.db');
    const backup = path.join(tmp.dir, 'backup.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
    const first = eventsFile(tmp.dir, 'first.ndjson', checkout('chk_1', 'ord_1', 'seller_7', '25.00'));
    expect(payops(['payin', 'run', first, '--db', db]).code).toBe(0);
    fs.copyFileSync(db, backup); // the process closed the book: its WAL is checkpointed into the file
    const second = eventsFile(tmp.dir, 'second.ndjson', checkout('chk_2', 'ord_2', 'seller_7', '40.00'), checkout('chk_3', 'ord_3', 'seller_9', '10.00'));
    const deliveries = eventsFile(tmp.dir, 'deliveries.ndjson', delivered('d1', 'ord_1', 'seller_7', IBAN_7), delivered('d2', 'ord_2', 'seller_7', IBAN_7), delivered('d3', 'ord_3', 'seller_9', IBAN_9));
    expect(payops(['payin', 'run', second, '--db', db]).code).toBe(0);
    expect(payops(['payin', 'run', deliveries, '--db', db]).code).toBe(0);
    expect(payops(['payout', 'run', '--db', db]).code).toBe(0);
    return { db, backup, later: [second, deliveries] };
  }

  /** The backup copied over the books (the PSP's own state, beside them, is not part of the backup). */
  function restore(db: string, backup: string): void {
    for (const suffix of ['-wal', '-shm']) fs.rmSync(`${db}${suffix}`, { force: true });
    fs.copyFileSync(backup, db);
  }

  it('charges no order and pays no payout twice when the same files are run again a day later', () => {
    const { db, backup, later } = booksWithBackup();
    restore(db, backup);
    const verify = payops(['ledger', 'verify', '--db', db]);
    expect(verify.code).toBe(0); // the restored chain is whole: only its mark tells it is behind
    expect(verify.stderr).toMatch(/the book is behind its mark .*Restoring from a backup/);
    const dayLater = { env: { PAYOPS_TEST_CLOCK_OFFSET_MS: String(DAY_MS + 60 * 60_000) } };
    const rerun = payops(['payin', 'run', later[0] as string, '--db', db, '--json'], dayLater);
    expect(payops(['payin', 'run', later[1] as string, '--db', db], dayLater).code).toBe(0);
    expect(payops(['payout', 'run', '--db', db], dayLater).code).toBe(0);
    const check = payops(['check', '--json', '--db', db], dayLater);
    const report = JSON.parse(check.stdout) as CheckJson;
    const problems = report.results.flatMap((result) => result.details.filter(() => !result.ok));
    expect(problems.filter((line) => /charged \d+ times|sent \d+ times/.test(line))).toEqual([]);
    expect(report.results.filter((result) => !result.ok)).toEqual([]);
    expect(rerun.stderr).toContain('the book is behind its mark');
    expect(JSON.parse(rerun.stdout)).toMatchObject({ bookBehind: { lookUps: '4' } }); // ord_2, ord_3 and the two payouts the backup forgot
  });
});
