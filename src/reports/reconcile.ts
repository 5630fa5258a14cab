import type { Palette } from '../cli/palette.js';
import { type Currency, formatAmount } from '../money/index.js';
import type { ReconcileReport } from '../reconcile/report.js';
import type { DecisionRecord } from '../reconcile/store.js';
import type { Bridge, ClassLine, MoneyLine, RuleAction, RunSummary } from '../reconcile/summary.js';
import { csvNumeric, csvRow, csvText } from './csv.js';
import { renderTable } from './table.js';

/** "USD 1,000.00; EUR −3.10": money lines for a terminal. */
export function moneyText(lines: readonly MoneyLine[], signedAlways = false): string {
  if (lines.length === 0) return '';
  return lines.map((line) => `${line.currency} ${signedAmount(BigInt(line.amountMinor), line.currency, signedAlways)}`).join('; ');
}

export function signedAmount(minor: bigint, currency: Currency, plus = false): string {
  if (minor < 0n) return `-${formatAmount(-minor, currency)}`;
  return `${plus && minor > 0n ? '+' : ''}${formatAmount(minor, currency)}`;
}

/** What `reconcile run` prints: the file, the classes, the items' life, the rules, the bridges, what is open. */
export function renderRunSummary(summary: RunSummary, color: Palette, options: { dryRun: boolean; alreadyImported?: { runId: string; at: string } }): string {
  const { bold, dim, green, yellow, red } = color;
  const lines: string[] = [];
  if (options.alreadyImported) {
    lines.push(yellow(`${summary.file.name}: these exact bytes were imported by run ${options.alreadyImported.runId} at ${options.alreadyImported.at}; nothing changed`));
  }
  if (options.dryRun) lines.push(yellow('dry run: this is what would happen; nothing was written'));
  lines.push(
    `${bold('run')} ${summary.runId}  ${summary.file.name} (${summary.file.format}, ${summary.file.rowsRead} rows${summary.file.rowsRejected > 0 ? `, ${red(`${summary.file.rowsRejected} rejected`)}` : ''}, sha256 ${summary.file.sha256.slice(0, 12)}…), psp ${summary.psp}`,
    dim(`period up to ${summary.periodEnd ?? '(no rows)'}; grace ${summary.graceDays} day(s)${summary.quietPending ? '; pending kept quiet' : ''}`),
    '',
    renderClasses(summary.classes),
    '',
    `${bold('items')}  ${summary.life.new} new, ${summary.life.persisting} persisting, ${summary.life.resolved} resolved`,
  );
  if (summary.rules.length > 0) lines.push('', renderRules(summary.rules));
  if (summary.batches.length > 0) lines.push('', ...summary.batches.map((bridge) => renderBridge(bridge, color)));
  lines.push('');
  if (summary.openCount === 0) lines.push(green('nothing open'));
  else lines.push(yellow(`${summary.openCount} open: ${summary.open.map((line) => `${line.class} ${line.rows}`).join(', ')}; review with \`payops reconcile review\``));
  return lines.join('\n');
}

/** Classes whose money is a difference, shown with its sign; the others show what they are about. */
const DIFFERENCE_CLASSES: ReadonlySet<string> = new Set(['amount_mismatch', 'fee_mismatch', 'batch_total_mismatch']);

export function renderClasses(classes: readonly ClassLine[], countHeader = 'rows'): string {
  return renderTable(
    [{ header: 'class' }, { header: countHeader, align: 'right' }, { header: 'records', align: 'right' }, { header: 'money' }],
    classes.map((line) => [line.class, String(line.rows), String(line.records), moneyText(line.money, DIFFERENCE_CLASSES.has(line.class))]),
  );
}

export function renderRules(actions: readonly RuleAction[]): string {
  return renderTable(
    [{ header: 'rule' }, { header: 'item' }, { header: 'class' }, { header: 'amount', align: 'right' }, { header: 'outcome' }],
    actions.map((action) => [action.rule, action.itemId, action.class, `${action.currency} ${signedAmount(BigInt(action.amountMinor), action.currency, true)}`, action.message]),
  );
}

/** gross − fees − refunds − chargebacks ± adjustments = payout, and what the books hold of it. */
export function renderBridge(bridge: Bridge, color: Palette): string {
  const money = (minor: string) => formatAmount(BigInt(minor), bridge.currency);
  const absolute = (minor: string) => formatAmount(BigInt(minor) < 0n ? -BigInt(minor) : BigInt(minor), bridge.currency);
  const adjustments = BigInt(bridge.adjustmentsMinor);
  const equation = `${money(bridge.capturesMinor)} - fees ${money(bridge.feesMinor)} - refunds ${absolute(bridge.refundsMinor)} - chargebacks ${absolute(bridge.chargebacksMinor)} ${adjustments < 0n ? '-' : '+'} adjustments ${absolute(bridge.adjustmentsMinor)} = ${money(bridge.rowsNetMinor)}`;
  const verdict =
    bridge.payoutMinor === null
      ? color.yellow('payout not reported yet')
      : bridge.status === 'balanced'
        ? color.green(`= payout ${money(bridge.payoutMinor)} ✓`)
        : color.red(`≠ payout ${money(bridge.payoutMinor)} (difference ${signedAmount(BigInt(bridge.differenceMinor ?? '0'), bridge.currency, true)})`);
  return `${color.bold(`batch ${bridge.batchId} ${bridge.currency}`)} (${bridge.rows} rows): ${equation} ${verdict}; books hold ${money(bridge.settledMinor)}`;
}

