import { formatAmount } from '../../money/index.js';
import { dueDay as businessDueDay } from '../business-days.js';
import {
  alphanumericRuns,
  candidateKeys,
  isWeakReferenceKey,
  referenceKey,
} from '../references.js';
import type { BankEntry, BankTransaction } from '../types.js';
import { duplicateKey } from './fingerprint.js';
import type {
  EntryPlan,
  ExpectedPayout,
  ExpectedPspPayout,
  ExpectedSellerPayout,
  ImportedKeys,
  NotReceived,
  Plan,
  PlanOptions,
  PlanStatement,
} from './types.js';

/** Expected payouts of one kind, looked up by reference key, each taken at most once. */
class Pool<P> {
  private readonly byKey = new Map<string, P[]>();
  /** Each payout's place in the pool: found payouts are sorted by it, not by a pass over the pool per entry (n² for a day of 100,000 payouts). */
  private readonly position = new Map<P, number>();
  readonly taken = new Set<P>();
  readonly maxKeyLength: number;

  constructor(
    readonly payouts: readonly P[],
    referencesOf: (payout: P) => readonly string[],
  ) {
    let longest = 0;
    payouts.forEach((payout, index) => {
      this.position.set(payout, index);
    });
    for (const payout of payouts) {
      for (const reference of new Set(referencesOf(payout).map(referenceKey))) {
        if (isWeakReferenceKey(reference)) continue;
        longest = Math.max(longest, reference.length);
        const list = this.byKey.get(reference) ?? [];
        list.push(payout);
        this.byKey.set(reference, list);
      }
    }
    this.maxKeyLength = longest;
  }

  /** The payouts whose reference appears in any of `texts`, in the pool's order (oldest first). */
  referencedIn(texts: readonly (string | null)[]): P[] {
    const found = new Set<P>();
    if (this.maxKeyLength === 0) return [];
    for (const text of texts) {
      if (text === null) continue;
      for (const key of candidateKeys(alphanumericRuns(text), this.maxKeyLength))
        for (const payout of this.byKey.get(key) ?? []) found.add(payout);
    }
    return [...found].sort(
      (a, b) => (this.position.get(a) as number) - (this.position.get(b) as number),
    );
  }

  free(payout: P): boolean {
    return !this.taken.has(payout);
  }
}

/** A day of payouts shares a few dates: each due day is computed once, not once per payout and candidate. */
const dueDays = new Map<string, string>();
function dueDay(fromDate: string, windowDays: number): string {
  const key = `${fromDate}/${windowDays}`;
  let due = dueDays.get(key);
  if (due === undefined) {
    due = businessDueDay(fromDate, windowDays);
    if (dueDays.size >= 4096) dueDays.clear();
    dueDays.set(key, due);
  }
  return due;
}

const byPayoutAge = (a: ExpectedPspPayout, b: ExpectedPspPayout) =>
  compare(a.payoutDate, b.payoutDate) || compare(a.batchId, b.batchId) || compare(a.psp, b.psp);
const bySendAge = (a: ExpectedSellerPayout, b: ExpectedSellerPayout) =>
  compare(a.sentDate, b.sentDate) || compare(a.payoutId, b.payoutId);

/**
 * The plan for one statement (docs/RECONCILIATION.md, "The bank leg"): per entry its class and
 * what it matched, then the expected payouts past their due day that it does not contain. Pure
 * and deterministic: the same statement and expectations give the same plan whatever the order
 * of the expectations. Duplicates, the bank's charges and reversals are settled first (a reversal
 * is never matched: it undoes something a person must name); then every entry is
 * matched by reference (strongest), and only then what is left by amount, currency and window, so
 * a reference is never taken by an earlier entry that merely had the same amount.
 */
