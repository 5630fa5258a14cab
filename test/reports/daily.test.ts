import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { bankOperating, payoutsInTransit } from '../../src/postings/index.js';
import { Ledger, type PostingRequest } from '../../src/ledger/index.js';
import { type Currency, toCurrency } from '../../src/money/index.js';
import { dailyReport } from '../../src/reports/daily.js';
import { DAILY_QUERY, SqliteReportStore } from '../../src/reports/sqlite-report-store.js';
import { incomeStatement } from '../../src/reports/statements.js';
import { tempDatabase } from '../helpers/db.js';

/**
 * `report daily` and `report income --period daily` read the same journal: on a day where PSP fees
 * were booked by every flow that books them (inside a capture, by payin.psp-fee, learned from a
 * settlement file, corrected by reconciliation, one of them backdated) their fee figures agree to
 * the minor unit.
 */

const USD = toCurrency('USD');
const EUR = toCurrency('EUR');
const RECEIVABLE = 'assets:psp:sim:receivable';
const DAY = '2026-11-23';

type Leg = [account: string, debitMinor: bigint];
let serial = 0;
function tx(kind: string, effectiveAt: string, currency: Currency, legs: Leg[]): PostingRequest {
  serial += 1;
  return {
    idempotencyKey: `${kind}:${serial}`,
    kind,
    description: `${kind} ${serial}`,
    effectiveAt,
    metadata: {},
    entries: legs.map(([account, debitMinor]) => ({
      account,
      currency,
      direction: debitMinor > 0n ? ('debit' as const) : ('credit' as const),
      amountMinor: debitMinor > 0n ? debitMinor : -debitMinor,
    })),
  };
}

let book: { db: Database; cleanup: () => void };

beforeAll(() => {
  book = tempDatabase();
  const ledger = new Ledger(book.db);
  for (const currency of [USD, EUR]) {
    // The day before and the day after must not count.
    ledger.post(
      tx('payin.psp-fee', '2026-11-22T23:59:59.999Z', currency, [
        ['expenses:psp-fees', 7n],
        [RECEIVABLE, -7n],
      ]),
    );
    ledger.post(
      tx('payin.psp-fee', '2026-11-24T00:00:00.000Z', currency, [
        ['expenses:psp-fees', 11n],
        [RECEIVABLE, -11n],
      ]),
    );
    // A capture whose PSP fee is booked inside the capture transaction.
    ledger.post(
      tx('payin.capture', `${DAY}T10:00:00.000Z`, currency, [
        [RECEIVABLE, 9_680n],
        ['expenses:psp-fees', 320n],
        ['liabilities:sellers:s1:pending', -9_000n],
        ['revenue:platform-fees', -1_000n],
      ]),
    );
    ledger.post(
      tx('payin.psp-fee', `${DAY}T10:00:01.000Z`, currency, [
        ['expenses:psp-fees', 50n],
        [RECEIVABLE, -50n],
      ]),
    );
    // Fees learned from the settlement file, one of them posted after the next day's entry (backdated).
    ledger.post(
      tx('settlement.psp-fee', `${DAY}T20:00:00.000Z`, currency, [
        ['expenses:psp-fees', 75n],
        [RECEIVABLE, -75n],
      ]),
    );
    ledger.post(
      tx('settlement.psp-fee', `${DAY}T23:00:00.000Z`, currency, [
        ['expenses:psp-fees', 13n],
        [RECEIVABLE, -13n],
      ]),
    );
    // Reconciliation gives a fee back and undoes a platform fee.
    ledger.post(
      tx('reconcile.write-back', `${DAY}T21:00:00.000Z`, currency, [
        [RECEIVABLE, 20n],
        ['expenses:psp-fees', -20n],
      ]),
    );
    ledger.post(
      tx('refund.sent', `${DAY}T22:00:00.000Z`, currency, [
        ['revenue:platform-fees', 100n],
        ['liabilities:sellers:s1:pending', 900n],
        [RECEIVABLE, -1_000n],
      ]),
    );
  }
  // Seller payouts (issue 16): sent to payouts in-transit since the bank leg; a book from before it
  // paid from the operating account. Both are the day's payouts.
  ledger.post(
    tx('payout.sent', `${DAY}T12:00:00.000Z`, USD, [
      ['liabilities:sellers:s1:payable', 4_000n],
      [payoutsInTransit, -4_000n],
    ]),
  );
  ledger.post(
    tx('payout.sent', `${DAY}T13:00:00.000Z`, USD, [
      ['liabilities:sellers:s2:payable', 500n],
      [payoutsInTransit, -500n],
    ]),
  );
  ledger.post(
    tx('payout.sent', `${DAY}T08:00:00.000Z`, EUR, [
      ['liabilities:sellers:s1:payable', 700n],
      [bankOperating, -700n],
    ]),
  );
});

afterAll(() => book.cleanup());

async function incomeForDay(account: string, currency: Currency): Promise<bigint> {
  const statement = await incomeStatement(new SqliteReportStore(book.db), {
    period: 'daily',
    begin: DAY,
    end: '2026-11-24',
  });
  const row = statement.sections
    .flatMap((section) => section.rows)
    .find((r) => r.account === account && r.currency === currency);
  return row?.amountsMinor[0] ?? 0n;
}

describe('report daily', () => {
  it("PSP and platform fees are the day's net movement of their accounts, equal to report income --period daily", async () => {
    const lines = await dailyReport(new SqliteReportStore(book.db), DAY);
    expect(lines.map((line) => line.currency)).toEqual(['EUR', 'USD']);
    for (const line of lines) {
      expect(line.pspFeesMinor).toBe(320n + 50n + 75n + 13n - 20n);
      expect(line.pspFeesMinor).toBe(await incomeForDay('expenses:psp-fees', line.currency));
      expect(line.platformFeesMinor).toBe(1_000n - 100n);
      expect(line.platformFeesMinor).toBe(
        await incomeForDay('revenue:platform-fees', line.currency),
      );
      expect(line.payIns).toEqual({ count: 1, amountMinor: 9_680n });
    }
  });

  it("counts the day's seller payouts whether they left into payouts in-transit or (an older book) from the operating account", async () => {
    const byCurrency = new Map(
      (await dailyReport(new SqliteReportStore(book.db), DAY)).map((line) => [
        line.currency,
        line.payouts,
      ]),
    );
    expect(byCurrency.get(USD)).toEqual({ count: 2, amountMinor: 4_500n });
    expect(byCurrency.get(EUR)).toEqual({ count: 1, amountMinor: 700n });
  });

  it('reads the day through the ledger_entries_by_account_time index, never scanning the journal', () => {
    const plan = (
      book.db
        .prepare(`EXPLAIN QUERY PLAN ${DAILY_QUERY}`)
        .all({ start: `${DAY}T00:00:00.000Z`, end: '2026-11-24T00:00:00.000Z' }) as {
        detail: string;
      }[]
    )
      .map((row) => row.detail)
      .join('\n');
    expect(plan).toMatch(
      /SEARCH e USING (COVERING )?INDEX ledger_entries_by_account_time \(account_id=\? AND backdated=\? AND effective_at>\? AND effective_at<\?\)/,
    );
    expect(plan).not.toMatch(/SCAN (t|e)\b/);
  });
});
