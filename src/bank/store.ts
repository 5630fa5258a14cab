import { z } from 'zod';
import type { Database, Statement } from '../db/index.js';
import { ACCOUNT_AS_OF_QUERY } from '../ledger/sqlite-ledger-reads.js';
import { toNormalBalance } from '../ledger/index.js';
import { type Currency, toCurrency } from '../money/index.js';
import {
  bankInTransit,
  bankOperating,
  payoutsInTransit,
  payoutSentKey,
} from '../postings/index.js';
import type { ExpectedPspPayout, ExpectedSellerPayout } from './match/index.js';
import type { BankEntry, StatementFooter, StatementHeader } from './types.js';

/**
 * The only SQL of the bank leg: its own tables (bank_statements, bank_entries, bank_matches) and
 * what it reads of the others to know what to expect (recon_batches and recon_settlements for PSP
 * payouts, payouts and the ledger for seller payouts). Every row read is checked against its
 * shape before it is used: a wrong type is a loud error, never a silently wrong amount.
 */
const currency = z.string().transform((code, context) => {
  try {
    return toCurrency(code);
  } catch {
    context.addIssue({ code: 'custom', message: `not a currency: ${code}` });
    return z.NEVER;
  }
});
const instant = z.string().regex(/^\d{4}-\d{2}-\d{2}T/);

const pspPayoutRow = z.object({
  psp: z.string(),
  batch_id: z.string(),
  currency,
  payout_minor: z.bigint().positive(),
  psp_reference: z.string().nullable(),
  occurred_at: instant,
});
const sellerPayoutRow = z.object({
  payout_id: z.string(),
  psp_reference: z.string().nullable(),
  psp: z.string(),
  currency,
  amount_minor: z.bigint().positive(),
  effective_at: instant,
});
const matchRow = z.object({
  entry_id: z.bigint().nullable(),
  line: z.bigint().nullable(),
  file_name: z.string().nullable(),
  amount_minor: z.bigint(),
});
const statementRow = z.object({
  id: z.bigint(),
  account: z.string(),
  currency,
  statement_ref: z.string(),
  line: z.bigint(),
  file_name: z.string(),
  opening_date: z.string(),
  opening_minor: z.bigint(),
  closing_date: z.string(),
  closing_minor: z.bigint(),
});
const tallyRow = z.object({
  class: z.string(),
  direction: z.enum(['credit', 'debit']),
  currency,
  n: z.bigint(),
  amount: z.bigint(),
});
const operatingRow = z.object({
  type: z.enum(['asset', 'liability', 'equity', 'revenue', 'expense']),
  balance_minor: z.bigint(),
});

function checked<T extends z.ZodType>(schema: T, row: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(row);
  if (!result.success)
    throw new Error(
      `${what}: unexpected row ${JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}: ${result.error.issues[0]?.message ?? 'invalid'}`,
    );
  return result.data;
}

/** Asked once per entry of every statement: test/bank/store.test.ts asserts they seek an index. */
export const DUPLICATE_QUERIES = {
  byServicerRef: `SELECT 1 FROM bank_entries e JOIN bank_statements s ON s.id = e.statement_id
                  WHERE e.account_servicer_ref = ? AND s.account = ? AND e.currency = ? AND e.run_id <> ? LIMIT 1`,
  byFingerprint: 'SELECT 1 FROM bank_entries WHERE fingerprint = ? AND run_id <> ? LIMIT 1',
} as const;

/** What the seller query binds first: a payout's `payout.sent` key is this and its id. */
const PAYOUT_SENT_PREFIX = payoutSentKey('');

