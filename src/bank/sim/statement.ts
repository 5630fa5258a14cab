import { UsageError } from '../../errors.js';
import { type Currency, type MoneyJson, moneyJson } from '../../money/index.js';
import { type OutputGuard, PrivateFile } from '../../private-files.js';
import type { SimEngine } from '../../psp/sim/engine.js';
import { simPayoutsBefore } from '../../psp/sim/settlement.js';
import { openStatement, writeStatements } from '../formats/index.js';
import type { BankFormat, BankStatement } from '../types.js';
import { addDays } from './calendar.js';
import type { SimBankFacts } from './day.js';
import type { BankDiscrepancyKind, BankInjection } from './inject.js';
import { type BankDayOptions, type BankDayPlan, planBankDay } from './plan.js';

export interface BankStatementOptions extends BankDayOptions {
  format: BankFormat;
  out: string;
  /** What `out` must not be (the books, the PSP state, the manifest). */
  outGuard: OutputGuard;
  /** Only this currency's statement (a bank CSV holds one statement); every currency when undefined. */
  currency?: Currency;
}

/** What `bank statement` wrote, and what it injected: the test harness's key to the file. */
export interface BankStatementManifest {
  bank: 'sim';
  file: string;
  date: string;
  format: BankFormat;
  seed: string;
  /** Business days between a PSP payout and its credit. */
  delayDays: number;
  /** The reconcile window (`--window-days`) these expectations assume: the delay. */
  windowDays: number;
  createdAt: string;
  statements: {
    statementId: string;
    account: string;
    currency: Currency;
    opening: MoneyJson;
    closing: MoneyJson;
    entryCount: number;
  }[];
  injected: {
    kind: BankDiscrepancyKind;
    expectedClass: string;
    reference: string;
    currency: Currency;
    amount: MoneyJson;
    line: number | null;
    detail: string;
  }[];
  skipped: { kind: BankDiscrepancyKind; reason: string }[];
}

/**
 * Writes the simulated bank's statement file of one day (one statement per currency) from the
 * simulated PSP's state: the PSP payouts arriving, the seller payouts leaving, the account charge.
 * The file is written whole or not at all, then read back through `openStatement` (so it is known
 * to pass the sum check) to give each injected discrepancy its line.
 */
export async function writeSimBankStatement(
  engine: SimEngine,
  options: BankStatementOptions,
): Promise<BankStatementManifest> {
  // The output is opened first: a path that cannot be written is the first thing said, before any work.
  const out = PrivateFile.create(options.out, options.outGuard);
  let plan: BankDayPlan;
  // Deterministic: the same day, flags and PSP state give the same bytes (a re-import is "already imported").
  const createdAt = `${addDays(options.date, 1)}T06:00:00.000Z`;
  try {
    plan = planFor(engine, options);
    out.write(writeStatements(options.format, plan.statements, { createdAt }));
    out.commit();
  } finally {
    out.abort();
  }
  const lines =
    options.format === 'csv' ? undefined : await entryLines(options.out, options.format);
  return manifestOf(plan, { ...options, createdAt }, lines);
}

function planFor(engine: SimEngine, options: BankStatementOptions): BankDayPlan {
  const facts = engine.readSnapshot(() => simBankFacts(engine, options.date));
  const plan = planBankDay(
    options.currency === undefined ? facts : inCurrency(facts, options.currency),
    options,
  );
  if (options.format === 'csv' && plan.statements.length > 1) {
    const currencies = plan.statements.map((statement) => statement.header.currency).join(', ');
    throw new UsageError(
      `a bank CSV holds one statement, and ${options.date} has one per currency (${currencies})`,
      { hint: "pass --currency CUR to write that currency's statement" },
    );
  }
  if (plan.statements.length === 0) {
    throw new UsageError(
      `the simulated bank has nothing to state on or before ${options.date}: no PSP payout has arrived and no seller payout has left`,
      {
        hint: 'charge and pay out through the simulated PSP first, or pick a later --date',
      },
    );
  }
  return plan;
}

/** The PSP's facts up to the end of `date`: its payouts by day (settle's own computation) and its succeeded seller payouts. */
export function simBankFacts(engine: SimEngine, date: string): SimBankFacts {
  const nextDay = addDays(date, 1);
  return {
    pspPayouts: simPayoutsBefore(engine, nextDay),
    sellerPayouts: engine
      .payouts()
      .filter((payout) => payout.status === 'succeeded' && payout.createdAt.slice(0, 10) < nextDay)
      .map(({ payoutId, sellerId, amountMinor, currency, createdAt }) => ({
        payoutId,
        sellerId,
        amountMinor,
        currency,
        createdAt,
      })),
  };
}

function inCurrency(facts: SimBankFacts, currency: Currency): SimBankFacts {
  return {
    pspPayouts: facts.pspPayouts.filter((payout) => payout.currency === currency),
    sellerPayouts: facts.sellerPayouts.filter((payout) => payout.currency === currency),
  };
}

interface WrittenLines {
  entries: number[][];
  closing: number[];
}

async function entryLines(file: string, format: BankFormat): Promise<WrittenLines> {
  const lines: WrittenLines = { entries: [], closing: [] };
  const reader = await openStatement(file, { format });
  for await (const part of reader.parts()) {
    if (part.kind === 'statement') lines.entries.push([]);
    else if (part.kind === 'entry') lines.entries.at(-1)?.push(part.entry.line);
    else lines.closing.push(part.footer.line);
  }
  return lines;
}

function manifestOf(
  plan: BankDayPlan,
  options: BankStatementOptions & { createdAt: string },
  lines: WrittenLines | undefined,
): BankStatementManifest {
  return {
    bank: 'sim',
    file: options.out,
    date: options.date,
    format: options.format,
    seed: options.seed,
    delayDays: options.delayDays,
    windowDays: options.delayDays,
    createdAt: options.createdAt,
    statements: plan.statements.map(statementSummary),
    injected: plan.injected.map((injection) => ({
      kind: injection.kind,
      expectedClass: injection.expectedClass,
      reference: injection.reference,
      currency: injection.currency,
      amount: moneyJson(injection.amountMinor, injection.currency),
      line: lineOf(plan, injection, lines),
      detail: injection.detail,
    })),
    skipped: plan.skipped,
  };
}

function statementSummary(statement: BankStatement): BankStatementManifest['statements'][number] {
  const { header, footer, entries } = statement;
  return {
    statementId: header.statementId,
    account: header.account,
    currency: header.currency,
    opening: moneyJson(header.opening.amountMinor, header.currency),
    closing: moneyJson(footer.closing.amountMinor, header.currency),
    entryCount: entries.length,
  };
}

/** The written line of the injected entry, or of its statement's closing balance; null when withheld or the format is not read back. */
function lineOf(
  plan: BankDayPlan,
  injection: BankInjection,
  lines: WrittenLines | undefined,
): number | null {
  if (!injection.at || !lines) return null;
  const { statement, entry } = injection.at;
  if (entry === null) return lines.closing[statement] ?? null;
  const index = plan.statements[statement]?.entries.indexOf(entry) ?? -1;
  return lines.entries[statement]?.[index] ?? null;
}
