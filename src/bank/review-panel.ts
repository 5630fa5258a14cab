import { type Currency, formatAmount } from '../money/index.js';
import type { BankItemView } from '../bank-item-view.js';
import type { ItemRecord, SideView } from '../reconcile/store.js';
import { bankOperating } from '../postings/index.js';
import type { StoredBankEntry } from './decisions-store.js';

/** The bank entry of an item as the review shows it: what the bank stated, with its texts. */
export interface BankEntryFacts {
  source: string;
  direction: 'credit' | 'debit';
  amountMinor: bigint;
  currency: Currency;
  bookingDate: string;
  valueDate: string | null;
  /** The bank's reference, then each transaction's end-to-end id. */
  references: string[];
  remittance: string | null;
}

/** What the review shows of a bank entry: its texts without repeats, the remittances joined. */
export function entryFactsOf(entry: StoredBankEntry): BankEntryFacts {
  const texts = (values: (string | null)[]) => [
    ...new Set(values.filter((value): value is string => value !== null)),
  ];
  const remittance = texts(entry.transactions.map((transaction) => transaction.remittance));
  return {
    source: entry.source,
    direction: entry.direction,
    amountMinor: entry.amountMinor,
    currency: entry.currency,
    bookingDate: entry.bookingDate,
    valueDate: entry.valueDate,
    references: texts([
      entry.accountServicerRef,
      ...entry.transactions.map((transaction) => transaction.endToEndId),
    ]),
    remittance: remittance.length === 0 ? null : remittance.join(' | '),
  };
}

/**
 * A bank item's panel lines: the entry beside the payout payops expected (or, for a balance, the
 * statement's balances beside the books' on both dates), and where the money waits meanwhile.
 * `differs` marks a line whose two sides disagree.
 */
export function bankPanelLines(
  item: ItemRecord,
  view: BankItemView,
  entry: BankEntryFacts | undefined,
  differs: (line: string) => string,
): string[] {
  const lines = [`   statement      ${view.statementRef} of ${view.account} (${view.source})`];
  if (view.balances) return [...lines, ...balanceLines(view.balances, item.currency, differs)];
  lines.push(...entryLines(view, entry, item.detail.theirs));
  lines.push(...expectedLines(item, item.detail.ours, entry, differs));
  if (view.dueBy !== null) lines.push(`   due by         ${view.dueBy}`);
  lines.push(`   waits in       ${view.bookedTo ?? 'nothing posted'}`);
  return lines;
}

function entryLines(
  view: BankItemView,
  entry: BankEntryFacts | undefined,
  theirs: SideView | null,
): string[] {
  if (entry) {
    return [
      `   bank entry     ${entry.source} ${entry.direction} ${formatAmount(entry.amountMinor, entry.currency)} ${entry.currency} booked ${entry.bookingDate}${entry.valueDate && entry.valueDate !== entry.bookingDate ? ` (value ${entry.valueDate})` : ''}`,
      `   references     ${entry.references.length === 0 ? '—' : entry.references.join(', ')}`,
      `   remittance     ${entry.remittance ?? '—'}`,
    ];
  }
  if (theirs) {
    return [
      `   bank entry     ${theirs.source} ${theirs.type} ${formatAmount(BigInt(theirs.grossMinor), theirs.currency)} ${theirs.currency} booked ${view.bookingDate ?? theirs.at ?? ''}`,
      `   references     ${[theirs.reference, theirs.batch].filter((value) => value !== null).join(', ') || '—'}`,
    ];
  }
  return ['   bank entry     — (none on the statement)'];
}

function expectedLines(
  item: ItemRecord,
  ours: SideView | null,
  entry: BankEntryFacts | undefined,
  differs: (line: string) => string,
): string[] {
  if (ours === null)
    return [
      `   expected       ${item.internalRef ?? item.probableRef ?? '— (payops expected no such movement)'}`,
    ];
  const amount = `${formatAmount(BigInt(ours.grossMinor), ours.currency)} ${ours.currency}`;
  const what = [
    item.internalRef ?? ours.type,
    ours.reference,
    amount,
    ours.at ? `on ${ours.at.slice(0, 10)}` : null,
  ]
    .filter((part) => part !== null && part !== '')
    .join(' ');
  const line = `   expected       ${what}`;
  const mismatch =
    entry !== undefined &&
    (entry.currency !== ours.currency || entry.amountMinor !== abs(BigInt(ours.grossMinor)));
  return [mismatch ? differs(line) : line];
}

function balanceLines(
  balances: NonNullable<BankItemView['balances']>,
  currency: Currency,
  differs: (line: string) => string,
): string[] {
  const money = (minor: string) => formatAmount(BigInt(minor), currency).padStart(14);
  const row = (label: string, day: string, bankMinor: string, booksMinor: string) => {
    const line = `   ${label.padEnd(8)} ${day}  ${money(bankMinor)}  ${money(booksMinor)}  ${formatAmount(BigInt(bankMinor) - BigInt(booksMinor), currency)}`;
    return bankMinor === booksMinor ? line : differs(line);
  };
  return [
    `   ${''.padEnd(8)} ${'day'.padEnd(10)}  ${'bank'.padStart(14)}  ${'books'.padStart(14)}  difference`,
    row(
      'opening',
      `${balances.openingDate}`,
      balances.openingBankMinor,
      balances.openingBooksMinor,
    ),
    row(
      'closing',
      `${balances.closingDate}`,
      balances.closingBankMinor,
      balances.closingBooksMinor,
    ),
    `   books: ${bankOperating} in ${currency}; an opening is the balance at the start of its day, a closing at the end`,
  ];
}

function abs(minor: bigint): bigint {
  return minor < 0n ? -minor : minor;
}
