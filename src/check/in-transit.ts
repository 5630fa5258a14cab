import {
  BANK_OPERATING_ACCOUNT,
  PAYOUTS_IN_TRANSIT_ACCOUNT,
  bankInTransitAccount,
} from '../bank/accounts.js';
import type { Database } from '../db/index.js';
import { type Currency, formatAmount } from '../money/index.js';

/**
 * What the bank leg promises the books (docs/RECONCILIATION.md, "Money in transit"), recomputed
 * from the rows with check's own SQL (no service is asked):
 * 1. per PSP and currency, assets:bank:in-transit:<psp> holds what the settlement postings put on it
 *    less every bank match of that PSP's payouts (the bank's part and a decided difference alike);
 *    per currency, liabilities:payouts:in-transit holds what `payout.sent` put on it less every
 *    seller-payout match. A posting that moved money in or out of transit with nothing to say why
 *    shows here, though the ledger itself balances.
 * 2. every bank match moved exactly its amount out of its in-transit account, in its transaction;
 *    every bank entry posted moved exactly its amount on assets:bank:operating, a credit as a debit.
 * Each query is one pass (grouped) over its table, or one look-up per posted bank transaction.
 */
const TRANSIT_PREFIX = bankInTransitAccount('');

/** Per account and currency, in the account's own sense (an asset's debits, the liability's credits). */
interface Transit {
  account: string;
  currency: string;
  heldMinor: bigint;
  sentMinor: bigint;
  clearedMinor: bigint;
}

export const IN_TRANSIT_QUERIES = {
  balances: `SELECT a.name, a.currency, COALESCE(SUM(CASE e.direction WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END), 0) AS debit_net
    FROM ledger_accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id
    WHERE substr(a.name, 1, length(:prefix)) = :prefix OR a.name = :payouts GROUP BY a.id`,
  settled: `SELECT a.name, a.currency, SUM(CASE e.direction WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END) AS debit_net
    FROM ledger_accounts a JOIN ledger_entries e ON e.account_id = a.id
    WHERE substr(a.name, 1, length(:prefix)) = :prefix AND e.tx_id IN (SELECT tx_id FROM recon_settlements WHERE tx_id IS NOT NULL) GROUP BY a.id`,
  sent: `SELECT a.name, a.currency, SUM(CASE e.direction WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END) AS debit_net
    FROM ledger_accounts a JOIN ledger_entries e ON e.account_id = a.id JOIN ledger_transactions t ON t.id = e.tx_id
    WHERE a.name = :payouts AND t.kind = 'payout.sent' GROUP BY a.id`,
  matched: `SELECT payout_kind, psp, currency, SUM(amount_minor) AS amount_minor, COUNT(*) AS n FROM bank_matches GROUP BY payout_kind, psp, currency`,
  matchesByTx: `SELECT tx_id, payout_kind, psp, currency, SUM(amount_minor) AS amount_minor, group_concat(payout_ref, ', ') AS refs
    FROM bank_matches WHERE tx_id IS NOT NULL GROUP BY tx_id, payout_kind, CASE payout_kind WHEN 'psp_payout' THEN psp ELSE '' END, currency`,
  entriesByTx: `SELECT b.tx_id, b.currency, SUM(CASE b.direction WHEN 'credit' THEN b.amount_minor ELSE -b.amount_minor END) AS debit_net,
      COUNT(*) AS n, MIN(b.id) AS id, MIN(b.line) AS line, MIN(b.direction) AS direction, MIN(b.amount_minor) AS amount_minor, MIN(u.file_name) AS file_name
    FROM bank_entries b JOIN recon_runs u ON u.id = b.run_id WHERE b.tx_id IS NOT NULL GROUP BY b.tx_id, b.currency`,
  // A duplicate of an entry another file brought is the only entry never posted (src/bank/run.ts).
  unposted: `SELECT b.id, b.line, b.direction, b.amount_minor, b.currency, b.class, u.file_name
    FROM bank_entries b JOIN recon_runs u ON u.id = b.run_id WHERE b.tx_id IS NULL AND b.class <> 'duplicate' ORDER BY b.id LIMIT 20`,
  txMoved: `SELECT COALESCE(SUM(CASE e.direction WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END), 0) AS debit_net
    FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE e.tx_id = ? AND a.name = ? AND a.currency = ?`,
} as const;

/** The liability's balance is its credits: every figure about it is turned to that sense. */
function ownSense(account: string, debitNetMinor: bigint): bigint {
  return account === PAYOUTS_IN_TRANSIT_ACCOUNT ? -debitNetMinor : debitNetMinor;
}

function amount(minor: bigint, currency: string): string {
  return formatAmount(minor, currency as Currency);
}

function hasBankTables(db: Database): boolean {
  // Only a book read below schema version 16 (the migration tests' "before" side) lacks them.
  return (
    db
      .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'bank_matches'")
      .get() !== undefined
  );
}

