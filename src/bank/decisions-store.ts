import type { Database } from '../db/index.js';
import type { Currency } from '../money/index.js';
import { payoutSentKey } from '../postings/index.js';

/** A booked entry of a statement as the bank stated it, with where it sits in its file. */
/** A PSP batch the settlement files reported a payout for, with what the books moved into transit for it. */
const PSP_PAYOUT_SELECT = `SELECT b.psp, b.batch_id, b.currency, b.payout_minor, r.occurred_at, r.psp_reference,
                (SELECT COALESCE(SUM(s.net_minor), 0) FROM recon_settlements s
                  WHERE s.psp = b.psp AND s.batch_id = b.batch_id AND s.currency = b.currency AND s.posted_at IS NOT NULL) AS books
         FROM recon_batches b LEFT JOIN recon_rows r ON r.id = b.payout_row_id`;

export interface StoredBankEntry {
  id: bigint;
  statementId: bigint;
  runId: bigint;
  /** FILE:LINE of the entry in its statement file. */
  source: string;
  direction: 'credit' | 'debit';
  amountMinor: bigint;
  currency: Currency;
  bookingDate: string;
  valueDate: string | null;
  accountServicerRef: string | null;
  typeCode: string | null;
  transactions: {
    endToEndId: string | null;
    remittance: string | null;
    counterparty: string | null;
  }[];
  class: string;
  txId: bigint | null;
}

export interface StoredStatement {
  id: bigint;
  account: string;
  currency: Currency;
  openingMinor: bigint;
  openingDate: string;
  closingMinor: bigint;
  closingDate: string;
}

export type PayoutKind = 'psp_payout' | 'seller_payout';

/** A payout that went into transit: a PSP's batch payout or a seller payout, with what cleared it so far. */
export interface TransitPayout {
  kind: PayoutKind;
  psp: string;
  /** The batch id (PSP payout) or the payout id (seller payout). */
  ref: string;
  currency: Currency;
  /** What the PSP's payout row says it paid, or what the seller payout sent. */
  amountMinor: bigint;
  /** The PSP's payout row date, or when the seller payout was sent (ISO instant), null if unknown. */
  paidAt: string | null;
  /** The payout row's PSP reference, or the seller payout's payout-PSP reference. */
  pspReference: string | null;
  /** PSP payouts: what the batch's settlements posted to in-transit; seller payouts: what payout.sent posted. */
  booksMinor: bigint;
}

export interface BankMatch {
  id: bigint;
  part: 'bank' | 'difference';
  entryId: bigint | null;
  itemId: bigint | null;
  amountMinor: bigint;
  txId: bigint | null;
}

export interface NewBankMatch {
  kind: PayoutKind;
  part: 'bank' | 'difference';
  entryId: bigint | null;
  itemId: bigint | null;
  psp: string;
  ref: string;
  currency: Currency;
  amountMinor: bigint;
  txId: number | null;
  runId: bigint | null;
  at: string;
}

/** The SQL of bank decisions and the three-legs report on migration 16's tables (the caller holds the transaction). */
export class BankDecisionStore {
  constructor(private readonly db: Database) {}

  entry(entryId: bigint): StoredBankEntry | undefined {
    const row = this.db
      .prepare(
        `SELECT e.*, r.file_name FROM bank_entries e JOIN recon_runs r ON r.id = e.run_id WHERE e.id = ?`,
      )
      .get(entryId) as EntryRow | undefined;
    return row ? toEntry(row) : undefined;
  }

  statement(statementId: bigint): StoredStatement | undefined {
    const row = this.db.prepare('SELECT * FROM bank_statements WHERE id = ?').get(statementId) as
      | StatementRow
      | undefined;
    return row ? toStatement(row) : undefined;
  }

  /** The statement of an account and currency closing on a day (a balance item's subject), the latest imported. */
  statementClosing(
    account: string,
    currency: Currency,
    closingDate: string,
  ): StoredStatement | undefined {
    const row = this.db
      .prepare(
        'SELECT * FROM bank_statements WHERE account = ? AND currency = ? AND closing_date = ? ORDER BY id DESC LIMIT 1',
      )
      .get(account, currency, closingDate) as StatementRow | undefined;
    return row ? toStatement(row) : undefined;
  }