export function planStatement(
  statement: PlanStatement,
  pspPayouts: readonly ExpectedPspPayout[],
  sellerPayouts: readonly ExpectedSellerPayout[],
  imported: ImportedKeys,
  options: PlanOptions,
): Plan {
  const psp = new Pool(
    [...pspPayouts].filter((p) => p.currency === statement.currency).sort(byPayoutAge),
    (p) => [p.batchId, ...p.references],
  );
  const seller = new Pool(
    [...sellerPayouts].filter((p) => p.currency === statement.currency).sort(bySendAge),
    (p) => [p.payoutId, ...(p.pspReference === null ? [] : [p.pspReference])],
  );
  const keys = new Map<string, number>();
  const plans: (EntryPlan | undefined)[] = statement.entries.map((entry) =>
    settledFirst(statement.account, entry, imported, keys),
  );
  statement.entries.forEach((entry, index) => {
    if (plans[index] === undefined)
      plans[index] =
        entry.direction === 'credit'
          ? creditByReference(entry, psp)
          : debitByReference(entry, seller);
  });
  statement.entries.forEach((entry, index) => {
    // An entry that names a payout it cannot take stays unknown: its amount never picks another payout.
    if (plans[index] !== undefined) return;
    const byAmount =
      entry.direction === 'credit'
        ? creditByAmount(entry, psp, options)
        : debitByAmount(entry, seller, options);
    plans[index] =
      byAmount ??
      unknown(
        entry,
        null,
        `no expected ${entry.direction === 'credit' ? 'PSP payout' : 'seller payout'} has its reference, or its amount within the window`,
      );
  });
  return {
    entries: plans as EntryPlan[],
    notReceived: overdue(statement, psp, seller, options),
    keys,
  };
}

function settledFirst(
  account: string,
  entry: BankEntry,
  imported: ImportedKeys,
  keys: Map<string, number>,
): EntryPlan | undefined {
  const key = duplicateKey(account, entry);
  if (imported.otherFiles.has(key))
    return { class: 'duplicate', of: 'other_file', originalLine: null };
  const earlier = imported.thisFile.get(key) ?? keys.get(key);
  if (earlier !== undefined) return { class: 'duplicate', of: 'same_file', originalLine: earlier };
  keys.set(key, entry.line);
  if (entry.bankCharge && entry.direction === 'debit') return { class: 'bank_fee' };
  if (entry.bankCharge)
    return unknown(
      entry,
      null,
      'the bank credits one of its own charges back: a person says what it refunds',
    );
  // A reversal undoes an earlier movement: matched by amount it could clear an unrelated payout.
  if (entry.reversal)
    return unknown(
      entry,
      null,
      `the bank reverses an earlier ${entry.direction === 'credit' ? 'debit' : 'credit'}: a person says which`,
    );
  return undefined;
}

function textsOf(
  entry: BankEntry,
  transactions: readonly BankTransaction[] = entry.transactions,
): (string | null)[] {
  return [
    entry.accountServicerRef,
    ...transactions.flatMap((transaction) => [transaction.endToEndId, transaction.remittance]),
  ];
}

function creditByReference(entry: BankEntry, pool: Pool<ExpectedPspPayout>): EntryPlan | undefined {
  const named = pool.referencedIn(textsOf(entry));
  if (named.length === 0) return undefined;
  const free = named.filter((payout) => pool.free(payout));
  const exact = free.find((payout) => payout.amountMinor === entry.amountMinor);
  if (exact) {
    pool.taken.add(exact);
    return { class: 'matched', match: 'psp_payout', payout: exact, by: 'reference' };
  }
  const [only] = free;
  if (free.length === 1 && only) {
    pool.taken.add(only);
    return {
      class: 'amount_mismatch',
      payout: only,
      differenceMinor: entry.amountMinor - only.amountMinor,
    };
  }
  const first = named[0] as ExpectedPspPayout;
  const why =
    free.length === 0
      ? `names PSP payout ${first.batchId}, which an earlier entry of this statement already received`
      : `names ${free.length} PSP payouts (${free.map((p) => p.batchId).join(', ')}), none of this amount`;
  return unknown(entry, { kind: 'psp_payout', payout: first }, why);
}

function debitByReference(
  entry: BankEntry,
  pool: Pool<ExpectedSellerPayout>,
): EntryPlan | undefined {
  if (entry.transactions.length > 1) {
    const payouts = batched(entry, (transaction) =>
      pool
        .referencedIn(textsOf(entry, [transaction]).slice(1))
        .filter((payout) => pool.free(payout)),
    );
    if (payouts) return take(pool, payouts, 'reference');
  }
  const named = pool.referencedIn(textsOf(entry));
  if (named.length === 0) return undefined;
  const exact = named.find(
    (payout) => pool.free(payout) && payout.amountMinor === entry.amountMinor,
  );
  if (exact) return take(pool, [exact], 'reference');
  const first = named[0] as ExpectedSellerPayout;
  const why = pool.free(first)
    ? `names seller payout ${first.payoutId}, which is ${formatAmount(first.amountMinor, entry.currency)}, not ${formatAmount(entry.amountMinor, entry.currency)} ${entry.currency}`
    : `names seller payout ${first.payoutId}, which an earlier entry of this statement already paid`;
  return unknown(entry, { kind: 'seller_payout', payout: first }, why);
}

