import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../../src/db/index.js';
import { PayinExecutor } from '../../src/work/executors/charge.js';
import { RefundExecutor } from '../../src/work/executors/refund.js';
import { balances } from '../../src/ledger/index.js';
import { ingest } from '../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../src/intake/sqlite-intake-store.js';
import type { ChargeResult, Dispute } from '../../src/psp/port.js';
import { syncChargebacks } from '../../src/refunds/chargebacks.js';
import { SqliteChargebackSyncStore } from '../../src/refunds/sqlite-chargeback-sync-store.js';
import { DEFAULT_RULES, type Rules } from '../../src/reconcile/rules.js';
import { reconcileFile } from '../../src/reconcile/run.js';
import type { RunOptions } from '../../src/reconcile/settlement-import-store.js';
import { SqliteSettlementImportStore } from '../../src/reconcile/sqlite-settlement-import-store.js';
import type { SettlementRow } from '../../src/reconcile/types.js';
import { type Currency, toCurrency } from '../../src/money/index.js';
import { FakePsp } from '../payments/fake-psp.js';
import {
  bankOperating as BANK_OPERATING_ACCOUNT,
  bankInTransit as bankInTransitAccount,
} from '../../src/postings/index.js';
import { tempDatabase } from '../helpers/db.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

export const USD = toCurrency('USD');
export const EUR = toCurrency('EUR');
/** Where a settled batch's net waits for the bank statement (the test book's PSP is sim). */
export const IN_TRANSIT = bankInTransitAccount('sim');
export { BANK_OPERATING_ACCOUNT };
export const T0 = Date.parse('2026-11-23T10:00:00Z');

/** A fresh temporary database with a TestBook on it, its files beside the database. */
export function tempBook(): { db: Database; book: TestBook; cleanup: () => void } {
  const { db, file, cleanup } = tempDatabase();
  return { db, book: new TestBook(db, path.dirname(file)), cleanup };
}

/**
 * A small book for reconciliation tests: orders charged through the real intake and executor
 * against a scripted PSP (each order's charge is `ch_<orderId>` with a 0.30 fee unless scripted),
 * and settlement rows written as a parser would produce them.
 */
export class TestBook {
  readonly psp = new FakePsp();
  now = T0;
  readonly clock = () => this.now;
  private events = 0;

  constructor(
    readonly db: Database,
    readonly dir: string,
  ) {}