/** Asked once per statement; their NOT EXISTS seeks bank_matches_by_payout_ref per payout (test/bank/store.test.ts). */
export const EXPECTED_PAYOUT_QUERIES = {
  psp: `SELECT b.psp, b.batch_id, b.currency, b.payout_minor, r.psp_reference, r.occurred_at
      FROM recon_batches b JOIN recon_rows r ON r.id = b.payout_row_id
      WHERE b.currency = ? AND b.payout_minor > 0
        AND NOT EXISTS (SELECT 1 FROM bank_matches m WHERE m.payout_kind = 'psp_payout' AND m.psp = b.psp AND m.payout_ref = b.batch_id AND m.currency = b.currency
                        GROUP BY m.payout_kind HAVING MAX(m.part = 'bank') = 1 OR SUM(m.amount_minor) = b.payout_minor)
        AND EXISTS (SELECT 1 FROM recon_settlements st JOIN ledger_entries e ON e.tx_id = st.tx_id JOIN ledger_accounts a ON a.id = e.account_id
                    WHERE st.psp = b.psp AND st.batch_id = b.batch_id AND st.currency = b.currency AND a.name = ? || b.psp)
      ORDER BY r.occurred_at, b.batch_id`,
  seller: `SELECT p.payout_id, p.psp_reference, p.psp, p.currency, p.amount_minor, t.effective_at
      FROM payouts p JOIN ledger_transactions t ON t.idempotency_key = ? || p.payout_id
      WHERE p.status = 'succeeded' AND p.currency = ?
        AND EXISTS (SELECT 1 FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE e.tx_id = t.id AND a.name = ?)
        AND NOT EXISTS (SELECT 1 FROM bank_matches m WHERE m.payout_kind = 'seller_payout' AND m.psp = p.psp AND m.payout_ref = p.payout_id AND m.currency = p.currency
                        GROUP BY m.payout_kind HAVING MAX(m.part = 'bank') = 1 OR SUM(m.amount_minor) = p.amount_minor)
      ORDER BY t.effective_at, p.payout_id`,
} as const;

/** A statement's balances as the bank stated them, and where. */
export interface StatementBalance {
  statementId: bigint;
  account: string;
  currency: Currency;
  statementRef: string;
  /** FILE:LINE of the statement's header. */
  source: string;
  openingDate: string;
  openingMinor: bigint;
  closingDate: string;
  closingMinor: bigint;
}

export interface MatchInsert {
  payoutKind: 'psp_payout' | 'seller_payout';
  part: 'bank' | 'difference';
  entryId: bigint | null;
  itemId: bigint | null;
  psp: string;
  payoutRef: string;
  currency: Currency;
  amountMinor: bigint;
  txId: number | null;
  runId: bigint | null;
  at: string;
}

export class BankStore {
  private readonly s: Record<string, Statement>;

