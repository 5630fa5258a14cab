import type { Currency } from '../../money/index.js';
import { draw } from '../../psp/sim/faults.js';
import type { BankEntry, BankStatement } from '../types.js';
import { defaultFeeCapMinor, simBankReference, simStatementId, unitMinor } from './account.js';
import { type SimBankFacts, balancedStatement, signedMinor, simEntry } from './day.js';

/**
 * The discrepancies `bank statement --inject-discrepancies N` writes, the i-th being kind i mod 7;
 * each is named by the reconcile class it should become (docs/RECONCILIATION.md "A bank to test
 * against"). They change that day's file only: the next day's opening balance is the true history.
 */
export const BANK_DISCREPANCY_KINDS = [
  'payout_not_received',
  'unknown_credit',
  'unknown_debit',
  'amount_mismatch',
  'bank_fee',
  'balance_mismatch',
  'duplicate',
] as const;
export type BankDiscrepancyKind = (typeof BANK_DISCREPANCY_KINDS)[number];

export interface BankInjection {
  kind: BankDiscrepancyKind;
  /** The reconcile class it should become (the kind itself; payout_not_received only once its window has passed). */
  expectedClass: string;
  /** The PSP batch (payout_not_received, amount_mismatch), the bank reference of the entry, or the statement id (balance_mismatch). */
  reference: string;
  currency: Currency;
  /** Signed as the item: credits +, debits −; amount_mismatch bank − expected; balance_mismatch closing bank − true closing. */
  amountMinor: bigint;
  detail: string;
  /** Where it is in the file: the statement (index) and its entry, or its balances (entry null); null when withheld. */
  at: { statement: number; entry: BankEntry | null } | null;
}

/** The statements being written: entries may be added, removed or changed, balances shifted. */
interface Draft {
  statements: {
    currency: Currency;
    openingMinor: bigint;
    entries: BankEntry[];
    nextSequence: number;
    shiftMinor: bigint;
  }[];
  /** True entries no injection has used yet (each changes at most once). */
  untouched: Set<BankEntry>;
  date: string;
  delayDays: number;
  facts: SimBankFacts;
  draw: (name: string) => number;
}

type Injector = (draft: Draft) => BankInjection | string;

/** Applies `count` discrepancies to `statements` (true ones), deterministically from `seed`. */
export function injectDiscrepancies(
  statements: readonly BankStatement[],
  facts: SimBankFacts,
  options: { date: string; delayDays: number; count: number; seed: string },
): {
  statements: BankStatement[];
  injected: BankInjection[];
  skipped: { kind: BankDiscrepancyKind; reason: string }[];
} {
  const draft: Draft = {
    statements: statements.map((s) => ({
      currency: s.header.currency,
      openingMinor: s.header.opening.amountMinor,
      entries: [...s.entries],
      nextSequence: s.entries.length + 1,
      shiftMinor: 0n,
    })),
    untouched: new Set(statements.flatMap((s) => s.entries)),
    date: options.date,
    delayDays: options.delayDays,
    facts,
    draw: () => 0,
  };
  const injected: BankInjection[] = [];
  const skipped: { kind: BankDiscrepancyKind; reason: string }[] = [];
  for (let i = 0; i < options.count; i++) {
    const kind = BANK_DISCREPANCY_KINDS[i % BANK_DISCREPANCY_KINDS.length] as BankDiscrepancyKind;
    draft.draw = (name) => draw(options.seed, 'bank', kind, i, name);
    const outcome =
      draft.statements.length === 0
        ? 'the account has no statement that day'
        : INJECTORS[kind](draft);
    if (typeof outcome === 'string') skipped.push({ kind, reason: outcome });
    else injected.push(outcome);
  }
  const written = draft.statements.map((s) =>
    balancedStatement(options.date, s.currency, s.openingMinor + s.shiftMinor, s.entries),
  );
  return { statements: written, injected, skipped };
}

