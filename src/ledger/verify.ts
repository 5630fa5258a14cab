import type { Currency } from '../money/index.js';
import { InputError } from '../errors.js';
import { type AccountType, accountTypeOf } from './accounts.js';
import { GENESIS_HASH, bodyHash, chainHash } from './hash.js';
import type { TransactionRow } from './rows.js';
import type { Direction, Metadata } from './types.js';

export interface VerifyProblem {
  /** The first transaction (by id) the problem shows in; null for account-level problems. */
  txId: number | null;
  problem: string;
}

export interface VerifyReport {
  ok: boolean;
  transactionsChecked: number;
  entriesChecked: number;
  accountsChecked: number;
  /** Hash of the last transaction: record it elsewhere to anchor the chain against a full rewrite. */
  headHash: string;
  problems: VerifyProblem[];
}

const MAX_PROBLEMS = 20;

/** A `ledger_accounts` row as verification reads it: type and currency as stored, unchecked (they are what it checks). */
export interface VerifyAccountRow {
  id: bigint;
  name: string;
  currency: string;
  type: string;
  balance_minor: bigint;
  max_effective_at: string;
}

/** A `ledger_entries` row. */
export interface VerifyEntryRow {
  id: bigint;
  tx_id: bigint;
  account_id: bigint;
  direction: Direction;
  amount_minor: bigint;
  effective_at: string;
  backdated: bigint;
  running_balance_minor: bigint;
}

/**
 * What `verifyLedger` reads of the books: the accounts, then the journal and its entries, each in
 * id order and streamed (memory stays flat whatever the size of the book). The entries are walked
 * in step with the transactions, so an implementation serves both iterations at once, from one
 * snapshot of the books (SQLite: one connection's read; PostgreSQL: two cursors in one REPEATABLE
 * READ transaction).
 */
export interface LedgerVerifyReads {
  /** Every account with its stored balance and latest effective time, in any order. */
  verifyAccounts(): AsyncIterable<VerifyAccountRow>;
  /** Every transaction, by id. */
  journalTransactions(): AsyncIterable<TransactionRow>;
  /** Every entry, by id. */
  journalEntries(): AsyncIterable<VerifyEntryRow>;
}

interface AccountCheck {
  name: string;
  currency: Currency;
  storedBalance: bigint;
  storedMaxEffectiveAt: string;
  balance: bigint;
  maxEffectiveAt: string;
}

type Report = (txId: number | null, problem: string) => void;

/**
 * Recomputes the ledger from its rows, trusting nothing stored: every content hash, the chain,
 * debits = credits per currency in every transaction, every running balance, and every account
 * balance. It reads journal and entries once each, in id order, so it streams any size of book.
 * Catches edits made with the append-only triggers dropped, and rows inserted out of place.
 */
export async function verifyLedger(reads: LedgerVerifyReads): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const report: Report = (txId, problem) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ txId, problem });
  };
  const accounts = await readAccounts(reads, report);
  const journal = await walkJournal(reads, accounts, report);
  for (const account of accounts.values()) {
    if (account.balance !== account.storedBalance) {
      report(
        null,
        `account ${account.name} ${account.currency} stores balance ${account.storedBalance}, its entries sum to ${account.balance}`,
      );
    }
    if (account.maxEffectiveAt !== account.storedMaxEffectiveAt) {
      report(
        null,
        `account ${account.name} ${account.currency} stores a wrong latest effective time`,
      );
    }
  }
  return {
    ok: problems.length === 0,
    transactionsChecked: journal.transactionsChecked,
    entriesChecked: journal.entriesChecked,
    accountsChecked: accounts.size,
    headHash: journal.headHash,
    problems,
  };
}

async function readAccounts(
  reads: LedgerVerifyReads,
  report: Report,
): Promise<Map<bigint, AccountCheck>> {
  const accounts = new Map<bigint, AccountCheck>();
  for await (const row of reads.verifyAccounts()) {
    const wrongType = accountTypeProblem(row.name, row.type);
    if (wrongType !== undefined) report(null, `account ${row.name} ${row.currency} ${wrongType}`);
    accounts.set(row.id, {
      name: row.name,
      currency: row.currency as Currency,
      storedBalance: row.balance_minor,
      storedMaxEffectiveAt: row.max_effective_at,
      balance: 0n,
      maxEffectiveAt: '',
    });
  }
  return accounts;
}

/** Every transaction with its entries, merged from the two id-ordered iterations. */
async function walkJournal(
  reads: LedgerVerifyReads,
  accounts: Map<bigint, AccountCheck>,
  report: Report,
): Promise<{ transactionsChecked: number; entriesChecked: number; headHash: string }> {
  // A second cursor over entries, advanced in step with the transactions.
  const entryCursor = reads.journalEntries()[Symbol.asyncIterator]();
  try {
    let pendingEntry = await entryCursor.next();
    let expectedId = 1n;
    let prevHash = GENESIS_HASH;
    let transactionsChecked = 0;
    let entriesChecked = 0;
    for await (const tx of reads.journalTransactions()) {
      const txId = Number(tx.id);
      transactionsChecked++;
      if (tx.id !== expectedId)
        report(
          txId,
          `transaction ids jump from ${expectedId - 1n} to ${tx.id}: a transaction was removed`,
        );
      expectedId = tx.id + 1n;
      const entries: VerifyEntryRow[] = [];
      while (!pendingEntry.done && pendingEntry.value.tx_id <= tx.id) {
        const entry = pendingEntry.value;
        if (entry.tx_id < tx.id)
          report(
            Number(entry.tx_id),
            `entry ${entry.id} was written after transaction ${entry.tx_id} was complete`,
          );
        else entries.push(entry);
        pendingEntry = await entryCursor.next();
      }
      entriesChecked += entries.length;
      checkTransaction(tx, entries, accounts, prevHash, report);
      prevHash = tx.hash;
    }
    while (!pendingEntry.done) {
      report(
        Number(pendingEntry.value.tx_id),
        `entry ${pendingEntry.value.id} belongs to no transaction`,
      );
      pendingEntry = await entryCursor.next();
    }
    return { transactionsChecked, entriesChecked, headHash: prevHash };
  } finally {
    await entryCursor.return?.();
  }
}

