import { type Database, type Statement, inTransaction } from '../db/index.js';
import { IdempotencyConflictError, InputError, NotFoundError, assert } from '../errors.js';
import { MAX_MINOR, MIN_MINOR, type Currency, formatAmount } from '../money/index.js';
import { jsonStringRecord } from '../json.js';
import { nowIso } from '../time.js';
import type { AccountType } from './accounts.js';
import { isPipelineKind } from './kinds.js';
import { type TransactionRow, transactionHeaderOf } from './rows.js';
import { GENESIS_HASH, bodyHash, chainHash } from './hash.js';
import type {
  Direction,
  EntryRecord,
  Metadata,
  PostResult,
  PostingRequest,
  TransactionRecord,
} from './types.js';
import { type ValidPosting, validatePosting } from './validate.js';

interface AccountState {
  id: number;
  type: AccountType;
  /** Debits minus credits after the last entry written in this batch. */
  balanceMinor: bigint;
  maxEffectiveAt: string;
  dirty: boolean;
}

/**
 * The double-entry journal. Posting is append-only and atomic: `postBatch` writes every
 * transaction of the batch in one SQLite transaction (a savepoint when the caller already holds
 * one, so payments can post together with their own state changes) or nothing at all.
 */
export class Ledger {
  private readonly statements: ReturnType<typeof prepareStatements>;
  /** Multi-row entry inserts, by number of rows. */
  private readonly entryInserts = new Map<number, Statement>();

  constructor(private readonly db: Database) {
    this.statements = prepareStatements(db);
  }

  post(request: PostingRequest): PostResult {
    return this.postBatch([request])[0] as PostResult;
  }

  /**
   * Posts many transactions at once. Each is validated before anything is written; one invalid
   * request or idempotency conflict rolls the whole batch back. `where` names each request in
   * error messages (e.g. the file and line it came from).
   */
  postBatch(
    requests: readonly PostingRequest[],
    where: (index: number) => string = (i) => `posting ${i + 1}`,
  ): PostResult[] {
    const { valid, hashes } = validateAndHash(requests, where);
    return inTransaction(this.db, () => this.write(valid, hashes, where));
  }

  /**
   * `postBatch` for a flow that already holds the transaction and lets every error leave its
   * transaction function, which then rolls the flow's work back whole, postings included. It
   * takes no savepoint of its own: a savepoint keeps a copy of every page it touches (8% of a pay-in
   * run's time, measured), and only a caller that catches a posting error and commits needs one.
   */
  postBatchWithin(
    requests: readonly PostingRequest[],
    where: (index: number) => string,
  ): PostResult[] {
    assert(this.db.inTransaction, "postBatchWithin runs inside its caller's transaction");
    const { valid, hashes } = validateAndHash(requests, where);
    return this.write(valid, hashes, where);
  }

  /**
   * Posts the mirror image of a transaction. A transaction can be reversed once, and only an
   * operator's own: pipeline transactions are corrected by their flows (refunds, adjustments).
   */
  reverse(txId: number, reason: string, effectiveAt: string = nowIso()): PostResult {
    const original = this.getTransaction(txId);
    if (isPipelineKind(original.kind)) {
      throw new InputError(
        `transaction ${txId} is a ${original.kind} written by payops' own flow and cannot be reversed by hand`,
        {
          hint: 'correct it through that flow (a refund, a reconciliation adjustment), which keeps orders and wallets in step',
        },
      );
    }
    if (original.reversedByTxId !== null) {
      throw new IdempotencyConflictError(
        `transaction ${txId} was already reversed by transaction ${original.reversedByTxId}`,
      );
    }
    if (reason.trim().length === 0)
      throw new InputError('--reason: say why the transaction is reversed');
    return this.post({
      idempotencyKey: `reversal:${txId}`,
      kind: 'reversal',
      description: `Reversal of #${txId}: ${reason}`,
      effectiveAt,
      metadata: { reason, reverses: String(txId) },
      reversesTxId: txId,
      entries: original.entries.map((entry) => ({
        account: entry.account,
        currency: entry.currency,
        direction: entry.direction === 'debit' ? 'credit' : 'debit',
        amountMinor: entry.amountMinor,
      })),
    });
  }