const INJECTORS: Readonly<Record<BankDiscrepancyKind, Injector>> = {
  payout_not_received: withholdPayout,
  unknown_credit: (draft) => addUnknown(draft, 'unknown_credit'),
  unknown_debit: (draft) => addUnknown(draft, 'unknown_debit'),
  amount_mismatch: shortPayout,
  bank_fee: chargeAboveCap,
  balance_mismatch: shiftBalances,
  duplicate: duplicateEntry,
};

function withholdPayout(draft: Draft): BankInjection | string {
  const found = pickEntry(draft, 'payout', (entry) => isPspCredit(entry));
  if (!found) return 'no PSP payout arrives that day (or every one already carries a discrepancy)';
  const { statement, entry } = found;
  const entries = entriesOf(draft, statement);
  entries.splice(entries.indexOf(entry), 1);
  const batchId = entry.transactions[0]?.endToEndId ?? '';
  return {
    kind: 'payout_not_received',
    expectedClass: 'payout_not_received',
    reference: batchId,
    currency: entry.currency,
    amountMinor: entry.amountMinor,
    at: null,
    detail: `the credit of ${batchId} due ${draft.date} is withheld; reconcile classes it once a statement covering its whole due day is imported (window ${draft.delayDays} business days)`,
  };
}

function shortPayout(draft: Draft): BankInjection | string {
  const found = pickEntry(
    draft,
    'payout',
    (entry) => isPspCredit(entry) && entry.amountMinor > unitMinor(entry.currency),
  );
  if (!found)
    return 'no PSP payout above 1.00 arrives that day (or every one already carries a discrepancy)';
  const { statement, entry } = found;
  const short = { ...entry, amountMinor: entry.amountMinor - unitMinor(entry.currency) };
  const entries = entriesOf(draft, statement);
  entries[entries.indexOf(entry)] = short;
  const batchId = entry.transactions[0]?.endToEndId ?? '';
  return {
    kind: 'amount_mismatch',
    expectedClass: 'amount_mismatch',
    reference: batchId,
    currency: entry.currency,
    amountMinor: -unitMinor(entry.currency),
    at: { statement, entry: short },
    detail: `the payout ${batchId} is credited 1.00 ${entry.currency} short, under its own reference`,
  };
}

function duplicateEntry(draft: Draft): BankInjection | string {
  const found = pickEntry(draft, 'entry', () => true);
  if (!found) return 'no entry that day to list twice (or every one already carries a discrepancy)';
  const { statement, entry } = found;
  const copy = {
    ...entry,
    transactions: entry.transactions.map((transaction) => ({ ...transaction })),
  };
  const entries = entriesOf(draft, statement);
  entries.splice(entries.indexOf(entry) + 1, 0, copy);
  return {
    kind: 'duplicate',
    expectedClass: 'duplicate',
    reference: entry.accountServicerRef ?? '',
    currency: entry.currency,
    amountMinor: signedMinor(entry),
    at: { statement, entry: copy },
    detail: `the ${entry.direction} ${entry.accountServicerRef} is listed (and booked) twice under the same bank reference`,
  };
}

function shiftBalances(draft: Draft): BankInjection | string {
  const candidates = draft.statements
    .map((s, index) => ({ s, index }))
    .filter(({ s }) => s.shiftMinor === 0n);
  const chosen = candidates[Math.floor(draft.draw('statement') * candidates.length)];
  if (!chosen) return "every statement's balances are already shifted";
  const { s, index } = chosen;
  const magnitude =
    unitMinor(s.currency) * BigInt(1 + Math.floor(draft.draw('units') * 100)) +
    BigInt(Math.floor(draft.draw('minor') * Number(unitMinor(s.currency))));
  s.shiftMinor = draft.draw('sign') < 0.5 ? -magnitude : magnitude;
  return {
    kind: 'balance_mismatch',
    expectedClass: 'balance_mismatch',
    reference: simStatementId(draft.date, s.currency),
    currency: s.currency,
    amountMinor: s.shiftMinor,
    at: { statement: index, entry: null },
    detail: `opening and closing balances both shifted by ${s.shiftMinor} minor units; the entries are the true ones`,
  };
}