/** One transaction against its entries, the accounts' running state and the previous hash. */
function checkTransaction(
  tx: TransactionRow,
  entries: readonly VerifyEntryRow[],
  accounts: Map<bigint, AccountCheck>,
  prevHash: string,
  report: Report,
): void {
  const txId = Number(tx.id);
  const net = new Map<string, bigint>();
  const hashedEntries = entries.map((entry) => {
    const account = accounts.get(entry.account_id);
    if (!account) {
      report(txId, `entry ${entry.id} names account id ${entry.account_id}, which does not exist`);
      return {
        account: '?',
        currency: '?' as Currency,
        direction: entry.direction,
        amountMinor: entry.amount_minor,
      };
    }
    const signed = checkEntry(tx, entry, account, report);
    net.set(account.currency, (net.get(account.currency) ?? 0n) + signed);
    return {
      account: account.name,
      currency: account.currency,
      direction: entry.direction,
      amountMinor: entry.amount_minor,
    };
  });

  if (entries.length < 2)
    report(txId, `transaction has ${entries.length} entries; at least two are required`);
  for (const [currency, sum] of net) {
    if (sum !== 0n) report(txId, `debits and credits differ by ${sum} minor units in ${currency}`);
  }

  let metadata: Metadata = {};
  try {
    metadata = JSON.parse(tx.metadata) as Metadata;
  } catch {
    report(txId, 'metadata is not valid JSON');
  }
  const recomputedBody = bodyHash({
    idempotencyKey: tx.idempotency_key,
    kind: tx.kind,
    description: tx.description,
    effectiveAt: tx.effective_at,
    metadata,
    reversesTxId: tx.reverses_tx_id === null ? null : Number(tx.reverses_tx_id),
    entries: hashedEntries,
  });
  if (recomputedBody !== tx.body_hash)
    report(
      txId,
      'content does not match its recorded hash: the transaction or its entries were changed',
    );
  if (tx.prev_hash !== prevHash)
    report(txId, 'previous-hash link is broken: an earlier transaction was changed or removed');
  if (chainHash(tx.prev_hash, txId, tx.created_at, tx.body_hash) !== tx.hash)
    report(txId, 'chain hash does not match its content');
}

/** One entry: its amount, time, running balance and backdated flag; returns its signed amount. */
function checkEntry(
  tx: TransactionRow,
  entry: VerifyEntryRow,
  account: AccountCheck,
  report: Report,
): bigint {
  const txId = Number(tx.id);
  if (entry.amount_minor <= 0n)
    report(txId, `entry ${entry.id} has a non-positive amount ${entry.amount_minor}`);
  if (entry.effective_at !== tx.effective_at)
    report(
      txId,
      `entry ${entry.id} is effective at ${entry.effective_at}, its transaction at ${tx.effective_at}`,
    );
  const signed = entry.direction === 'debit' ? entry.amount_minor : -entry.amount_minor;
  account.balance += signed;
  if (entry.running_balance_minor !== account.balance) {
    report(
      txId,
      `entry ${entry.id} on ${account.name} ${account.currency} records running balance ${entry.running_balance_minor}, recomputed ${account.balance}`,
    );
    // Resynchronize so one bad entry is reported once, not again at every later entry.
    account.balance = entry.running_balance_minor;
  }
  const backdated = entry.effective_at < account.maxEffectiveAt;
  if (BigInt(backdated ? 1 : 0) !== entry.backdated)
    report(txId, `entry ${entry.id} has a wrong backdated flag`);
  if (!backdated) account.maxEffectiveAt = entry.effective_at;
  return signed;
}

const ARTICLE: Readonly<Record<AccountType, string>> = {
  asset: 'an asset',
  liability: 'a liability',
  equity: 'equity',
  revenue: 'revenue',
  expense: 'an expense',
};

/**
 * The type is not in the hash chain (entries name accounts, not types); it is fixed by the name's
 * top segment, so a type flipped behind the schema's trigger is caught by comparing the two.
 */
function accountTypeProblem(name: string, type: string): string | undefined {
  let expected: AccountType;
  try {
    expected = accountTypeOf(name);
  } catch (error) {
    if (error instanceof InputError) return `has a name payops never makes: ${error.message}`;
    throw error;
  }
  if (type === expected) return undefined;
  return `has type ${type}, but its name makes it ${ARTICLE[expected]}: every report shows it with the wrong sign`;
}
