import { randomUUID } from 'node:crypto';
import { BANK_SOURCE } from '../../src/bank/accounts.js';
import {
  bankFees as BANK_FEES_ACCOUNT,
  bankOperating as BANK_OPERATING_ACCOUNT,
  payoutsInTransit as PAYOUTS_IN_TRANSIT_ACCOUNT,
  unidentifiedCredits as UNIDENTIFIED_CREDITS_ACCOUNT,
  unidentifiedDebits as UNIDENTIFIED_DEBITS_ACCOUNT,
  bankInTransit as bankInTransitAccount,
} from '../../src/postings/index.js';
import type { Database } from '../../src/db/index.js';
import { Ledger } from '../../src/ledger/index.js';
import type { Currency } from '../../src/money/index.js';
import { Items } from '../../src/reconcile/items.js';
import { type Leg, posting } from '../../src/postings/index.js';
import type { BankItemView } from '../../src/bank-item-view.js';
import { type ItemRecord, ReconStore, type SideView } from '../../src/reconcile/store.js';
import { sellerAccount } from '../../src/wallet/wallet-store.js';
import { USD } from '../reconcile/book.js';

export {
  BANK_FEES_ACCOUNT,
  BANK_OPERATING_ACCOUNT,
  PAYOUTS_IN_TRANSIT_ACCOUNT,
  UNIDENTIFIED_CREDITS_ACCOUNT,
  UNIDENTIFIED_DEBITS_ACCOUNT,
  bankInTransitAccount,
};

export const ACCOUNT = 'DE89370400440532013000';

export interface EntryFacts {
  direction: 'credit' | 'debit';
  amountMinor: bigint;
  bookingDate?: string;
  ref?: string | null;
  endToEndId?: string | null;
  remittance?: string | null;
  line?: number;
  currency?: Currency;
}

/**
 * The bank tables in the state the import service (another helper's, not on this branch) leaves
 * them: a statement file's run, its statement and entries, each entry's import posting on
 * assets:bank:operating, its bank_matches and its item, written with SQL and real ledger postings
 * exactly as the contract of issue 16 says.
 */
export class BankBook {
  readonly store: ReconStore;
  readonly ledger: Ledger;
  runId = 0n;
  statementId = 0n;
  fileName = 'stmt-1.xml';
  private line = 10;

  constructor(
    readonly db: Database,
    readonly at = '2026-11-26T08:00:00.000Z',
  ) {
    this.store = new ReconStore(db);
    this.ledger = new Ledger(db);
  }

  /** A new statement file with one statement: opening at the start of `openingDate`, closing at the end of `closingDate`. */
  statement(
    fields: {
      openingMinor?: bigint;
      closingMinor?: bigint;
      openingDate?: string;
      closingDate?: string;
      fileName?: string;
      currency?: Currency;
    } = {},
  ): bigint {
    this.fileName = fields.fileName ?? this.fileName;
    this.runId = this.store.insertRun({
      psp: BANK_SOURCE,
      fileSha256: randomUUID().replace(/-/g, '').padEnd(64, '0'),
      fileName: this.fileName,
      fileBytes: 1,
      format: 'camt053',
      graceDays: 3,
      rules: '{}',
      runBy: 'tester',
      at: this.at,
    });
    const opening = fields.openingMinor ?? 0n;
    const closing = fields.closingMinor ?? opening;
    const result = this.db
      .prepare(
        `INSERT INTO bank_statements (run_id, line, statement_ref, account, currency, opening_minor, opening_date, closing_minor, closing_date, credits_minor, debits_minor, entry_count, skipped_count)
         VALUES (?, 2, 'STMT-1', ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)`,
      )
      .run(
        this.runId,
        ACCOUNT,
        fields.currency ?? USD,
        opening,
        fields.openingDate ?? '2026-11-25',
        closing,
        fields.closingDate ?? '2026-11-25',
        closing > opening ? closing - opening : 0n,
        closing > opening ? 0n : opening - closing,
      );
    this.statementId = BigInt(result.lastInsertRowid);
    return this.statementId;
  }

