import type { Currency } from '../money/index.js';
import { CLASSES, type ItemClass, type ReconClass } from '../reconcile/classes.js';
import type { ReconStore } from '../reconcile/store.js';
import {
  type ClassLine,
  ClassCurrencyTally,
  type RuleAction,
  type RunSummary,
  moneyLines,
} from '../reconcile/summary.js';
import { BANK_SOURCE } from './accounts.js';
import { bankEffectiveAt } from '../postings/index.js';
import type { BankStore } from './store.js';
import type { BankFormat } from './types.js';

/** One statement of a bank run: the bank's balances beside the books' operating account on the same dates (minor units as strings). */
export interface StatementLine {
  statementRef: string;
  account: string;
  currency: Currency;
  openingDate: string;
  openingMinor: string;
  closingDate: string;
  closingMinor: string;
  creditsMinor: string;
  debitsMinor: string;
  entries: number;
  skipped: number;
  openingBooksMinor: string;
  closingBooksMinor: string;
}

/** One class of a run's entries in one direction and currency; `amountMinor` signed (credits +, debits −). */
export interface EntryClassLine {
  class: string;
  direction: 'credit' | 'debit';
  currency: Currency;
  entries: number;
  amountMinor: string;
}

/**
 * What a bank run leaves behind: the shape of a settlement run's summary (so `reconcile report`
 * and `runs show` read it alike: `rows` are the statement's entries, `records` the payouts it
 * expected and did not receive), with the bank's own facts under `bank`.
 */
export interface BankRunSummary extends RunSummary {
  bank: {
    format: BankFormat;
    /** The window of PSPs the rules do not name (or --window-days). */
    windowDays: number;
    statements: StatementLine[];
    entries: EntryClassLine[];
    postedTransactions: number;
    matchedPayouts: { psp: number; seller: number };
  };
}

export interface SummaryInput {
  recon: ReconStore;
  store: BankStore;
  runId: bigint;
  input: { name: string; sha256: string; bytes: number; format: BankFormat };
  statements: StatementLine[];
  rules: RuleAction[];
  windowDays: number;
  postedTransactions: number;
  matchedPayouts: { psp: number; seller: number };
}

export function summarize(facts: SummaryInput): BankRunSummary {
  const tallies = facts.store.entryTallies(facts.runId);
  const lines = new Map<
    ReconClass,
    { rows: number; records: number; money: Map<Currency, bigint> }
  >();
  const byCurrency = new ClassCurrencyTally();
  const lineOf = (lineClass: ReconClass) => {
    const line = lines.get(lineClass) ?? {
      rows: 0,
      records: 0,
      money: new Map<Currency, bigint>(),
    };
    lines.set(lineClass, line);
    return line;
  };
  for (const tally of tallies) {
    const signed = tally.direction === 'credit' ? tally.amountMinor : -tally.amountMinor;
    const line = lineOf(tally.class as ReconClass);
    line.rows += tally.count;
    // An amount_mismatch is about its difference (as in a settlement run), added from its items below.
    const moneyMinor = tally.class === 'amount_mismatch' ? 0n : signed;
    line.money.set(tally.currency, (line.money.get(tally.currency) ?? 0n) + moneyMinor);
    byCurrency.add(tally.class as ReconClass, tally.currency, {
      rows: tally.count,
      amountMinor: moneyMinor,
    });
  }
  for (const item of facts.recon.itemsOfRun(facts.runId)) {
    if (item.class === 'amount_mismatch' && item.firstRunId === facts.runId) {
      const line = lineOf('amount_mismatch');
      line.money.set(item.currency, (line.money.get(item.currency) ?? 0n) + item.amountMinor);
      byCurrency.add('amount_mismatch', item.currency, { amountMinor: item.amountMinor });
      continue;
    }
    if (item.class !== 'payout_not_received' && item.class !== 'balance_mismatch') continue;
    // One this file closed (the payout arrived, the books agree) is not a finding of it.
    if (item.status === 'resolved' && item.resolvedRunId === facts.runId) continue;
    const line = lineOf(item.class);
    line.records++;
    line.money.set(item.currency, (line.money.get(item.currency) ?? 0n) + item.amountMinor);
    byCurrency.add(item.class, item.currency, { records: 1, amountMinor: item.amountMinor });
  }
  const classes: ClassLine[] = CLASSES.filter((lineClass) => lines.has(lineClass)).map(
    (lineClass) => {
      const line = lines.get(lineClass) as {
        rows: number;
        records: number;
        money: Map<Currency, bigint>;
      };
      return {
        class: lineClass,
        rows: line.rows,
        records: line.records,
        money: moneyLines(line.money),
      };
    },
  );
  const open = new Map<ItemClass, { count: number; money: Map<Currency, bigint> }>();
  for (const item of facts.recon.openItems(BANK_SOURCE)) {
    const entry = open.get(item.class) ?? { count: 0, money: new Map<Currency, bigint>() };
    entry.count++;
    entry.money.set(item.currency, (entry.money.get(item.currency) ?? 0n) + item.amountMinor);
    open.set(item.class, entry);
  }
  const rowsRead = facts.statements.reduce((sum, statement) => sum + statement.entries, 0);
  const periodEnd = periodEndOf(facts.statements);
  return {
    runId: facts.runId.toString(),
    psp: BANK_SOURCE,
    file: {
      name: facts.input.name,
      sha256: facts.input.sha256,
      format: facts.input.format,
      bytes: facts.input.bytes,
      rowsRead,
      rowsRejected: 0,
    },
    periodEnd,
    graceDays: facts.windowDays,
    quietPending: false,
    classes,
    byCurrency: byCurrency.sorted(CLASSES),
    life: facts.recon.lifeOfRun(facts.runId),
    open: [...open].map(([openClass, entry]) => ({
      class: openClass,
      rows: entry.count,
      records: 0,
      money: moneyLines(entry.money),
    })),
    openCount: [...open.values()].reduce((sum, entry) => sum + entry.count, 0),
    batches: [],
    rules: facts.rules,
    bank: {
      format: facts.input.format,
      windowDays: facts.windowDays,
      statements: facts.statements,
      entries: tallies.map((tally) => ({
        class: tally.class,
        direction: tally.direction,
        currency: tally.currency,
        entries: tally.count,
        amountMinor: (tally.direction === 'credit'
          ? tally.amountMinor
          : -tally.amountMinor
        ).toString(),
      })),
      postedTransactions: facts.postedTransactions,
      matchedPayouts: facts.matchedPayouts,
    },
  };
}

/** The end of the last closing day of the file's statements (an instant, as settlement runs' periodEnd). */
function periodEndOf(statements: readonly StatementLine[]): string | null {
  const last = statements.reduce<string | null>(
    (latest, s) => (latest === null || s.closingDate > latest ? s.closingDate : latest),
    null,
  );
  return last === null ? null : bankEffectiveAt(last);
}