  getTransaction(txId: number): TransactionRecord {
    const row = this.statements.transactionById.get(txId) as TransactionWithReversal | undefined;
    if (!row)
      throw new NotFoundError(`transaction ${txId} does not exist`, {
        hint: 'list transactions with `payops ledger history ACCOUNT`',
      });
    const entries = (this.statements.entriesOfTransaction.all(txId) as EntryRow[]).map(
      toEntryRecord,
    );
    return {
      ...transactionHeaderOf(row),
      reversesTxId: row.reverses_tx_id === null ? null : Number(row.reverses_tx_id),
      reversedByTxId: row.reversed_by === null ? null : Number(row.reversed_by),
      hash: row.hash,
      prevHash: row.prev_hash,
      entries,
    };
  }

  findByIdempotencyKey(key: string): number | undefined {
    const row = this.statements.transactionByKey.get(key) as { id: bigint } | undefined;
    return row ? Number(row.id) : undefined;
  }

  private write(
    valid: readonly ValidPosting[],
    hashes: readonly string[],
    where: (index: number) => string,
  ): PostResult[] {
    const s = this.statements;
    const head = s.head.get() as { id: bigint; hash: string } | undefined;
    let lastId = head ? Number(head.id) : 0;
    let prevHash = head ? head.hash : GENESIS_HASH;
    const createdAt = nowIso();
    const accounts: AccountCache = new Map();
    this.checkBalances(valid, accounts, where);
    const results: PostResult[] = [];
    const entryRows: unknown[] = [];

    for (let index = 0; index < valid.length; index++) {
      const posting = valid[index] as ValidPosting;
      const contentHash = hashes[index] as string;
      const txId = lastId + 1;
      const hash = chainHash(prevHash, txId, createdAt, contentHash);
      const inserted = s.insertTransaction.run(
        txId,
        posting.idempotencyKey,
        posting.kind,
        posting.description,
        posting.effectiveAt,
        createdAt,
        metadataJson(posting.metadata),
        posting.reversesTxId ?? null,
        contentHash,
        prevHash,
        hash,
      );
      if (inserted.changes === 0) {
        results.push(this.existing(posting, contentHash, where(index)));
        continue;
      }
      const entries = posting.entries;
      for (let entryIndex = 0; entryIndex < entries.length; entryIndex++) {
        const entry = entries[entryIndex] as ValidPosting['entries'][number];
        const account = this.account(
          accounts,
          entry.account,
          entry.currency,
          posting.accountTypes[entryIndex] as AccountType,
          createdAt,
        );
        const signed = entry.direction === 'debit' ? entry.amountMinor : -entry.amountMinor;
        const balanceMinor = account.balanceMinor + signed;
        assert(
          balanceMinor <= MAX_MINOR && balanceMinor >= MIN_MINOR,
          `checkBalances let the balance of ${entry.account} past 64 bits`,
        );
        const backdated = posting.effectiveAt < account.maxEffectiveAt ? 1 : 0;
        entryRows.push(
          txId,
          account.id,
          entry.direction,
          entry.amountMinor,
          posting.effectiveAt,
          backdated,
          balanceMinor,
        );
        if (entryRows.length === ENTRY_COLUMNS * ENTRY_ROWS_PER_INSERT)
          this.insertEntries(entryRows);
        account.balanceMinor = balanceMinor;
        if (!backdated) account.maxEffectiveAt = posting.effectiveAt;
        account.dirty = true;
      }
      lastId = txId;
      prevHash = hash;
      results.push({ txId, created: true });
    }
    this.insertEntries(entryRows);
    for (const byName of accounts.values()) {
      for (const account of byName.values()) {
        if (account.dirty)
          s.updateAccount.run(account.balanceMinor, account.maxEffectiveAt, account.id);
      }
    }
    return results;
  }