  /** An entry of the current statement, posted at import with `legs` (none: not posted). */
  entry(
    facts: EntryFacts,
    entryClass: string,
    legs: Leg[] | null,
  ): { entryId: bigint; txId: number | null } {
    const line = facts.line ?? (this.line += 3);
    const bookingDate = facts.bookingDate ?? '2026-11-25';
    const transactions = JSON.stringify([
      {
        amountMinor: null,
        endToEndId: facts.endToEndId ?? null,
        remittance: facts.remittance ?? null,
        counterparty: null,
      },
    ]);
    const result = this.db
      .prepare(
        `INSERT INTO bank_entries (statement_id, run_id, line, direction, amount_minor, currency, booking_date, value_date, account_servicer_ref, type_code, bank_charge, reversal, transactions, fingerprint, class)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL, 0, 0, ?, ?, ?)`,
      )
      .run(
        this.statementId,
        this.runId,
        line,
        facts.direction,
        facts.amountMinor,
        facts.currency ?? USD,
        bookingDate,
        facts.ref ?? null,
        transactions,
        `fp-${this.runId}-${line}`,
        entryClass,
      );
    const entryId = BigInt(result.lastInsertRowid);
    let txId: number | null = null;
    if (legs !== null) {
      txId = this.ledger.post(
        posting({
          idempotencyKey: `bank.import:${entryId}`,
          kind: 'bank.import',
          description: `entry ${entryId}`,
          effectiveAt: `${bookingDate}T23:59:59.999Z`,
          legs,
        }),
      ).txId;
      this.db.prepare('UPDATE bank_entries SET tx_id = ? WHERE id = ?').run(txId, entryId);
    }
    return { entryId, txId };
  }

  /** A bank item as the matcher opens it. */
  item(spec: {
    subject: string;
    class: ItemRecord['class'];
    rowId: bigint | null;
    internalRef?: string | null;
    probableRef?: string | null;
    batchId?: string | null;
    amountMinor: bigint;
    bank: Partial<BankItemView>;
    currency?: Currency;
    ours?: SideView;
  }): ItemRecord {
    const items = new Items(this.store, BANK_SOURCE, this.runId, this.at);
    const bank: BankItemView = {
      account: ACCOUNT,
      statementRef: 'STMT-1',
      source: `${this.fileName}:2`,
      entryId: spec.rowId?.toString() ?? null,
      direction: null,
      bookingDate: null,
      dueBy: null,
      bookedTo: null,
      ...spec.bank,
    };
    const { itemId } = items.upsert({
      subject: spec.subject,
      class: spec.class,
      rowId: spec.rowId,
      internalRef: spec.internalRef ?? null,
      probableRef: spec.probableRef ?? null,
      batchId: spec.batchId ?? null,
      currency: spec.currency ?? USD,
      amountMinor: spec.amountMinor,
      detail: { ours: spec.ours ?? null, theirs: null, why: `${spec.class} (test)`, bank },
    });
    if (spec.rowId !== null)
      this.db
        .prepare(
          'UPDATE bank_entries SET item_id = (SELECT id FROM recon_items WHERE item_id = ?) WHERE id = ?',
        )
        .run(itemId, spec.rowId);
    return this.store.item(itemId) as ItemRecord;
  }

  match(fields: {
    kind: 'psp_payout' | 'seller_payout';
    part: 'bank' | 'difference';
    entryId: bigint | null;
    psp: string;
    ref: string;
    amountMinor: bigint;
    txId: number | null;
  }): void {
    this.db
      .prepare(
        `INSERT INTO bank_matches (payout_kind, part, entry_id, item_id, psp, payout_ref, currency, amount_minor, tx_id, run_id, created_at) VALUES (?, ?, ?, NULL, ?, ?, 'USD', ?, ?, ?, ?)`,
      )
      .run(
        fields.kind,
        fields.part,
        fields.entryId,
        fields.psp,
        fields.ref,
        fields.amountMinor,
        fields.txId,
        this.runId,
        this.at,
      );
  }