  /** One checkout per order: [orderId, amount, currency?]. */
  async charge(
    orders: readonly [orderId: string, amount: string, currency?: Currency][],
    scripts: Record<string, ChargeResult> = {},
  ): Promise<void> {
    for (const [orderId, result] of Object.entries(scripts)) this.psp.script(orderId, result);
    const lines = orders.map(([orderId, amount, currency]) =>
      JSON.stringify({
        eventId: `chk_${++this.events}`,
        type: 'pay_in',
        occurredAt: '2026-11-23T09:00:00Z',
        currency: currency ?? 'USD',
        payer: { id: 'buyer_1' },
        paymentToken: 'tok_visa',
        orders: [{ orderId, sellerId: 'seller_7', amount, platformFee: '1.00' }],
      }),
    );
    const file = path.join(this.dir, `events-${this.events}.ndjson`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    await ingest(new SqliteIntakeStore(this.db), [file], { psp: 'sim' });
    await new PayinExecutor(sqliteBook(this.db), {
      psp: this.psp,
      retry: { baseMs: 1_000, capMs: 8_000, maxAttempts: 3 },
      clock: this.clock,
      random: () => 1,
    }).runDue();
  }

  /** A refund of an order, through the real refund intake and executor (the PSP answers re_<eventId>). */
  async refund(eventId: string, orderId: string, amount: string): Promise<void> {
    const file = path.join(this.dir, `refund-${eventId}.ndjson`);
    fs.writeFileSync(
      file,
      `${JSON.stringify({ eventId, type: 'refund', occurredAt: '2026-11-23T11:00:00Z', orderId, amount, reason: 'test' })}\n`,
    );
    await ingest(new SqliteIntakeStore(this.db), [file], { psp: 'sim' });
    await new RefundExecutor(sqliteBook(this.db), {
      psp: this.psp,
      retry: { baseMs: 1_000, capMs: 8_000, maxAttempts: 3 },
      clock: this.clock,
      random: () => 1,
    }).runDue();
  }

  /** A dispute the PSP opened on an order (dispute fee 15.00 unless told), booked through `chargebacks sync`. */
  async chargeback(
    disputeId: string,
    orderId: string,
    amountMinor: bigint,
    disputeFeeMinor = 1500n,
    currency: Currency = USD,
  ): Promise<void> {
    const dispute: Dispute = {
      disputeId,
      chargeReference: `ch_${orderId}`,
      merchantReference: orderId,
      amountMinor,
      disputeFeeMinor,
      currency,
      createdAt: '2026-11-23T11:30:00.000Z',
    };
    this.psp.disputes.push(dispute);
    await syncChargebacks(new SqliteChargebackSyncStore(this.db), this.psp);
  }

  async reconcile(
    name: string,
    rows: readonly SettlementRow[],
    options: Partial<Omit<RunOptions, 'rules'>> & { rules?: Partial<Rules> } = {},
  ) {
    const { rules, ...rest } = options;
    return reconcileFile(
      new SqliteSettlementImportStore(this.db),
      {
        name,
        sha256: sha(name, rows),
        bytes: 1,
        format: 'payops',
        rows: fromArray(rows),
        rejectedCount: () => 0,
      },
      {
        psp: 'sim',
        rules: { ...DEFAULT_RULES, ...rules },
        dryRun: false,
        by: 'tester',
        clock: this.clock,
        ...rest,
      },
    );
  }
}

/** An account's balance in minor units (0 when it was never posted to). */
export function balanceOf(db: Database, account: string, currency = 'USD'): bigint {
  return (
    balances(db).find((row) => row.account === account && row.currency === currency)
      ?.balanceMinor ?? 0n
  );
}

/** A settlement row with everything but what the test cares about filled in. */
export function settlementRow(
  fields: Partial<SettlementRow> & Pick<SettlementRow, 'type'>,
): SettlementRow {
  const currency = fields.currency ?? USD;
  const grossMinor = fields.grossMinor ?? 0n;
  const feeMinor = fields.feeMinor ?? 0n;
  return {
    line: fields.line ?? 2,
    type: fields.type,
    pspReference: fields.pspReference ?? null,
    merchantReference: fields.merchantReference ?? null,
    batchId: fields.batchId === undefined ? 'po_1' : fields.batchId,
    currency,
    grossMinor,
    feeMinor,
    netMinor: grossMinor - feeMinor,
    occurredAt: fields.occurredAt ?? '2026-11-23T12:00:00.000Z',
    availableOn: fields.availableOn ?? null,
    providerType: fields.providerType ?? fields.type,
  };
}

/** A capture as the FakePsp makes it: ch_<order>, fee 0.30. */
export function capture(
  orderId: string,
  grossMinor: bigint,
  extra: Partial<SettlementRow> = {},
): SettlementRow {
  return settlementRow({
    type: 'capture',
    pspReference: `ch_${orderId}`,
    merchantReference: orderId,
    grossMinor,
    feeMinor: 30n,
    ...extra,
  });
}

/** The payout row of a batch, paying what `rows` add up to unless told otherwise. */
export function payout(
  batchId: string,
  rows: readonly SettlementRow[],
  paidMinor?: bigint,
  extra: Partial<SettlementRow> = {},
): SettlementRow {
  const net =
    paidMinor ??
    rows
      .filter((row) => row.batchId === batchId && row.type !== 'payout')
      .reduce((sum, row) => sum + row.netMinor, 0n);
  return settlementRow({
    type: 'payout',
    pspReference: batchId,
    batchId,
    grossMinor: -net,
    feeMinor: 0n,
    occurredAt: '2026-11-23T23:59:59.000Z',
    ...extra,
  });
}

/** Numbers rows' lines from 2 (after the header), as a parser would. */
export function lined(rows: readonly SettlementRow[]): SettlementRow[] {
  return rows.map((row, index) => ({ ...row, line: index + 2 }));
}

async function* fromArray(rows: readonly SettlementRow[]): AsyncGenerator<SettlementRow> {
  for (const row of rows) yield row;
}

function sha(name: string, rows: readonly SettlementRow[]): string {
  return createHash('sha256')
    .update(name)
    .update(
      JSON.stringify(rows, (_key, value: unknown) =>
        typeof value === 'bigint' ? value.toString() : value,
      ),
    )
    .digest('hex');
}