function transitAccounts(db: Database): Transit[] {
  const byKey = new Map<string, Transit>();
  const at = (account: string, currency: string): Transit => {
    const key = `${account}\u0000${currency}`;
    let transit = byKey.get(key);
    if (!transit)
      byKey.set(
        key,
        (transit = { account, currency, heldMinor: 0n, sentMinor: 0n, clearedMinor: 0n }),
      );
    return transit;
  };
  const names = { prefix: TRANSIT_PREFIX, payouts: PAYOUTS_IN_TRANSIT_ACCOUNT };
  type Row = { name: string; currency: string; debit_net: bigint };
  for (const row of db.prepare(IN_TRANSIT_QUERIES.balances).all(names) as Row[])
    at(row.name, row.currency).heldMinor = ownSense(row.name, BigInt(row.debit_net));
  for (const row of db.prepare(IN_TRANSIT_QUERIES.settled).all({ prefix: TRANSIT_PREFIX }) as Row[])
    at(row.name, row.currency).sentMinor += BigInt(row.debit_net);
  for (const row of db
    .prepare(IN_TRANSIT_QUERIES.sent)
    .all({ payouts: PAYOUTS_IN_TRANSIT_ACCOUNT }) as Row[])
    at(row.name, row.currency).sentMinor += ownSense(row.name, BigInt(row.debit_net));
  if (hasBankTables(db)) {
    for (const row of db.prepare(IN_TRANSIT_QUERIES.matched).all() as {
      payout_kind: string;
      psp: string;
      currency: string;
      amount_minor: bigint;
    }[]) {
      const account =
        row.payout_kind === 'psp_payout'
          ? bankInTransitAccount(row.psp)
          : PAYOUTS_IN_TRANSIT_ACCOUNT;
      at(account, row.currency).clearedMinor += BigInt(row.amount_minor);
    }
  }
  return [...byKey.values()].sort((a, b) =>
    a.account === b.account ? (a.currency < b.currency ? -1 : 1) : a.account < b.account ? -1 : 1,
  );
}

/** Check 1: each in-transit account holds what was sent into it less what bank statements cleared. */
export function inTransitProblems(db: Database): { problems: string[]; holdings: string[] } {
  const problems: string[] = [];
  const holdings: string[] = [];
  for (const transit of transitAccounts(db)) {
    const { account, currency, heldMinor, sentMinor, clearedMinor } = transit;
    holdings.push(`${account} ${currency} ${amount(heldMinor, currency)}`);
    if (heldMinor === sentMinor - clearedMinor) continue;
    const source = account === PAYOUTS_IN_TRANSIT_ACCOUNT ? 'payouts sent' : 'settlements';
    problems.push(
      `${account} ${currency} holds ${amount(heldMinor, currency)}; ${source} put ${amount(sentMinor, currency)} on it and bank matches cleared ${amount(clearedMinor, currency)} of it, so it should hold ${amount(sentMinor - clearedMinor, currency)}`,
    );
  }
  return { problems, holdings };
}

/** Check 2: every bank match and every posted bank entry moved exactly its amount, on its account. */
export function bankPostingProblems(db: Database): {
  problems: string[];
  entries: number;
  matches: number;
} {
  if (!hasBankTables(db)) return { problems: [], entries: 0, matches: 0 };
  const problems: string[] = [];
  const txMoved = db.prepare(IN_TRANSIT_QUERIES.txMoved);
  const moved = (txId: bigint, account: string, currency: string) =>
    BigInt((txMoved.get(txId, account, currency) as { debit_net: bigint }).debit_net);
  type MatchGroup = {
    tx_id: bigint;
    payout_kind: string;
    psp: string;
    currency: string;
    amount_minor: bigint;
    refs: string;
  };
  for (const group of db.prepare(IN_TRANSIT_QUERIES.matchesByTx).all() as MatchGroup[]) {
    const account =
      group.payout_kind === 'psp_payout'
        ? bankInTransitAccount(group.psp)
        : PAYOUTS_IN_TRANSIT_ACCOUNT;
    // Out of transit: an asset is credited, the liability debited.
    const outMinor = -ownSense(account, moved(group.tx_id, account, group.currency));
    if (outMinor === BigInt(group.amount_minor)) continue;
    problems.push(
      `tx ${group.tx_id} moved ${amount(outMinor, group.currency)} ${group.currency} out of ${account}; its bank matches (${group.payout_kind} ${group.psp} ${group.refs}) say ${amount(BigInt(group.amount_minor), group.currency)}`,
    );
  }
  let entries = 0;
  type EntryGroup = {
    tx_id: bigint;
    currency: string;
    debit_net: bigint;
    n: bigint;
    id: bigint;
    line: bigint;
    direction: string;
    amount_minor: bigint;
    file_name: string;
  };
  for (const group of db.prepare(IN_TRANSIT_QUERIES.entriesByTx).all() as EntryGroup[]) {
    entries += Number(group.n);
    const movedMinor = moved(group.tx_id, BANK_OPERATING_ACCOUNT, group.currency);
    if (movedMinor === BigInt(group.debit_net)) continue;
    const where =
      group.n === 1n
        ? `${group.file_name}:${group.line} (bank entry ${group.id}, ${group.direction} ${amount(BigInt(group.amount_minor), group.currency)} ${group.currency})`
        : `${group.n} bank entries of tx ${group.tx_id} (the first ${group.file_name}:${group.line})`;
    problems.push(
      `${where}: tx ${group.tx_id} moved ${amount(movedMinor, group.currency)} into ${BANK_OPERATING_ACCOUNT}, not ${amount(BigInt(group.debit_net), group.currency)}`,
    );
  }
  type Unposted = {
    id: bigint;
    line: bigint;
    direction: string;
    amount_minor: bigint;
    currency: string;
    class: string;
    file_name: string;
  };
  for (const entry of db.prepare(IN_TRANSIT_QUERIES.unposted).all() as Unposted[]) {
    problems.push(
      `${entry.file_name}:${entry.line} (bank entry ${entry.id}, ${entry.direction} ${amount(BigInt(entry.amount_minor), entry.currency)} ${entry.currency}, ${entry.class}) was never posted on ${BANK_OPERATING_ACCOUNT}`,
    );
  }
  const matches = Number(
    (db.prepare('SELECT COUNT(*) AS n FROM bank_matches').get() as { n: bigint }).n,
  );
  return { problems, entries, matches };
}