  /** A credit nothing explains: Dr operating / Cr unidentified-credits, and its unknown_credit item. */
  unknownCredit(
    amountMinor: bigint,
    extra: Partial<EntryFacts> & { probableRef?: string } = {},
  ): ItemRecord {
    const { entryId } = this.entry(
      { direction: 'credit', amountMinor, ...extra },
      'unknown_credit',
      moveLegs(BANK_OPERATING_ACCOUNT, UNIDENTIFIED_CREDITS_ACCOUNT, amountMinor),
    );
    return this.item({
      subject: `entry:${ACCOUNT}:USD:${extra.ref ?? `C${entryId}`}`,
      class: 'unknown_credit',
      rowId: entryId,
      probableRef: extra.probableRef ?? null,
      amountMinor,
      bank: {
        direction: 'credit',
        bookingDate: '2026-11-25',
        bookedTo: UNIDENTIFIED_CREDITS_ACCOUNT,
      },
    });
  }

  /** A debit nothing explains: Dr unidentified-debits / Cr operating. */
  unknownDebit(amountMinor: bigint, extra: Partial<EntryFacts> = {}): ItemRecord {
    const { entryId } = this.entry(
      { direction: 'debit', amountMinor, ...extra },
      'unknown_debit',
      moveLegs(UNIDENTIFIED_DEBITS_ACCOUNT, BANK_OPERATING_ACCOUNT, amountMinor),
    );
    return this.item({
      subject: `entry:${ACCOUNT}:USD:${extra.ref ?? `D${entryId}`}`,
      class: 'unknown_debit',
      rowId: entryId,
      amountMinor: -amountMinor,
      bank: {
        direction: 'debit',
        bookingDate: '2026-11-25',
        bookedTo: UNIDENTIFIED_DEBITS_ACCOUNT,
      },
    });
  }

  /** A charge above the fee cap: Dr unidentified-debits / Cr operating, item open. */
  bankFee(amountMinor: bigint): ItemRecord {
    const { entryId } = this.entry(
      { direction: 'debit', amountMinor, remittance: 'ACCOUNT FEE' },
      'bank_fee',
      moveLegs(UNIDENTIFIED_DEBITS_ACCOUNT, BANK_OPERATING_ACCOUNT, amountMinor),
    );
    return this.item({
      subject: `entry:${ACCOUNT}:USD:FEE${entryId}`,
      class: 'bank_fee',
      rowId: entryId,
      amountMinor: -amountMinor,
      bank: {
        direction: 'debit',
        bookingDate: '2026-11-25',
        bookedTo: UNIDENTIFIED_DEBITS_ACCOUNT,
      },
    });
  }

  /** A repeated entry: from another file (not posted), or twice in the same file (posted to the suspense of its direction). */
  duplicate(direction: 'credit' | 'debit', amountMinor: bigint, sameFile: boolean): ItemRecord {
    const suspense =
      direction === 'credit' ? UNIDENTIFIED_CREDITS_ACCOUNT : UNIDENTIFIED_DEBITS_ACCOUNT;
    const legs = !sameFile
      ? null
      : direction === 'credit'
        ? moveLegs(BANK_OPERATING_ACCOUNT, suspense, amountMinor)
        : moveLegs(suspense, BANK_OPERATING_ACCOUNT, amountMinor);
    const { entryId } = this.entry({ direction, amountMinor }, 'duplicate', legs);
    return this.item({
      subject: `duplicate:${'a'.repeat(16)}:${entryId}`,
      class: 'duplicate',
      rowId: entryId,
      amountMinor: direction === 'credit' ? amountMinor : -amountMinor,
      bank: { direction, bookingDate: '2026-11-25', bookedTo: sameFile ? suspense : null },
    });
  }

