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
  eventId,
  type: 'pay_in',
  occurredAt: '2026-11-23T10:15:00Z',
  currency: 'USD',
  payer: { id: 'buyer_42' },
  paymentToken: 'tok_visa',
  orders: [{ orderId, sellerId, amount, platformFee: '1.00' }],
});
const delivered = (eventId: string, orderId: string, sellerId: string, iban: string) => ({
  eventId,
  type: 'pay_out',
  occurredAt: '2026-11-25T09:00:00Z',
  orderId,
  seller: { id: sellerId, name: `${sellerId} Ltd`, account: { iban } },
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
    const first = eventsFile(
      tmp.dir,
      'first.ndjson',
      checkout('chk_1', 'ord_1', 'seller_7', '25.00'),
    );
    expect(payops(['payin', 'run', first, '--db', db]).code).toBe(0);
    fs.copyFileSync(db, backup); // the process closed the book: its WAL is checkpointed into the file
    const second = eventsFile(
      tmp.dir,
      'second.ndjson',
      checkout('chk_2', 'ord_2', 'seller_7', '40.00'),
      checkout('chk_3', 'ord_3', 'seller_9', '10.00'),
    );
    const deliveries = eventsFile(
      tmp.dir,
      'deliveries.ndjson',
      delivered('d1', 'ord_1', 'seller_7', IBAN_7),
      delivered('d2', 'ord_2', 'seller_7', IBAN_7),
      delivered('d3', 'ord_3', 'seller_9', IBAN_9),
    );
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
  const dayLater = { env: { PAYOPS_TEST_CLOCK_OFFSET_MS: String(DAY_MS + 60 * 60_000) } };

  /** `payops check` on the PSP state beside `db`: no order charged or payout sent twice, nothing failing. */
  function expectNoDoubleSend(db: string, extra: readonly string[] = []): void {
    const report = JSON.parse(
      payops(['check', '--json', ...extra, '--db', db], dayLater).stdout,
    ) as CheckJson;
    const problems = report.results.flatMap((result) => (result.ok ? [] : result.details));
    expect(problems.filter((line) => /charged \d+ times|sent \d+ times/.test(line))).toEqual([]);
    expect(report.results.filter((result) => !result.ok)).toEqual([]);
  }

  it("finds the mark by the book's real path: a book opened through a symlink is still found behind (1a)", () => {
    const db = path.join(tmp.dir, 'books.db');
    const link = path.join(tmp.dir, 'link.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
    fs.symlinkSync(db, link);
    const first = eventsFile(
      tmp.dir,
      'first.ndjson',
      checkout('chk_1', 'ord_1', 'seller_7', '25.00'),
    );
    expect(payops(['payin', 'run', first, '--db', link]).code).toBe(0);
    const backup = path.join(tmp.dir, 'backup.db');
    fs.copyFileSync(db, backup);
    const second = eventsFile(
      tmp.dir,
      'second.ndjson',
      checkout('chk_2', 'ord_2', 'seller_7', '40.00'),
      checkout('chk_3', 'ord_3', 'seller_9', '10.00'),
    );
    expect(payops(['payin', 'run', second, '--db', db]).code).toBe(0);
    restore(db, backup);
    const rerun = payops(['payin', 'run', second, '--db', link, '--json'], dayLater);
    expect(rerun.stderr).toContain('the book is behind its mark');
    expect(JSON.parse(rerun.stdout)).toMatchObject({ bookBehind: { lookUps: '2' } });
    expectNoDoubleSend(db);
  });

  it('new work run before the lost work does not use up the catch-up: the lost work is still looked up (1b)', () => {
    const { db, backup, later } = booksWithBackup();
    restore(db, backup);
    const fresh = eventsFile(
      tmp.dir,
      'fresh.ndjson',
      checkout('chk_n1', 'ord_n1', 'seller_7', '11.00'),
      checkout('chk_n2', 'ord_n2', 'seller_7', '12.00'),
      checkout('chk_n3', 'ord_n3', 'seller_9', '13.00'),
      checkout('chk_n4', 'ord_n4', 'seller_9', '14.00'),
    );
    const first = payops(['payin', 'run', fresh, '--db', db, '--json'], dayLater);
    expect(JSON.parse(first.stdout)).toMatchObject({ bookBehind: { lookUps: '4' } }); // nothing found: none of it counts
    const rerun = payops(['payin', 'run', later[0] as string, '--db', db, '--json'], dayLater);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ bookBehind: { lookUps: '4' } });
    expect(payops(['payin', 'run', later[1] as string, '--db', db], dayLater).code).toBe(0);
    expect(payops(['payout', 'run', '--db', db], dayLater).code).toBe(0);
    expectNoDoubleSend(db);
    const after = payops(
      [
        'payin',
        'run',
        eventsFile(tmp.dir, 'after.ndjson', checkout('chk_a', 'ord_a', 'seller_7', '9.00')),
        '--db',
        db,
        '--json',
      ],
      dayLater,
    );
    expect(JSON.parse(after.stdout)).toMatchObject({ bookBehind: null }); // the four lost sends were found: caught up
  });

  it('payouts the PSP has no record of are held while the book is behind: a lost payout planned again under another id is not sent twice', () => {
    const db = path.join(tmp.dir, 'books.db');
    const backup = path.join(tmp.dir, 'backup.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
    const files = {
      a: eventsFile(tmp.dir, 'a.ndjson', checkout('chk_1', 'ord_1', 'seller_7', '25.00')),
      b: eventsFile(tmp.dir, 'b.ndjson', delivered('d1', 'ord_1', 'seller_7', IBAN_7)),
      c: eventsFile(tmp.dir, 'c.ndjson', checkout('chk_2', 'ord_2', 'seller_7', '40.00')),
      d: eventsFile(tmp.dir, 'd.ndjson', delivered('d2', 'ord_2', 'seller_7', IBAN_7)),
    };
    expect(payops(['payin', 'run', files.a, '--db', db]).code).toBe(0);
    fs.copyFileSync(db, backup);
    for (const step of [files.b, null, files.c, files.d, null]) {
      expect(
        (step === null
          ? payops(['payout', 'run', '--db', db])
          : payops(['payin', 'run', step, '--db', db])
        ).code,
      ).toBe(0);
    }
    restore(db, backup);
    // The files again, but the two payout runs as one at the end: one payout of 63.00 where 24.00 and 39.00 were sent.
    for (const file of [files.b, files.c, files.d])
      expect(payops(['payin', 'run', file, '--db', db], dayLater).code).toBe(0);
    const payout = payops(['payout', 'run', '--db', db, '--json'], dayLater);
    expect(payout.code).toBe(6);
    expect(JSON.parse(payout.stdout)).toMatchObject({
      execution: { succeeded: 0, retryScheduled: 1 },
    });
    expect(payops(['payout', 'list', '--db', db, '--json']).stdout).toContain(
      'held: the book is behind its high-water mark',
    );
    const report = JSON.parse(
      payops(['check', '--json', '--db', db], dayLater).stdout,
    ) as CheckJson;
    const payouts = report.results.find((result) =>
      result.name.startsWith('every payout sent at most once'),
    );
    expect(
      payouts?.details.filter((line) =>
        /^the PSP sent transfer po_\w+ \(seller_7, (24|39)\.00 USD\), which is no payout of payops$/.test(
          line,
        ),
      ),
    ).toHaveLength(2);
  });

  it('a backup taken before the first send and restored at a new path is behind: init writes the mark at once', () => {
    const db = path.join(tmp.dir, 'books.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
    expect(fs.existsSync(`${db}.payops-mark`)).toBe(true);
    const backup = path.join(tmp.dir, 'backup.db');
    fs.copyFileSync(db, backup);
    const first = eventsFile(
      tmp.dir,
      'first.ndjson',
      checkout('chk_1', 'ord_1', 'seller_7', '25.00'),
    );
    expect(payops(['payin', 'run', first, '--db', db]).code).toBe(0);
    const moved = path.join(tmp.dir, 'moved.db');
    fs.copyFileSync(backup, moved);
    const psp = ['--psp-state', path.join(tmp.dir, 'books.psp-sim.db')];
    const rerun = payops(['payin', 'run', first, '--db', moved, '--json', ...psp], dayLater);
    expect(JSON.parse(rerun.stdout)).toMatchObject({ bookBehind: { distance: 'unknown' } });
    expectNoDoubleSend(moved, psp);
  });

  it('a book restored to a new path is behind by an unknown distance until `init --caught-up` (1c)', () => {
    const { backup, later } = booksWithBackup();
    const moved = path.join(tmp.dir, 'moved.db');
    fs.copyFileSync(backup, moved); // no mark beside it, but the book had written one
    const psp = ['--psp-state', path.join(tmp.dir, 'books.psp-sim.db')];
    const rerun = payops(
      ['payin', 'run', later[0] as string, '--db', moved, '--json', ...psp],
      dayLater,
    );
    expect(JSON.parse(rerun.stdout)).toMatchObject({ bookBehind: { distance: 'unknown' } });
    expect(rerun.stderr).toMatch(/unknown.*payops init --caught-up/);
    expect(payops(['payin', 'run', later[1] as string, '--db', moved, ...psp], dayLater).code).toBe(
      0,
    );
    expect(payops(['payout', 'run', '--db', moved, ...psp], dayLater).code).toBe(0);
    const more = payops(
      [
        'payin',
        'run',
        eventsFile(tmp.dir, 'more.ndjson', checkout('chk_m', 'ord_m', 'seller_7', '9.00')),
        '--db',
        moved,
        '--json',
        ...psp,
      ],
      dayLater,
    );
    expect(JSON.parse(more.stdout)).toMatchObject({ bookBehind: { distance: 'unknown' } }); // past the old guess: still looking up
    expectNoDoubleSend(moved, psp);
    const caughtUp = payops(['init', '--caught-up', '--db', moved]);
    expect(caughtUp.code).toBe(0);
    expect(caughtUp.stdout).toMatch(/caught up/);
    const next = payops(
      [
        'payin',
        'run',
        eventsFile(tmp.dir, 'next.ndjson', checkout('chk_x', 'ord_x', 'seller_7', '9.00')),
        '--db',
        moved,
        '--json',
        ...psp,
      ],
      dayLater,
    );
    expect(JSON.parse(next.stdout)).toMatchObject({ bookBehind: null });
    const again = payops(['init', '--caught-up', '--db', moved]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/not behind/);
  });
});