  /** Whether a statement of this account and currency covering days before `openingDate` was imported. */
  hasEarlierStatement(account: string, currency: Currency, openingDate: string): boolean {
    return (
      this.db
        .prepare(
          'SELECT 1 FROM bank_statements WHERE account = ? AND currency = ? AND opening_date < ? LIMIT 1',
        )
        .get(account, currency, openingDate) !== undefined
    );
  }

  /** A PSP batch whose settlement file reported a payout. */
  pspPayout(psp: string, batchId: string, currency: Currency): TransitPayout | undefined {
    const row = this.db
      .prepare(
        `${PSP_PAYOUT_SELECT}
         WHERE b.psp = ? AND b.batch_id = ? AND b.currency = ? AND b.payout_minor > 0`,
      )
      .get(psp, batchId, currency) as PspPayoutRow | undefined;
    return row ? toPspPayout(row) : undefined;
  }

  /** The PSPs whose settlement files reported a payout of batch `batchId` in `currency`. */
  pspsWithBatch(batchId: string, currency: Currency): string[] {
    return (
      this.db
        .prepare(
          'SELECT psp FROM recon_batches WHERE batch_id = ? AND currency = ? AND payout_minor > 0 ORDER BY psp',
        )
        .all(batchId, currency) as { psp: string }[]
    ).map((row) => row.psp);
  }

  pspPayouts(psp?: string): TransitPayout[] {
    const rows = this.db
      .prepare(
        `${PSP_PAYOUT_SELECT}
         WHERE b.payout_minor > 0 AND (@psp IS NULL OR b.psp = @psp) ORDER BY r.occurred_at, b.psp, b.batch_id, b.currency`,
      )
      .all({ psp: psp ?? null }) as PspPayoutRow[];
    return rows.map(toPspPayout);
  }

  /** A seller payout the payout PSP succeeded (its payout.sent posting moved it to payouts in-transit). */
  sellerPayout(payoutId: string): TransitPayout | undefined {
    const row = this.db
      .prepare(`${SELLER_PAYOUTS} WHERE p.payout_id = @payoutId AND p.status = 'succeeded'`)
      .get({ payoutSentPrefix: PAYOUT_SENT_PREFIX, payoutId }) as SellerPayoutRow | undefined;
    return row ? toSellerPayout(row) : undefined;
  }

  sellerPayouts(psp?: string): TransitPayout[] {
    const rows = this.db
      .prepare(
        `${SELLER_PAYOUTS} WHERE p.status = 'succeeded' AND (@psp IS NULL OR p.psp = @psp) ORDER BY sent_at, p.payout_id`,
      )
      .all({ payoutSentPrefix: PAYOUT_SENT_PREFIX, psp: psp ?? null }) as SellerPayoutRow[];
    return rows.map(toSellerPayout);
  }

  matchesOf(payout: Pick<TransitPayout, 'kind' | 'psp' | 'ref' | 'currency'>): BankMatch[] {
    const rows = this.db
      .prepare(
        'SELECT id, part, entry_id, item_id, amount_minor, tx_id FROM bank_matches WHERE payout_kind = ? AND psp = ? AND payout_ref = ? AND currency = ? ORDER BY id',
      )
      .all(payout.kind, payout.psp, payout.ref, payout.currency) as {
      id: bigint;
      part: 'bank' | 'difference';
      entry_id: bigint | null;
      item_id: bigint | null;
      amount_minor: bigint;
      tx_id: bigint | null;
    }[];
    return rows.map((row) => ({
      id: row.id,
      part: row.part,
      entryId: row.entry_id,
      itemId: row.item_id,
      amountMinor: row.amount_minor,
      txId: row.tx_id,
    }));
  }

  /** The payout a bank entry was matched to (its `bank` part), if any. */
  payoutOfEntry(
    entryId: bigint,
  ): { kind: PayoutKind; psp: string; ref: string; currency: Currency } | undefined {
    const row = this.db
      .prepare(
        `SELECT payout_kind, psp, payout_ref, currency FROM bank_matches WHERE entry_id = ? AND part = 'bank' LIMIT 1`,
      )
      .get(entryId) as
      | { payout_kind: PayoutKind; psp: string; payout_ref: string; currency: string }
      | undefined;
    return row
      ? {
          kind: row.payout_kind,
          psp: row.psp,
          ref: row.payout_ref,
          currency: row.currency as Currency,
        }
      : undefined;
  }