  /** A PSP payout's credit that names it but differs: posted as received with the bank's amount. */
  amountMismatch(
    psp: string,
    batchId: string,
    expectedMinor: bigint,
    bankMinor: bigint,
  ): ItemRecord {
    const { entryId, txId } = this.entry(
      { direction: 'credit', amountMinor: bankMinor, endToEndId: batchId },
      'amount_mismatch',
      moveLegs(BANK_OPERATING_ACCOUNT, bankInTransitAccount(psp), bankMinor),
    );
    this.match({
      kind: 'psp_payout',
      part: 'bank',
      entryId,
      psp,
      ref: batchId,
      amountMinor: bankMinor,
      txId,
    });
    const ref = `psp-payout:${psp}:${batchId}:USD`;
    return this.item({
      subject: `entry:${ACCOUNT}:USD:M${entryId}`,
      class: 'amount_mismatch',
      rowId: entryId,
      internalRef: ref,
      batchId,
      amountMinor: bankMinor - expectedMinor,
      bank: { direction: 'credit', bookingDate: '2026-11-25', bookedTo: null },
    });
  }

  /** A payout the bank has not shown by its due day: nothing posted. */
  notReceived(ref: string, amountMinor: bigint): ItemRecord {
    return this.item({
      subject: ref,
      class: 'payout_not_received',
      rowId: null,
      internalRef: ref,
      amountMinor,
      bank: { entryId: null, dueBy: '2026-11-25' },
    });
  }

  /** A received PSP payout (matched at import): Dr operating / Cr in-transit + its bank match. */
  received(psp: string, batchId: string, amountMinor: bigint): bigint {
    const { entryId, txId } = this.entry(
      { direction: 'credit', amountMinor, endToEndId: batchId },
      'matched',
      moveLegs(BANK_OPERATING_ACCOUNT, bankInTransitAccount(psp), amountMinor),
    );
    this.match({ kind: 'psp_payout', part: 'bank', entryId, psp, ref: batchId, amountMinor, txId });
    return entryId;
  }

  balanceMismatch(closingDate: string, differenceMinor: bigint): ItemRecord {
    return this.item({
      subject: `balance:${ACCOUNT}:USD:${closingDate}`,
      class: 'balance_mismatch',
      rowId: null,
      amountMinor: differenceMinor,
      bank: { entryId: null },
    });
  }

  /** A seller payout the payout PSP succeeded, with its payout.sent posting (Dr seller payable / Cr payouts in-transit). */
  sellerPayout(payoutId: string, amountMinor: bigint, sentAt = '2026-11-24T10:00:00.000Z'): void {
    this.db
      .prepare(
        `INSERT INTO payouts (payout_id, seller_id, currency, amount_minor, payout_key, psp, destination, status, attempts, psp_reference, created_at, updated_at)
         VALUES (?, 'seller_7', 'USD', ?, ?, 'sim', 'DE00', 'succeeded', 1, ?, ?, ?)`,
      )
      .run(payoutId, amountMinor, `key_${payoutId}`, `tr_${payoutId}`, sentAt, sentAt);
    this.ledger.post(
      posting({
        idempotencyKey: `payout.sent:${payoutId}`,
        kind: 'payout.sent',
        description: `payout ${payoutId}`,
        effectiveAt: sentAt,
        legs: moveLegs(
          sellerAccount('seller_7', 'payable'),
          PAYOUTS_IN_TRANSIT_ACCOUNT,
          amountMinor,
        ),
      }),
    );
  }
}

/** Dr `debit` / Cr `credit`, `amountMinor`, in USD. */
export function moveLegs(
  debit: string,
  credit: string,
  amountMinor: bigint,
  currency: Currency = USD,
): Leg[] {
  return [
    { account: debit, currency, debitMinor: amountMinor },
    { account: credit, currency, debitMinor: -amountMinor },
  ];
}