  /**
   * Every balance the batch moves stays within 64 bits, checked before its first row is written: a
   * flow that catches the error and commits (keeping a PSP's answer as a fact) must find nothing
   * of the batch written. Debits and credits are summed apart, so the bound holds at every entry
   * whichever postings of the batch turn out to be posted already (and are skipped). The accounts
   * read here are left in `accounts` for the write.
   */
  private checkBalances(
    valid: readonly ValidPosting[],
    accounts: AccountCache,
    where: (index: number) => string,
  ): void {
    const moves = new Map<AccountState | string, { debitsMinor: bigint; creditsMinor: bigint }>();
    for (let index = 0; index < valid.length; index++) {
      const posting = valid[index] as ValidPosting;
      for (const entry of posting.entries) {
        const account = this.existingAccount(accounts, entry.account, entry.currency);
        const key = account ?? `${entry.currency}\u0000${entry.account}`;
        let move = moves.get(key);
        if (move === undefined) moves.set(key, (move = { debitsMinor: 0n, creditsMinor: 0n }));
        if (entry.direction === 'debit') move.debitsMinor += entry.amountMinor;
        else move.creditsMinor += entry.amountMinor;
        const balanceMinor = account?.balanceMinor ?? 0n;
        if (
          balanceMinor + move.debitsMinor > MAX_MINOR ||
          balanceMinor - move.creditsMinor < MIN_MINOR
        ) {
          const earlierMinor =
            entry.direction === 'debit'
              ? move.debitsMinor - entry.amountMinor
              : -(move.creditsMinor - entry.amountMinor);
          throw balanceLimitError(where(index), entry, balanceMinor, earlierMinor);
        }
      }
    }
  }

  /** The account as stored (cached for the batch), or undefined when the batch will create it. */
  private existingAccount(
    cache: AccountCache,
    name: string,
    currency: Currency,
  ): AccountState | undefined {
    const cached = cache.get(currency)?.get(name);
    if (cached) return cached;
    const row = this.statements.accountByName.get(name, currency) as AccountRow | undefined;
    if (!row) return undefined;
    let byName = cache.get(currency);
    if (byName === undefined) cache.set(currency, (byName = new Map()));
    const state: AccountState = {
      id: Number(row.id),
      type: row.type,
      balanceMinor: row.balance_minor,
      maxEffectiveAt: row.max_effective_at,
      dirty: false,
    };
    byName.set(name, state);
    return state;
  }