/**
 * A batched debit pays several seller payouts: each transaction must find its own payout (and
 * match its amount when it states one), and the payouts must add up to the entry; else undefined.
 */
function batched(
  entry: BankEntry,
  candidatesOf: (transaction: BankTransaction) => ExpectedSellerPayout[],
): ExpectedSellerPayout[] | undefined {
  const chosen: ExpectedSellerPayout[] = [];
  for (const transaction of entry.transactions) {
    const payout = candidatesOf(transaction).find(
      (candidate) =>
        !chosen.includes(candidate) &&
        (transaction.amountMinor === null || transaction.amountMinor === candidate.amountMinor),
    );
    if (!payout) return undefined;
    chosen.push(payout);
  }
  const totalMinor = chosen.reduce((sum, payout) => sum + payout.amountMinor, 0n);
  return totalMinor === entry.amountMinor ? chosen : undefined;
}

function take(
  pool: Pool<ExpectedSellerPayout>,
  payouts: ExpectedSellerPayout[],
  by: 'reference' | 'amount',
): EntryPlan {
  for (const payout of payouts) pool.taken.add(payout);
  return { class: 'matched', match: 'seller_payout', payouts, by };
}

function inWindow(bookingDate: string, fromDate: string, windowDays: number): boolean {
  return fromDate <= bookingDate && bookingDate <= dueDay(fromDate, windowDays);
}

function creditByAmount(
  entry: BankEntry,
  pool: Pool<ExpectedPspPayout>,
  options: PlanOptions,
): EntryPlan | undefined {
  const payout = pool.payouts.find(
    (p) =>
      pool.free(p) &&
      p.amountMinor === entry.amountMinor &&
      inWindow(entry.bookingDate, p.payoutDate, options.windowDays(p.psp)),
  );
  if (!payout) return undefined;
  pool.taken.add(payout);
  return { class: 'matched', match: 'psp_payout', payout, by: 'amount' };
}

function debitByAmount(
  entry: BankEntry,
  pool: Pool<ExpectedSellerPayout>,
  options: PlanOptions,
): EntryPlan | undefined {
  const fits = (p: ExpectedSellerPayout) =>
    pool.free(p) && inWindow(entry.bookingDate, p.sentDate, options.windowDays(p.psp));
  if (
    entry.transactions.length > 1 &&
    entry.transactions.every((transaction) => transaction.amountMinor !== null)
  ) {
    const payouts = batched(entry, (transaction) =>
      pool.payouts.filter((p) => fits(p) && p.amountMinor === transaction.amountMinor),
    );
    if (payouts) return take(pool, payouts, 'amount');
  }
  const payout = pool.payouts.find((p) => fits(p) && p.amountMinor === entry.amountMinor);
  return payout ? take(pool, [payout], 'amount') : undefined;
}

function unknown(entry: BankEntry, probable: ExpectedPayout | null, why: string): EntryPlan {
  return {
    class: entry.direction === 'credit' ? 'unknown_credit' : 'unknown_debit',
    probable,
    why,
  };
}

function overdue(
  statement: PlanStatement,
  psp: Pool<ExpectedPspPayout>,
  seller: Pool<ExpectedSellerPayout>,
  options: PlanOptions,
): NotReceived[] {
  const late: NotReceived[] = [];
  for (const payout of psp.payouts) {
    const due = dueDay(payout.payoutDate, options.windowDays(payout.psp));
    if (psp.free(payout) && due <= statement.closingDate)
      late.push({ payout: { kind: 'psp_payout', payout }, dueDay: due });
  }
  for (const payout of seller.payouts) {
    const due = dueDay(payout.sentDate, options.windowDays(payout.psp));
    if (seller.free(payout) && due <= statement.closingDate)
      late.push({ payout: { kind: 'seller_payout', payout }, dueDay: due });
  }
  return late;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