export function renderDecisions(decisions: readonly DecisionRecord[]): string {
  if (decisions.length === 0) return 'no decisions yet';
  return renderTable(
    [{ header: 'at' }, { header: 'by' }, { header: 'item' }, { header: 'class' }, { header: 'action' }, { header: 'postings' }, { header: 'note' }],
    decisions.map((decision) => [
      decision.decidedAt,
      decision.rule ? `${decision.decidedBy} (rule ${decision.rule})` : decision.decidedBy,
      decision.itemId,
      decision.class,
      decision.linkedTo ? `${decision.action} → ${decision.linkedTo}` : decision.action,
      decision.txIds.map((id) => `#${id}`).join(' '),
      decision.note,
    ]),
  );
}

export function renderReport(report: ReconcileReport, color: Palette): string {
  const lines = [
    renderRunSummary(report.summary, color, { dryRun: false }),
    '',
    color.bold('batches now'),
    ...(report.bridges.length === 0 ? ['none'] : report.bridges.map((bridge) => renderBridge(bridge, color))),
    '',
    color.bold('open now'),
    report.openNow.length === 0 ? 'nothing open' : renderClasses(report.openNow, 'items'),
    '',
    color.bold('decisions'),
    renderDecisions(report.decisions),
  ];
  return lines.join('\n');
}

const CSV_COLUMNS = [
  'section', 'run', 'name', 'class', 'currency', 'rows', 'records', 'amount', 'captures', 'fees', 'refunds', 'chargebacks', 'adjustments', 'rows_net', 'payout',
  'difference', 'books', 'status', 'at', 'by', 'action', 'rule', 'note', 'linked_to', 'postings',
] as const;

/**
 * One CSV for a spreadsheet: a `section` column (class, batch, decision) and the columns each
 * uses. Text cells are neutralized against formulas (src/reports/csv.ts); amounts are numbers.
 */
export function reportCsv(report: ReconcileReport): string {
  const run = report.run.id.toString();
  const row = (cells: Partial<Record<(typeof CSV_COLUMNS)[number], string>>, numeric: ReadonlySet<string>) =>
    csvRow(CSV_COLUMNS.map((column) => {
      const value = cells[column] ?? '';
      return value !== '' && numeric.has(column) ? csvNumeric(value) : csvText(value);
    }));
  const amounts = new Set(['rows', 'records', 'amount', 'captures', 'fees', 'refunds', 'chargebacks', 'adjustments', 'rows_net', 'payout', 'difference', 'books']);
  let out = csvRow([...CSV_COLUMNS]);
  for (const line of report.summary.classes ?? []) {
    const perCurrency = line.money.length > 0 ? line.money : [undefined];
    for (const money of perCurrency) {
      out += row({ section: 'class', run, class: line.class, rows: String(line.rows), records: String(line.records), ...(money ? { currency: money.currency, amount: formatAmount(BigInt(money.amountMinor), money.currency) } : {}) }, amounts);
    }
  }
  for (const bridge of report.bridges) {
    const money = (minor: string | null) => (minor === null ? '' : formatAmount(BigInt(minor), bridge.currency));
    out += row(
      {
        section: 'batch', run, name: bridge.batchId, currency: bridge.currency, rows: String(bridge.rows), captures: money(bridge.capturesMinor), fees: money(bridge.feesMinor),
        refunds: money(bridge.refundsMinor), chargebacks: money(bridge.chargebacksMinor), adjustments: money(bridge.adjustmentsMinor), rows_net: money(bridge.rowsNetMinor),
        payout: money(bridge.payoutMinor), difference: money(bridge.differenceMinor), books: money(bridge.settledMinor), status: bridge.status,
      },
      amounts,
    );
  }
  for (const decision of report.decisions) {
    out += row(
      {
        section: 'decision', run, name: decision.itemId, class: decision.class, currency: decision.currency, at: decision.decidedAt, by: decision.decidedBy, action: decision.action,
        rule: decision.rule ?? '', note: decision.note, linked_to: decision.linkedTo ?? '', postings: decision.txIds.join(' '),
      },
      amounts,
    );
  }
  return out;
}