  /**
   * Writes the buffered entry rows, up to ENTRY_ROWS_PER_INSERT per statement (one execution of a
   * prepared statement costs about as much as the row it writes), and empties the buffer. Every
   * journal row they reference is already written, in this transaction; ids follow posting order.
   */
  private insertEntries(rows: unknown[]): void {
    const count = rows.length / ENTRY_COLUMNS;
    if (count === 0) return;
    let statement = this.entryInserts.get(count);
    if (statement === undefined) {
      statement = this.db.prepare(
        `INSERT INTO ledger_entries (tx_id, account_id, direction, amount_minor, effective_at, backdated, running_balance_minor)
         VALUES ${Array.from({ length: count }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      );
      this.entryInserts.set(count, statement);
    }
    statement.run(...rows);
    rows.length = 0;
  }

  private existing(posting: ValidPosting, contentHash: string, where: string): PostResult {
    const row = this.statements.transactionByKey.get(posting.idempotencyKey) as
      | { id: bigint; body_hash: string }
      | undefined;
    assert(row, `idempotency key ${posting.idempotencyKey} conflicted but no transaction holds it`);
    if (row.body_hash !== contentHash) {
      throw new IdempotencyConflictError(
        `${where}: idempotency key "${posting.idempotencyKey}" was already used by transaction ${row.id} with different content`,
        { hint: 'use a new key for a new transaction; the original was left untouched' },
      );
    }
    return { txId: Number(row.id), created: false };
  }

  private account(
    cache: AccountCache,
    name: string,
    currency: Currency,
    type: AccountType,
    createdAt: string,
  ): AccountState {
    let byName = cache.get(currency);
    if (byName === undefined) {
      byName = new Map();
      cache.set(currency, byName);
    }
    const cached = byName.get(name);
    if (cached) return cached;
    const s = this.statements;
    let row = s.accountByName.get(name, currency) as AccountRow | undefined;
    if (!row) {
      s.insertAccount.run(name, currency, type, createdAt);
      row = s.accountByName.get(name, currency) as AccountRow;
    }
    const state: AccountState = {
      id: Number(row.id),
      type: row.type,
      balanceMinor: row.balance_minor,
      maxEffectiveAt: row.max_effective_at,
      dirty: false,
    };
    byName.set(name, state);
    return state;
  }
}

/** `earlierMinor`: what the batch's entries before this one move the account the same way. */
function balanceLimitError(
  where: string,
  entry: ValidPosting['entries'][number],
  balanceMinor: bigint,
  earlierMinor: bigint,
): InputError {
  const amount = (minor: bigint) => `${formatAmount(minor, entry.currency)} ${entry.currency}`;
  const earlier =
    earlierMinor === 0n
      ? ''
      : ` (${amount(balanceMinor + earlierMinor)} with the ${entry.direction}s before it in this batch)`;
  return new InputError(
    `${where}: a ${entry.direction} of ${amount(entry.amountMinor)} to ${entry.account}, whose balance is ${amount(balanceMinor)}${earlier}, ` +
      `would take it beyond the largest balance payops can hold (${amount(entry.direction === 'debit' ? MAX_MINOR : MIN_MINOR)}); nothing was posted`,
    {
      hint: `if an amount was posted by mistake, find it with \`payops ledger history ${entry.account}\` and post its mirror image with \`payops ledger reverse ID\``,
    },
  );
}

/**
 * Every request validated and body-hashed before anything is written. `where` is called only to
 * name a request in an error: this loop runs once per posted transaction.
 */
function validateAndHash(
  requests: readonly PostingRequest[],
  where: (index: number) => string,
): { valid: ValidPosting[]; hashes: string[] } {
  const count = requests.length;
  const valid = new Array<ValidPosting>(count);
  const hashes = new Array<string>(count);
  for (let index = 0; index < count; index++) {
    const posting = validatePosting(requests[index] as PostingRequest, () => where(index));
    valid[index] = posting;
    hashes[index] = bodyHash(posting);
  }
  return { valid, hashes };
}

const ENTRY_COLUMNS = 7;
const ENTRY_ROWS_PER_INSERT = 64;

/** The accounts a batch touches, by currency, then name (no key string built per entry). */
type AccountCache = Map<string, Map<string, AccountState>>;

/** JSON.stringify(metadata), byte for byte (values are strings, validated). */
function metadataJson(metadata: Metadata): string {
  return jsonStringRecord(metadata);
}

interface AccountRow {
  id: bigint;
  type: AccountType;
  balance_minor: bigint;
  max_effective_at: string;
}

interface TransactionWithReversal extends TransactionRow {
  reversed_by: bigint | null;
}

interface EntryRow {
  id: bigint;
  name: string;
  currency: string;
  type: AccountType;
  direction: Direction;
  amount_minor: bigint;
  running_balance_minor: bigint;
}

function toEntryRecord(row: EntryRow): EntryRecord {
  return {
    entryId: Number(row.id),
    account: row.name,
    currency: row.currency as Currency,
    accountType: row.type,
    direction: row.direction,
    amountMinor: row.amount_minor,
    runningBalanceMinor: row.running_balance_minor,
  };
}

function prepareStatements(db: Database) {
  const prepare = (sql: string): Statement => db.prepare(sql);
  return {
    head: prepare('SELECT id, hash FROM ledger_transactions ORDER BY id DESC LIMIT 1'),
    insertTransaction: prepare(
      `INSERT INTO ledger_transactions
         (id, idempotency_key, kind, description, effective_at, created_at, metadata, reverses_tx_id, body_hash, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (idempotency_key) DO NOTHING`,
    ),
    accountByName: prepare(
      'SELECT id, type, balance_minor, max_effective_at FROM ledger_accounts WHERE name = ? AND currency = ?',
    ),
    insertAccount: prepare(
      'INSERT INTO ledger_accounts (name, currency, type, created_at) VALUES (?, ?, ?, ?)',
    ),
    updateAccount: prepare(
      'UPDATE ledger_accounts SET balance_minor = ?, max_effective_at = ? WHERE id = ?',
    ),
    transactionByKey: prepare(
      'SELECT id, body_hash FROM ledger_transactions WHERE idempotency_key = ?',
    ),
    transactionById: prepare(
      `SELECT t.*, (SELECT r.id FROM ledger_transactions r WHERE r.reverses_tx_id = t.id) AS reversed_by
       FROM ledger_transactions t WHERE t.id = ?`,
    ),
    entriesOfTransaction: prepare(
      `SELECT e.id, a.name, a.currency, a.type, e.direction, e.amount_minor, e.running_balance_minor
       FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
       WHERE e.tx_id = ? ORDER BY e.id`,
    ),
  };
}