  constructor(db: Database) {
    const prepare = (sql: string) => db.prepare(sql);
    this.s = {
      insertStatement: prepare(
        `INSERT INTO bank_statements (run_id, line, statement_ref, account, currency, opening_minor, opening_date, closing_minor, closing_date, credits_minor, debits_minor, entry_count, skipped_count)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertEntry: prepare(
        `INSERT INTO bank_entries (statement_id, run_id, line, direction, amount_minor, currency, booking_date, value_date, account_servicer_ref, type_code, bank_charge, reversal, transactions, fingerprint, class)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'unplanned')`,
      ),
      setOutcome: prepare('UPDATE bank_entries SET class = ?, item_id = ?, tx_id = ? WHERE id = ?'),
      refElsewhere: prepare(DUPLICATE_QUERIES.byServicerRef),
      fingerprintElsewhere: prepare(DUPLICATE_QUERIES.byFingerprint),
      pspPayouts: prepare(EXPECTED_PAYOUT_QUERIES.psp),
      sellerPayouts: prepare(EXPECTED_PAYOUT_QUERIES.seller),
      insertMatch: prepare(
        `INSERT INTO bank_matches (payout_kind, part, entry_id, item_id, psp, payout_ref, currency, amount_minor, tx_id, run_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      bankMatch: prepare(
        `SELECT m.entry_id, e.line, u.file_name, m.amount_minor FROM bank_matches m
         LEFT JOIN bank_entries e ON e.id = m.entry_id LEFT JOIN recon_runs u ON u.id = e.run_id
         WHERE m.payout_kind = ? AND m.psp = ? AND m.payout_ref = ? AND m.currency = ? AND m.part = 'bank'`,
      ),
      sellerMatch: prepare(
        `SELECT m.entry_id, e.line, u.file_name, m.amount_minor FROM bank_matches m
         LEFT JOIN bank_entries e ON e.id = m.entry_id LEFT JOIN recon_runs u ON u.id = e.run_id
         WHERE m.payout_kind = 'seller_payout' AND m.payout_ref = ? AND m.currency = ? AND m.part = 'bank'`,
      ),
      tallies: prepare(
        'SELECT class, direction, currency, COUNT(*) AS n, SUM(amount_minor) AS amount FROM bank_entries WHERE run_id = ? GROUP BY class, direction, currency ORDER BY class, direction, currency',
      ),
      statementsClosingFrom: prepare(
        `SELECT s.id, s.account, s.currency, s.statement_ref, s.line, u.file_name, s.opening_date, s.opening_minor, s.closing_date, s.closing_minor
         FROM bank_statements s JOIN recon_runs u ON u.id = s.run_id
         WHERE s.account = ? AND s.currency = ? AND s.closing_date >= ? AND s.run_id <> ? ORDER BY s.closing_date, s.id`,
      ),
      // The ledger's as-of balance of one account: SQLite pushes the filter into the subquery, so one
      // account is computed, not every account of the book (a seller's each: seconds at 100,000).
      operatingAsOf: prepare(ACCOUNT_AS_OF_QUERY),
      earlierStatement: prepare(
        'SELECT 1 FROM bank_statements WHERE account = ? AND currency = ? AND id < ? LIMIT 1',
      ),
    };
  }

  insertStatement(
    runId: bigint,
    header: StatementHeader,
    footer: StatementFooter,
    sums: { creditsMinor: bigint; debitsMinor: bigint; entryCount: number; skipped: number },
  ): bigint {
    return BigInt(
      this.s.insertStatement!.run(
        runId,
        header.line,
        header.statementId,
        header.account,
        header.currency,
        header.opening.amountMinor,
        header.opening.date,
        footer.closing.amountMinor,
        footer.closing.date,
        sums.creditsMinor,
        sums.debitsMinor,
        sums.entryCount,
        sums.skipped,
      ).lastInsertRowid,
    );
  }

  insertEntry(statementId: bigint, runId: bigint, entry: BankEntry, fingerprint: string): bigint {
    const transactions = JSON.stringify(entry.transactions, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    );
    return BigInt(
      this.s.insertEntry!.run(
        statementId,
        runId,
        entry.line,
        entry.direction,
        entry.amountMinor,
        entry.currency,
        entry.bookingDate,
        entry.valueDate,
        entry.accountServicerRef,
        entry.typeCode,
        entry.bankCharge ? 1 : 0,
        entry.reversal ? 1 : 0,
        transactions,
        fingerprint,
      ).lastInsertRowid,
    );
  }

  setOutcome(
    entryId: bigint,
    entryClass: string,
    itemId: bigint | null,
    txId: number | null,
  ): void {
    if (this.s.setOutcome!.run(entryClass, itemId, txId, entryId).changes !== 1)
      throw new Error(`bank entry ${entryId} does not exist`);
  }

  /** True when another file's entry has this bank reference (same account and currency). */
  refImportedElsewhere(
    account: string,
    currency: Currency,
    servicerRef: string,
    runId: bigint,
  ): boolean {
    return this.s.refElsewhere!.get(servicerRef, account, currency, runId) !== undefined;
  }

  fingerprintImportedElsewhere(fingerprint: string, runId: bigint): boolean {
    return this.s.fingerprintElsewhere!.get(fingerprint, runId) !== undefined;
  }

  /** PSP payouts in `currency` the settlements moved into transit and no bank entry (or decision) has cleared. */
  expectedPspPayouts(payoutCurrency: Currency): ExpectedPspPayout[] {
    return this.s.pspPayouts!.all(payoutCurrency, bankInTransit('')).map((raw) => {
      const row = checked(pspPayoutRow, raw, 'recon_batches');
      const references =
        row.psp_reference !== null && row.psp_reference !== row.batch_id ? [row.psp_reference] : [];
      return {
        psp: row.psp,
        batchId: row.batch_id,
        references,
        currency: row.currency,
        amountMinor: row.payout_minor,
        payoutDate: row.occurred_at.slice(0, 10),
        payoutAt: row.occurred_at,
      };
    });
  }

  /** Seller payouts in `currency` sent (posted to liabilities:payouts:in-transit) and not yet seen leaving the bank. */
  expectedSellerPayouts(payoutCurrency: Currency): ExpectedSellerPayout[] {
    const bound = [PAYOUT_SENT_PREFIX, payoutCurrency, payoutsInTransit];
    return this.s.sellerPayouts!.all(...bound).map((raw) => {
      const row = checked(sellerPayoutRow, raw, 'payouts');
      return {
        payoutId: row.payout_id,
        pspReference: row.psp_reference,
        psp: row.psp,
        currency: row.currency,
        amountMinor: row.amount_minor,
        sentDate: row.effective_at.slice(0, 10),
        sentAt: row.effective_at,
      };
    });
  }

  insertMatch(match: MatchInsert): bigint {
    return BigInt(
      this.s.insertMatch!.run(
        match.payoutKind,
        match.part,
        match.entryId,
        match.itemId,
        match.psp,
        match.payoutRef,
        match.currency,
        match.amountMinor,
        match.txId,
        match.runId,
        match.at,
      ).lastInsertRowid,
    );
  }

  /** The entry that cleared a payout, as FILE:LINE, if one has. */
  receivedBy(
    payoutKind: 'psp_payout' | 'seller_payout',
    psp: string,
    payoutRef: string,
    payoutCurrency: Currency,
  ): { entryId: bigint; source: string } | undefined {
    const raw = this.s.bankMatch!.get(payoutKind, psp, payoutRef, payoutCurrency);
    if (raw === undefined) return undefined;
    const row = checked(matchRow, raw, 'bank_matches');
    return row.entry_id === null
      ? undefined
      : { entryId: row.entry_id, source: `${row.file_name ?? '?'}:${row.line ?? '?'}` };
  }

  /** The entry that paid a seller payout (its id is unique across payout PSPs), as FILE:LINE, if one has. */
  receivedSellerPayout(
    payoutId: string,
    payoutCurrency: Currency,
  ): { entryId: bigint; source: string } | undefined {
    const raw = this.s.sellerMatch!.get(payoutId, payoutCurrency);
    if (raw === undefined) return undefined;
    const row = checked(matchRow, raw, 'bank_matches');
    return row.entry_id === null
      ? undefined
      : { entryId: row.entry_id, source: `${row.file_name ?? '?'}:${row.line ?? '?'}` };
  }

  /** The books' assets:bank:operating in `currency` at `asOf` (inclusive, effective time). */
  operatingBalance(balanceCurrency: Currency, asOf: string): bigint {
    const raw = this.s.operatingAsOf!.get({
      asOf,
      name: bankOperating,
      currency: balanceCurrency,
    });
    if (raw === undefined) return 0n;
    const row = checked(operatingRow, raw, 'ledger_accounts');
    return toNormalBalance(row.type, row.balance_minor);
  }

  /** True when a statement of this account and currency was imported before `statementId`. */
  hasEarlierStatement(account: string, statementCurrency: Currency, statementId: bigint): boolean {
    return this.s.earlierStatement!.get(account, statementCurrency, statementId) !== undefined;
  }

  /** Statements of this account and currency from other files closing on or after `fromDate`, oldest day first. */
  statementsClosingFrom(
    account: string,
    statementCurrency: Currency,
    fromDate: string,
    runId: bigint,
  ): StatementBalance[] {
    return this.s
      .statementsClosingFrom!.all(account, statementCurrency, fromDate, runId)
      .map((raw) => {
        const row = checked(statementRow, raw, 'bank_statements');
        return {
          statementId: row.id,
          account: row.account,
          currency: row.currency,
          statementRef: row.statement_ref,
          source: `${row.file_name}:${row.line}`,
          openingDate: row.opening_date,
          openingMinor: row.opening_minor,
          closingDate: row.closing_date,
          closingMinor: row.closing_minor,
        };
      });
  }

  /** A run's entries counted and summed by class, direction and currency. */
  entryTallies(runId: bigint): {
    class: string;
    direction: 'credit' | 'debit';
    currency: Currency;
    count: number;
    amountMinor: bigint;
  }[] {
    return this.s.tallies!.all(runId).map((raw) => {
      const row = checked(tallyRow, raw, 'bank_entries');
      return {
        class: row.class,
        direction: row.direction,
        currency: row.currency,
        count: Number(row.n),
        amountMinor: row.amount,
      };
    });
  }
}
