import type { BankRunOutcome } from '../bank/run.js';
import type { BankRunSummary } from '../bank/summary.js';
import type { Palette } from '../output/palette.js';
import { type Currency, moneyJson } from '../money/index.js';
import type { BankRunJson } from '../output/bank.js';
import { actionWord, renderRules, signedAmount } from './reconcile.js';
import { renderTable } from './table.js';

/** `reconcile bank`'s text: the file, each statement's balances beside the books', the entries by class, what is open. */
export function renderBankRun(outcome: BankRunOutcome, color: Palette): string {
  const { summary } = outcome;
  const { bold, dim, green, yellow } = color;
  const lines: string[] = [];
  if (outcome.status === 'already_imported') {
    lines.push(
      yellow(
        `${summary.file.name}: these exact bytes were imported by run ${outcome.run.id} at ${outcome.run.finishedAt ?? outcome.run.startedAt}; nothing changed`,
      ),
    );
  }
  if (outcome.status === 'reconciled' && outcome.dryRun)
    lines.push(yellow('dry run: this is what would happen; nothing was written'));
  const bank = summary.bank;
  lines.push(
    `${bold('run')} ${summary.runId}  ${summary.file.name} (${bank.format}, ${summary.file.rowsRead} entries, sha256 ${summary.file.sha256.slice(0, 12)}…), bank statement`,
    dim(
      `dates: booking days; window ${bank.windowDays} business day(s); ${bank.postedTransactions} transaction(s) posted; payouts matched: ${bank.matchedPayouts.psp} PSP, ${bank.matchedPayouts.seller} seller`,
    ),
    '',
    renderTable(
      [
        { header: 'statement' },
        { header: 'account' },
        { header: 'opening', align: 'right' },
        { header: 'books', align: 'right' },
        { header: 'closing', align: 'right' },
        { header: 'books', align: 'right' },
        { header: '' },
      ],
      bank.statements.map((s) => [
        `${s.statementRef} ${s.openingDate}..${s.closingDate}`,
        `${s.account} ${s.currency}`,
        amount(s.openingMinor, s.currency),
        amount(s.openingBooksMinor, s.currency),
        amount(s.closingMinor, s.currency),
        amount(s.closingBooksMinor, s.currency),
        agrees(s) ? green('agrees') : yellow('differs'),
      ]),
    ),
    '',
    renderTable(
      [
        { header: 'class' },
        { header: 'direction' },
        { header: 'entries', align: 'right' },
        { header: 'amount', align: 'right' },
        { header: 'currency' },
      ],
      bank.entries.map((line) => [
        line.class,
        line.direction,
        String(line.entries),
        signedAmount(BigInt(line.amountMinor), line.currency, true),
        line.currency,
      ]),
    ),
  );
  const findings = findingsOf(summary);
  if (findings.length > 0)
    lines.push(
      '',
      ...findings.map(
        (f) =>
          `${f.class}: ${f.items} (${signedAmount(f.amountMinor, f.currency, true)} ${f.currency})`,
      ),
    );
  lines.push(
    '',
    `${bold('items')}  ${summary.life.new} new, ${summary.life.persisting} persisting, ${summary.life.resolved} resolved`,
  );
  if (summary.rules.length > 0) lines.push('', renderRules(summary.rules));
  lines.push('');
  if (summary.openCount === 0) lines.push(green('nothing open'));
  else
    lines.push(
      yellow(
        `${summary.openCount} open: ${summary.open.map((line) => `${line.class} ${line.rows}`).join(', ')}; review with \`payops reconcile review\``,
      ),
    );
  return lines.join('\n');
}

function amount(minor: string, currency: Currency): string {
  return signedAmount(BigInt(minor), currency, false);
}

function agrees(s: BankRunSummary['bank']['statements'][number]): boolean {
  return s.openingMinor === s.openingBooksMinor && s.closingMinor === s.closingBooksMinor;
}

function findingsOf(
  summary: BankRunSummary,
): { class: string; currency: Currency; items: number; amountMinor: bigint }[] {
  return (summary.byCurrency ?? [])
    .filter((line) => line.records > 0)
    .map((line) => ({
      class: line.class,
      currency: line.currency,
      items: line.records,
      amountMinor: BigInt(line.amountMinor),
    }));
}

/** One run of `reconcile bank --json` (src/output/bank.ts). */
export function bankRunJson(outcome: BankRunOutcome): BankRunJson {
  const { summary } = outcome;
  const bank = summary.bank;
  return {
    status: outcome.status,
    runId: summary.runId,
    file: {
      name: summary.file.name,
      sha256: summary.file.sha256,
      format: bank.format,
      bytes: summary.file.bytes,
      entries: summary.file.rowsRead,
    },
    periodEnd: summary.periodEnd,
    windowDays: bank.windowDays,
    statements: bank.statements.map((s) => {
      const money = (minor: string) => moneyJson(BigInt(minor), s.currency);
      return {
        statementRef: s.statementRef,
        account: s.account,
        openingDate: s.openingDate,
        opening: money(s.openingMinor),
        openingBooks: money(s.openingBooksMinor),
        closingDate: s.closingDate,
        closing: money(s.closingMinor),
        closingBooks: money(s.closingBooksMinor),
        credits: money(s.creditsMinor),
        debits: money(s.debitsMinor),
        entries: s.entries,
        skipped: s.skipped,
        agrees: agrees(s),
      };
    }),
    entries: bank.entries.map((line) => ({
      class: line.class,
      direction: line.direction,
      entries: line.entries,
      money: moneyJson(BigInt(line.amountMinor), line.currency),
    })),
    findings: findingsOf(summary).map((f) => ({
      class: f.class,
      items: f.items,
      money: moneyJson(f.amountMinor, f.currency),
    })),
    postedTransactions: bank.postedTransactions,
    matchedPayouts: bank.matchedPayouts,
    rules: summary.rules.map(({ amountMinor, currency, ...action }) => ({
      ...action,
      action: actionWord(action.action),
      money: moneyJson(BigInt(amountMinor), currency),
    })),
    life: summary.life,
    open: summary.open.map((line) => ({
      class: line.class,
      items: line.rows,
      money: line.money.map((m) => moneyJson(BigInt(m.amountMinor), m.currency)),
    })),
    openCount: summary.openCount,
  };
}
