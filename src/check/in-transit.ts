import { bankInTransit, bankOperating, payoutsInTransit } from '../postings/index.js';
import { type Currency, formatAmount } from '../money/index.js';
import type { CheckReads } from './check-source.js';

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
const TRANSIT_PREFIX = bankInTransit('');

/** Per account and currency, in the account's own sense (an asset's debits, the liability's credits). */
interface Transit {
  account: string;
  currency: Currency;
  heldMinor: bigint;
  sentMinor: bigint;
  clearedMinor: bigint;
}

/** The liability's balance is its credits: every figure about it is turned to that sense. */
function ownSense(account: string, debitNetMinor: bigint): bigint {
  return account === payoutsInTransit ? -debitNetMinor : debitNetMinor;
}

function amount(minor: bigint, currency: Currency): string {
  return formatAmount(minor, currency);
}

async function transitAccounts(reads: CheckReads): Promise<Transit[]> {
  const byKey = new Map<string, Transit>();
  const at = (account: string, currency: Currency): Transit => {
    const key = `${account}\u0000${currency}`;
    let transit = byKey.get(key);
    if (!transit)
      byKey.set(
        key,
        (transit = { account, currency, heldMinor: 0n, sentMinor: 0n, clearedMinor: 0n }),
      );
    return transit;
  };
  const names = { prefix: TRANSIT_PREFIX, payouts: payoutsInTransit };
  for (const row of await reads.transitBalances(names))
    at(row.name, row.currency).heldMinor = ownSense(row.name, row.debit_net);
  for (const row of await reads.transitSettled(TRANSIT_PREFIX))
    at(row.name, row.currency).sentMinor += row.debit_net;
  for (const row of await reads.transitSent(payoutsInTransit))
    at(row.name, row.currency).sentMinor += ownSense(row.name, row.debit_net);
  // Only a book read below schema version 16 (the migration tests' "before" side) lacks them.
  if (await reads.hasTable('bank_matches')) {
    for (const row of await reads.bankMatchesByKind()) {
      const account = row.payout_kind === 'psp_payout' ? bankInTransit(row.psp) : payoutsInTransit;
      at(account, row.currency).clearedMinor += BigInt(row.amount_minor);
    }
  }
  return [...byKey.values()].sort((a, b) =>
    a.account === b.account ? (a.currency < b.currency ? -1 : 1) : a.account < b.account ? -1 : 1,
  );
}

/** Check 1: each in-transit account holds what was sent into it less what bank statements cleared. */
export async function inTransitProblems(
  reads: CheckReads,
): Promise<{ problems: string[]; holdings: string[] }> {
  const problems: string[] = [];
  const holdings: string[] = [];
  for (const transit of await transitAccounts(reads)) {
    const { account, currency, heldMinor, sentMinor, clearedMinor } = transit;
    holdings.push(`${account} ${currency} ${amount(heldMinor, currency)}`);
    if (heldMinor === sentMinor - clearedMinor) continue;
    const source = account === payoutsInTransit ? 'payouts sent' : 'settlements';
    problems.push(
      `${account} ${currency} holds ${amount(heldMinor, currency)}; ${source} put ${amount(sentMinor, currency)} on it and bank matches cleared ${amount(clearedMinor, currency)} of it, so it should hold ${amount(sentMinor - clearedMinor, currency)}`,
    );
  }
  return { problems, holdings };
}

/** Check 2: every bank match and every posted bank entry moved exactly its amount, on its account. */
export async function bankPostingProblems(reads: CheckReads): Promise<{
  problems: string[];
  entries: number;
  matches: number;
}> {
  if (!(await reads.hasTable('bank_matches'))) return { problems: [], entries: 0, matches: 0 };
  const problems: string[] = [];
  for (const group of await reads.bankMatchesByTx()) {
    const account =
      group.payout_kind === 'psp_payout' ? bankInTransit(group.psp) : payoutsInTransit;
    // Out of transit: an asset is credited, the liability debited.
    const outMinor = -ownSense(account, await reads.movedOn(group.tx_id, account, group.currency));
    if (outMinor === BigInt(group.amount_minor)) continue;
    problems.push(
      `tx ${group.tx_id} moved ${amount(outMinor, group.currency)} ${group.currency} out of ${account}; its bank matches (${group.payout_kind} ${group.psp} ${group.refs}) say ${amount(BigInt(group.amount_minor), group.currency)}`,
    );
  }
  let entries = 0;
  for (const group of await reads.bankEntriesByTx()) {
    entries += Number(group.n);
    const movedMinor = await reads.movedOn(group.tx_id, bankOperating, group.currency);
    if (movedMinor === BigInt(group.debit_net)) continue;
    const where =
      group.n === 1n
        ? `${group.file_name}:${group.line} (bank entry ${group.id}, ${group.direction} ${amount(BigInt(group.amount_minor), group.currency)} ${group.currency})`
        : `${group.n} bank entries of tx ${group.tx_id} (the first ${group.file_name}:${group.line})`;
    problems.push(
      `${where}: tx ${group.tx_id} moved ${amount(movedMinor, group.currency)} into ${bankOperating}, not ${amount(BigInt(group.debit_net), group.currency)}`,
    );
  }
  for (const entry of await reads.unpostedBankEntries()) {
    problems.push(
      `${entry.file_name}:${entry.line} (bank entry ${entry.id}, ${entry.direction} ${amount(BigInt(entry.amount_minor), entry.currency)} ${entry.currency}, ${entry.class}) was never posted on ${bankOperating}`,
    );
  }
  const matches = Number(await reads.count('bankMatches'));
  return { problems, entries, matches };
}