function addUnknown(draft: Draft, kind: 'unknown_credit' | 'unknown_debit'): BankInjection {
  const statement = pickStatement(draft);
  const s = draft.statements[statement] as Draft['statements'][number];
  const known = new Set(
    kind === 'unknown_credit'
      ? draft.facts.pspPayouts.filter((p) => p.currency === s.currency).map((p) => p.amountMinor)
      : draft.facts.sellerPayouts
          .filter((p) => p.currency === s.currency)
          .map((p) => p.amountMinor),
  );
  let amountMinor =
    unitMinor(s.currency) * BigInt(10 + Math.floor(draft.draw('units') * 990)) +
    BigInt(Math.floor(draft.draw('minor') * Number(unitMinor(s.currency))));
  // Never the amount of a payout of its direction: matched by amount, it would not be unknown.
  while (known.has(amountMinor)) amountMinor += 1n;
  const credit = kind === 'unknown_credit';
  const entry = simEntry({
    date: draft.date,
    currency: s.currency,
    direction: credit ? 'credit' : 'debit',
    amountMinor,
    reference: simBankReference(draft.date, s.currency, s.nextSequence++),
    endToEndId: 'NOTPROVIDED',
    remittance: credit ? 'INCOMING TRANSFER' : 'DIRECT DEBIT',
    counterparty: credit ? 'UNKNOWN REMITTER' : 'UNKNOWN CREDITOR',
  });
  s.entries.push(entry);
  return {
    kind,
    expectedClass: kind,
    reference: entry.accountServicerRef ?? '',
    currency: s.currency,
    amountMinor: signedMinor(entry),
    at: { statement, entry },
    detail: `a ${entry.direction} whose references and amount match no ${credit ? 'PSP payout' : 'seller payout'}`,
  };
}

function chargeAboveCap(draft: Draft): BankInjection {
  const statement = pickStatement(draft);
  const s = draft.statements[statement] as Draft['statements'][number];
  const amountMinor =
    defaultFeeCapMinor(s.currency) +
    unitMinor(s.currency) * BigInt(1 + Math.floor(draft.draw('units') * 50));
  const entry = simEntry({
    date: draft.date,
    currency: s.currency,
    direction: 'debit',
    amountMinor,
    reference: simBankReference(draft.date, s.currency, s.nextSequence++),
    endToEndId: null,
    remittance: 'SPECIAL HANDLING CHARGE',
    counterparty: null,
    bankCharge: true,
  });
  s.entries.push(entry);
  return {
    kind: 'bank_fee',
    expectedClass: 'bank_fee',
    reference: entry.accountServicerRef ?? '',
    currency: s.currency,
    amountMinor: -amountMinor,
    at: { statement, entry },
    detail: `a bank charge above the default fee cap of ${defaultFeeCapMinor(s.currency)} minor units`,
  };
}

/** A true entry no injection has used, drawn from those `fits`, across all statements in order. */
function pickEntry(
  draft: Draft,
  name: string,
  fits: (entry: BankEntry) => boolean,
): { statement: number; entry: BankEntry } | undefined {
  const candidates = draft.statements.flatMap((s, statement) =>
    s.entries
      .filter((entry) => draft.untouched.has(entry) && fits(entry))
      .map((entry) => ({ statement, entry })),
  );
  const chosen = candidates[Math.floor(draft.draw(name) * candidates.length)];
  if (chosen) draft.untouched.delete(chosen.entry);
  return chosen;
}

function pickStatement(draft: Draft): number {
  return Math.floor(draft.draw('statement') * draft.statements.length);
}

function isPspCredit(entry: BankEntry): boolean {
  return (
    entry.direction === 'credit' &&
    !entry.bankCharge &&
    (entry.transactions[0]?.endToEndId ?? '').startsWith('po_sim_')
  );
}

function entriesOf(draft: Draft, statement: number): BankEntry[] {
  const s = draft.statements[statement];
  if (!s) throw new RangeError(`no statement ${statement}`);
  return s.entries;
}