  insertMatch(match: NewBankMatch): void {
    this.db
      .prepare(
        `INSERT INTO bank_matches (payout_kind, part, entry_id, item_id, psp, payout_ref, currency, amount_minor, tx_id, run_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        match.kind,
        match.part,
        match.entryId,
        match.itemId,
        match.psp,
        match.ref,
        match.currency,
        match.amountMinor,
        match.txId,
        match.runId,
        match.at,
      );
  }
}

/** What SELLER_PAYOUTS binds as `@payoutSentPrefix`: a payout's key is this and its id. */
const PAYOUT_SENT_PREFIX = payoutSentKey('');

const SELLER_PAYOUTS = `
  SELECT p.payout_id, p.psp, p.currency, p.amount_minor, p.psp_reference, t.effective_at AS sent_at,
         COALESCE((SELECT SUM(e.amount_minor) FROM ledger_entries e WHERE e.tx_id = t.id AND e.direction = 'credit'), 0) AS books
  FROM payouts p LEFT JOIN ledger_transactions t ON t.idempotency_key = @payoutSentPrefix || p.payout_id`;

interface EntryRow {
  id: bigint;
  statement_id: bigint;
  run_id: bigint;
  line: bigint;
  direction: 'credit' | 'debit';
  amount_minor: bigint;
  currency: string;
  booking_date: string;
  value_date: string | null;
  account_servicer_ref: string | null;
  type_code: string | null;
  transactions: string;
  class: string;
  tx_id: bigint | null;
  file_name: string;
}

function toEntry(row: EntryRow): StoredBankEntry {
  return {
    id: row.id,
    statementId: row.statement_id,
    runId: row.run_id,
    source: `${row.file_name}:${row.line}`,
    direction: row.direction,
    amountMinor: row.amount_minor,
    currency: row.currency as Currency,
    bookingDate: row.booking_date,
    valueDate: row.value_date,
    accountServicerRef: row.account_servicer_ref,
    typeCode: row.type_code,
    transactions: parseTransactions(row.transactions),
    class: row.class,
    txId: row.tx_id,
  };
}

/** bank_entries.transactions is the matcher's JSON of BankTransaction[]; only the texts are read here, and anything else is ignored. */
function parseTransactions(json: string): StoredBankEntry['transactions'] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const textOf = (value: unknown) => (typeof value === 'string' && value !== '' ? value : null);
  return parsed.map((raw: unknown) => {
    const object = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    return {
      endToEndId: textOf(object.endToEndId),
      remittance: textOf(object.remittance),
      counterparty: textOf(object.counterparty),
    };
  });
}

interface StatementRow {
  id: bigint;
  account: string;
  currency: string;
  opening_minor: bigint;
  opening_date: string;
  closing_minor: bigint;
  closing_date: string;
}

function toStatement(row: StatementRow): StoredStatement {
  return {
    id: row.id,
    account: row.account,
    currency: row.currency as Currency,
    openingMinor: row.opening_minor,
    openingDate: row.opening_date,
    closingMinor: row.closing_minor,
    closingDate: row.closing_date,
  };
}

interface PspPayoutRow {
  psp: string;
  batch_id: string;
  currency: string;
  payout_minor: bigint;
  occurred_at: string | null;
  psp_reference: string | null;
  books: bigint;
}

function toPspPayout(row: PspPayoutRow): TransitPayout {
  return {
    kind: 'psp_payout',
    psp: row.psp,
    ref: row.batch_id,
    currency: row.currency as Currency,
    amountMinor: row.payout_minor,
    paidAt: row.occurred_at,
    pspReference: row.psp_reference,
    booksMinor: BigInt(row.books),
  };
}

interface SellerPayoutRow {
  payout_id: string;
  psp: string;
  currency: string;
  amount_minor: bigint;
  psp_reference: string | null;
  sent_at: string | null;
  books: bigint;
}

function toSellerPayout(row: SellerPayoutRow): TransitPayout {
  return {
    kind: 'seller_payout',
    psp: row.psp,
    ref: row.payout_id,
    currency: row.currency as Currency,
    amountMinor: row.amount_minor,
    paidAt: row.sent_at,
    pspReference: row.psp_reference,
    booksMinor: BigInt(row.books),
  };
}
