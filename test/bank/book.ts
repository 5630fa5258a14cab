import fs from 'node:fs';
import path from 'node:path';
import { reconcileStatement } from '../../src/bank/run.js';
import { SqliteStatementImportStore } from '../../src/bank/sqlite-statement-import-store.js';
import type { BankRunOptions } from '../../src/bank/statement-import-store.js';
import { DEFAULT_BANK_RULES } from '../../src/bank/rules.js';
import type { BankStatement } from '../../src/bank/types.js';
import { ingest } from '../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../src/intake/sqlite-intake-store.js';
import { runPayouts } from '../../src/work/executors/payout-run.js';
import { type TestBook, capture, lined, payout } from '../reconcile/book.js';
import { partsOf, shaOf } from './statements.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

export const BATCH = 'po_sim_20261123_USD';

/**
 * The book the bank leg expects: ord_1 (25.00) and ord_2 (40.00) captured and settled in batch
 * po_sim_20261123_USD (paid 64.40 on 2026-11-23, in transit to the bank), and seller_7's share of
 * ord_1 (24.00) sent as a payout on 2026-11-23 (in transit to the seller). Returns the payout id.
 */
export async function settledAndPaidOut(book: TestBook): Promise<string> {
  await book.charge([
    ['ord_1', '25.00'],
    ['ord_2', '40.00'],
  ]);
  const rows = [
    capture('ord_1', 2500n, { batchId: BATCH }),
    capture('ord_2', 4000n, { batchId: BATCH }),
  ];
  await book.reconcile(
    'settlement-2026-11-23.csv',
    lined([...rows, payout(BATCH, rows, undefined, { batchId: BATCH, pspReference: BATCH })]),
  );
  const deliveries = path.join(book.dir, 'deliveries.ndjson');
  fs.writeFileSync(
    deliveries,
    JSON.stringify({
      eventId: 'po_1',
      type: 'pay_out',
      occurredAt: '2026-11-23T09:30:00Z',
      orderId: 'ord_1',
      seller: { id: 'seller_7', name: 'Acme', account: { iban: 'DE89370400440532013000' } },
    }),
  );
  await ingest(new SqliteIntakeStore(book.db), [deliveries], { psp: 'sim' });
  await runPayouts(sqliteBook(book.db), {
    psp: book.psp,
    retry: { baseMs: 1_000, capMs: 8_000, maxAttempts: 1 },
    clock: book.clock,
  });
  return book.db
    .prepare("SELECT payout_id FROM payouts WHERE status = 'succeeded'")
    .pluck()
    .get() as string;
}

export function importStatements(
  book: TestBook,
  name: string,
  statements: readonly BankStatement[],
  options: Partial<BankRunOptions> = {},
) {
  return reconcileStatement(
    new SqliteStatementImportStore(book.db),
    {
      name,
      sha256: shaOf(name, statements),
      bytes: 1,
      format: 'camt053',
      parts: partsOf(statements),
    },
    { rules: DEFAULT_BANK_RULES, dryRun: false, by: 'tester', clock: book.clock, ...options },
  );
}
