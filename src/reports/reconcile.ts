import type { Palette } from '../output/palette.js';
import { type Currency, formatAmount, moneyJson, parseAmount } from '../money/index.js';
import type { ItemListing } from '../reconcile/listing.js';
import type { ReconcileReport } from '../reconcile/report.js';
import type { DecisionRecord } from '../reconcile/store.js';
import type { Bridge, ClassLine, MoneyLine, RuleAction, RunSummary } from '../reconcile/summary.js';
import { csvNumeric, csvRow, csvText } from '../csv-cells.js';
import { renderTable } from './table.js';

/** "USD 1,000.00; EUR −3.10": money lines for a terminal. */
function moneyText(lines: readonly MoneyLine[], signedAlways = false): string {
  if (lines.length === 0) return '';
  return lines
    .map(
      (line) =>
        `${line.currency} ${signedAmount(BigInt(line.amountMinor), line.currency, signedAlways)}`,
    )
    .join('; ');
}

export function signedAmount(minor: bigint, currency: Currency, plus = false): string {
  if (minor < 0n) return `-${formatAmount(-minor, currency)}`;
  return `${plus && minor > 0n ? '+' : ''}${formatAmount(minor, currency)}`;
}

/** What `reconcile run` prints: the file, the classes, the items' life, the rules, the bridges, what is open. */
export function renderRunSummary(
  summary: RunSummary,
  color: Palette,
  options: { dryRun: boolean; alreadyImported?: { runId: string; at: string } },
): string {
  const { bold, dim, green, yellow, red } = color;
  const lines: string[] = [];
  if (options.alreadyImported) {
    lines.push(
      yellow(
        `${summary.file.name}: these exact bytes were imported by run ${options.alreadyImported.runId} at ${options.alreadyImported.at}; nothing changed`,
      ),
    );
  }
  if (options.dryRun) lines.push(yellow('dry run: this is what would happen; nothing was written'));
  lines.push(
    `${bold('run')} ${summary.runId}  ${summary.file.name} (${summary.file.format}, ${summary.file.rowsRead} rows${summary.file.rowsRejected > 0 ? `, ${red(`${summary.file.rowsRejected} rejected`)}` : ''}, sha256 ${summary.file.sha256.slice(0, 12)}…), psp ${summary.psp}`,
    dim(
      `period up to ${summary.periodEnd ?? '(no rows)'}; grace ${summary.graceDays} day(s)${summary.quietPending ? '; pending kept quiet' : ''}`,
    ),
    '',
    renderClasses(summary.classes),
    '',
    `${bold('items')}  ${summary.life.new} new, ${summary.life.persisting} persisting, ${summary.life.resolved} resolved`,
  );
  if (summary.rules.length > 0) lines.push('', renderRules(summary.rules));
  if (summary.batches.length > 0)
    lines.push('', ...summary.batches.map((bridge) => renderBridge(bridge, color)));
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

/** Classes whose money is a difference, shown with its sign; the others show what they are about. */
const DIFFERENCE_CLASSES: ReadonlySet<string> = new Set([
  'amount_mismatch',
  'fee_mismatch',
  'batch_total_mismatch',
]);

function renderClasses(classes: readonly ClassLine[], countHeader = 'rows'): string {
  return renderTable(
    [
      { header: 'class' },
      { header: countHeader, align: 'right' },
      { header: 'records', align: 'right' },
      { header: 'money' },
    ],
    classes.map((line) => [
      line.class,
      String(line.rows),
      String(line.records),
      moneyText(line.money, DIFFERENCE_CLASSES.has(line.class)),
    ]),
  );
}

export function renderRules(actions: readonly RuleAction[]): string {
  return renderTable(
    [
      { header: 'rule' },
      { header: 'item' },
      { header: 'class' },
      { header: 'amount', align: 'right' },
      { header: 'outcome' },
    ],
    actions.map((action) => [
      action.rule,
      action.itemId,
      action.class,
      `${action.currency} ${signedAmount(BigInt(action.amountMinor), action.currency, true)}`,
      action.message,
    ]),
  );
}

/** gross − fees − refunds − chargebacks ± adjustments = payout, and what the books hold of it. */
function renderBridge(bridge: Bridge, color: Palette): string {
  const money = (minor: string) => formatAmount(BigInt(minor), bridge.currency);
  const absolute = (minor: string) =>
    formatAmount(BigInt(minor) < 0n ? -BigInt(minor) : BigInt(minor), bridge.currency);
  const adjustments = BigInt(bridge.adjustmentsMinor);
  const equation = `${money(bridge.capturesMinor)} - fees ${money(bridge.feesMinor)} - refunds ${absolute(bridge.refundsMinor)} - chargebacks ${absolute(bridge.chargebacksMinor)} ${adjustments < 0n ? '-' : '+'} adjustments ${absolute(bridge.adjustmentsMinor)} = ${money(bridge.rowsNetMinor)}`;
  const verdict =
    bridge.payoutMinor === null
      ? color.yellow('payout not reported yet')
      : bridge.status === 'balanced'
        ? color.green(`= payout ${money(bridge.payoutMinor)} ✓`)
        : color.red(
            `≠ payout ${money(bridge.payoutMinor)} (difference ${signedAmount(BigInt(bridge.differenceMinor ?? '0'), bridge.currency, true)})`,
          );
  return `${color.bold(`batch ${bridge.batchId} ${bridge.currency}`)} (${bridge.rows} rows): ${equation} ${verdict}; books hold ${money(bridge.settledMinor)}`;
}

function renderDecisions(decisions: readonly DecisionRecord[]): string {
  if (decisions.length === 0) return 'no decisions yet';
  return renderTable(
    [
      { header: 'at' },
      { header: 'by' },
      { header: 'item' },
      { header: 'class' },
      { header: 'action' },
      { header: 'postings' },
      { header: 'note' },
    ],
    decisions.map((decision) => [
      decision.decidedAt,
      decision.rule ? `${decision.decidedBy} (rule ${decision.rule})` : decision.decidedBy,
      decision.itemId,
      decision.class,
      decision.linkedTo
        ? `${actionWord(decision.action)} → ${decision.linkedTo}`
        : actionWord(decision.action),
      decision.txIds.map((id) => `#${id}`).join(' '),
      decision.note,
    ]),
  );
}

export function renderReport(report: ReconcileReport, color: Palette): string {
  const lines = [
    color.dim(
      `dates: settled (the settlement file's rows, up to ${report.summary.periodEnd ?? '(no rows)'}); run ${report.run.id} at ${report.run.startedAt}`,
    ),
    renderRunSummary(report.summary, color, { dryRun: false }),
    '',
    color.bold('batches now'),
    ...(report.bridges.length === 0
      ? ['none']
      : report.bridges.map((bridge) => renderBridge(bridge, color))),
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
  'section',
  'run',
  'name',
  'class',
  'currency',
  'rows',
  'records',
  'items',
  'amount',
  'captures',
  'fees',
  'refunds',
  'chargebacks',
  'adjustments',
  'rows_net',
  'payout',
  'difference',
  'books',
  'status',
  'at',
  'by',
  'action',
  'rule',
  'note',
  'linked_to',
  'postings',
] as const;

/** What `reconcile report` counts by: the settlement file's rows (their settled dates), as of the run. */
const REPORT_DATE_BASIS = 'settled';

/**
 * A run's classes per class and currency. A summary kept before issue 15 has no per-currency
 * counts: its counts come on one line without a currency and its money on lines without counts,
 * so that nothing is counted twice.
 */
function classCurrencyLines(summary: RunSummary): {
  class: string;
  currency: Currency | null;
  rows: number | null;
  records: number | null;
  amountMinor: bigint | null;
}[] {
  if (summary.byCurrency)
    return summary.byCurrency.map((line) => ({ ...line, amountMinor: BigInt(line.amountMinor) }));
  return (summary.classes ?? []).flatMap((line) => [
    {
      class: line.class,
      currency: null,
      rows: line.rows,
      records: line.records,
      amountMinor: null,
    },
    ...line.money.map((money) => ({
      class: line.class,
      currency: money.currency,
      rows: null,
      records: null,
      amountMinor: BigInt(money.amountMinor),
    })),
  ]);
}

/** Rows and records over every class and currency of the run. */
function classTotals(summary: RunSummary): { rows: number; records: number } {
  return (summary.classes ?? []).reduce(
    (total, line) => ({ rows: total.rows + line.rows, records: total.records + line.records }),
    { rows: 0, records: 0 },
  );
}

/**
 * A run's summary as JSON (`reconcile run --json`, and inside `reconcile report --json`): money
 * lines as moneyJson, counts per class and currency with their totals, the bridges' figures as
 * moneyJson too, and actions spelled as typed (`write-off`).
 */
export function summaryJson(summary: RunSummary): Record<string, unknown> {
  // A bank run's own facts (`bank`) are `reconcile bank --json`'s; the report shows the shared shape.
  const {
    classes,
    open,
    byCurrency: _byCurrency,
    quietPendingByCurrency,
    bank: _bank,
    ...rest
  } = summary as RunSummary & { bank?: unknown };
  const moneyOf = (lines: readonly MoneyLine[]) =>
    lines.map((line) => moneyJson(BigInt(line.amountMinor), line.currency));
  return {
    dateBasis: REPORT_DATE_BASIS,
    ...rest,
    batches: (rest.batches ?? []).map(bridgeJson),
    quietPendingByCurrency: (quietPendingByCurrency ?? []).map((line) => ({
      currency: line.currency,
      records: line.records,
      money: moneyJson(BigInt(line.amountMinor), line.currency),
    })),
    classes: (classes ?? []).map((line) => ({ ...line, money: moneyOf(line.money) })),
    classesByCurrency: classCurrencyLines(summary).map((line) => ({
      class: line.class,
      currency: line.currency,
      rows: line.rows,
      records: line.records,
      money:
        line.amountMinor === null || line.currency === null
          ? null
          : moneyJson(line.amountMinor, line.currency),
    })),
    classTotals: classTotals(summary),
    open: (open ?? []).map((line) => ({ ...line, money: moneyOf(line.money) })),
    rules: (rest.rules ?? []).map(({ amountMinor, ...action }) => ({
      ...action,
      action: actionWord(action.action),
      money: moneyJson(BigInt(amountMinor), action.currency),
    })),
  };
}

/** The run's rules with each per-currency amount map (`{"USD": "0.05"}`) as a list of money objects: currencies are values, not keys. */
function rulesJson(rules: Record<string, unknown>): Record<string, unknown> {
  const perCurrency = (value: object) =>
    Object.entries(value).map(([currency, amount]) =>
      moneyJson(parseAmount(amount, currency as Currency), currency as Currency),
    );
  // A bank run's rules nest (`bank.windowDays` per PSP, `bank.feeCap` per currency): only a map of currency to amount is money.
  const perCurrencyMap = (value: object) =>
    Object.entries(value).every(
      ([key, amount]) => /^[A-Z]{3}$/.test(key) && typeof amount === 'string',
    );
  return Object.fromEntries(
    Object.entries(rules).map(([key, value]) => [
      key,
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? perCurrencyMap(value)
          ? perCurrency(value)
          : rulesJson(value as Record<string, unknown>)
        : value,
    ]),
  );
}

/** A payout batch's bridge with every figure as moneyJson (`payout` and `difference` null until the payout row arrives). */
function bridgeJson(bridge: Bridge) {
  const money = (minor: string) => moneyJson(BigInt(minor), bridge.currency);
  const maybe = (minor: string | null) => (minor === null ? null : money(minor));
  return {
    batchId: bridge.batchId,
    currency: bridge.currency,
    rows: bridge.rows,
    captures: money(bridge.capturesMinor),
    fees: money(bridge.feesMinor),
    refunds: money(bridge.refundsMinor),
    chargebacks: money(bridge.chargebacksMinor),
    adjustments: money(bridge.adjustmentsMinor),
    rowsNet: money(bridge.rowsNetMinor),
    payout: maybe(bridge.payoutMinor),
    difference: maybe(bridge.differenceMinor),
    settled: money(bridge.settledMinor),
    status: bridge.status,
  };
}

/** `reconcile report --json`: the run's summary (summaryJson), its bridges now, what is open now, the decisions. */
export function reportJson(report: ReconcileReport): unknown {
  return {
    run: {
      ...report.run,
      summary: undefined,
      rules: rulesJson(JSON.parse(report.run.rules) as Record<string, unknown>),
    },
    ...summaryJson(report.summary),
    bridges: report.bridges.map(bridgeJson),
    openNow: report.openByCurrency.map((line) => ({
      class: line.class,
      currency: line.currency,
      items: line.items,
      money: moneyJson(line.amountMinor, line.currency),
    })),
    openTotal: { items: report.openByCurrency.reduce((sum, line) => sum + line.items, 0) },
    decisions: report.decisions.map((decision) => ({
      ...decision,
      action: actionWord(decision.action),
    })),
  };
}

type CsvCells = Partial<Record<(typeof CSV_COLUMNS)[number], string>>;
const NUMERIC_COLUMNS: ReadonlySet<string> = new Set([
  'rows',
  'records',
  'items',
  'amount',
  'captures',
  'fees',
  'refunds',
  'chargebacks',
  'adjustments',
  'rows_net',
  'payout',
  'difference',
  'books',
]);

function csvLine(cells: CsvCells): string {
  return csvRow(
    CSV_COLUMNS.map((column) => {
      const value = cells[column] ?? '';
      return value !== '' && NUMERIC_COLUMNS.has(column) ? csvNumeric(value) : csvText(value);
    }),
  );
}

/**
 * One CSV for a spreadsheet: a `section` column and the columns each uses. `class` rows are one
 * per class and currency, `class_total` sums their counts (amounts of different classes mean
 * different things: no money total); `open` and `open_total` are the items open now; then the
 * batches' bridges and the decisions. No figure is on two lines of one section. Text cells are
 * neutralized against formulas (src/csv-cells.ts); amounts are decimal strings.
 */
export function reportCsv(report: ReconcileReport): string {
  const run = report.run.id.toString();
  const text = (value: number | null) => (value === null ? '' : String(value));
  let out = csvRow([...CSV_COLUMNS]);
  for (const line of classCurrencyLines(report.summary)) {
    out += csvLine({
      section: 'class',
      run,
      class: line.class,
      currency: line.currency ?? '',
      rows: text(line.rows),
      records: text(line.records),
      amount:
        line.amountMinor === null || line.currency === null
          ? ''
          : formatAmount(line.amountMinor, line.currency),
    });
  }
  const totals = classTotals(report.summary);
  out += csvLine({
    section: 'class_total',
    run,
    rows: String(totals.rows),
    records: String(totals.records),
  });
  for (const line of report.openByCurrency) {
    out += csvLine({
      section: 'open',
      run,
      class: line.class,
      currency: line.currency,
      items: String(line.items),
      amount: formatAmount(line.amountMinor, line.currency),
    });
  }
  out += csvLine({
    section: 'open_total',
    run,
    items: String(report.openByCurrency.reduce((sum, line) => sum + line.items, 0)),
  });
  for (const bridge of report.bridges) {
    const money = (minor: string | null) =>
      minor === null ? '' : formatAmount(BigInt(minor), bridge.currency);
    out += csvLine({
      section: 'batch',
      run,
      name: bridge.batchId,
      currency: bridge.currency,
      rows: String(bridge.rows),
      captures: money(bridge.capturesMinor),
      fees: money(bridge.feesMinor),
      refunds: money(bridge.refundsMinor),
      chargebacks: money(bridge.chargebacksMinor),
      adjustments: money(bridge.adjustmentsMinor),
      rows_net: money(bridge.rowsNetMinor),
      payout: money(bridge.payoutMinor),
      difference: money(bridge.differenceMinor),
      books: money(bridge.settledMinor),
      status: bridge.status,
    });
  }
  for (const decision of report.decisions) {
    out += csvLine({
      section: 'decision',
      run,
      name: decision.itemId,
      class: decision.class,
      currency: decision.currency,
      at: decision.decidedAt,
      by: decision.decidedBy,
      action: actionWord(decision.action),
      rule: decision.rule ?? '',
      note: decision.note,
      linked_to: decision.linkedTo ?? '',
      postings: decision.txIds.join(' '),
    });
  }
  return out;
}

/** An action as it is typed on the command line (`write-off`); the store keeps `write_off`. */
export function actionWord(action: string): string {
  return action.replaceAll('_', '-');
}

/** What `reconcile items` counts age from: the run that first found each item. */
const ITEMS_DATE_BASIS = 'run';

const ITEM_CSV_COLUMNS = [
  'item_id',
  'class',
  'status',
  'life',
  'currency',
  'amount',
  'payops_gross',
  'psp_gross',
  'age_days',
  'first_seen_at',
  'occurred_at',
  'batch_id',
  'subject',
  'resolution',
  'why',
] as const;

/** One line per item: no figure on two lines. */
export function itemsCsv(items: readonly ItemListing[]): string {
  const amount = (minor: bigint | null, currency: Currency) =>
    minor === null ? '' : csvNumeric(formatAmount(minor, currency));
  let out = csvRow([...ITEM_CSV_COLUMNS]);
  for (const item of items) {
    out += csvRow([
      csvText(item.itemId),
      csvText(item.class),
      csvText(item.status),
      csvText(item.life),
      csvText(item.currency),
      amount(item.amountMinor, item.currency),
      amount(item.oursGrossMinor, item.currency),
      amount(item.theirsGrossMinor, item.currency),
      String(item.ageDays),
      csvText(item.firstSeenAt),
      csvText(item.occurredAt ?? ''),
      csvText(item.batchId ?? ''),
      csvText(item.subject),
      csvText(item.resolution ?? ''),
      csvText(item.why),
    ]);
  }
  return out;
}

export function itemsJson(items: readonly ItemListing[], asOf: string): unknown {
  const money = (minor: bigint | null, currency: Currency) =>
    minor === null ? null : moneyJson(minor, currency);
  return {
    dateBasis: ITEMS_DATE_BASIS,
    asOf,
    count: items.length,
    items: items.map((item) => ({
      itemId: item.itemId,
      class: item.class,
      psp: item.psp,
      status: item.status,
      life: item.life,
      subject: item.subject,
      currency: item.currency,
      amount: moneyJson(item.amountMinor, item.currency),
      payopsGross: money(item.oursGrossMinor, item.currency),
      pspGross: money(item.theirsGrossMinor, item.currency),
      ageDays: item.ageDays,
      firstSeenAt: item.firstSeenAt,
      occurredAt: item.occurredAt,
      batchId: item.batchId,
      resolution: item.resolution,
      why: item.why,
    })),
  };
}

export function renderItems(
  items: readonly ItemListing[],
  color: Palette,
  asOf: string,
  filtered: boolean,
): string {
  const header = color.dim(
    `dates: run (age in days since the run that first found the item, as of ${asOf})`,
  );
  if (items.length === 0)
    return `${header}\n${filtered ? 'no item matches the filter' : color.green('nothing open')}`;
  return [
    header,
    renderTable(
      [
        { header: 'item' },
        { header: 'class' },
        { header: 'life' },
        { header: 'currency' },
        { header: 'amount', align: 'right' },
        { header: 'age', align: 'right' },
        { header: 'subject' },
      ],
      items.map((item) => [
        item.itemId,
        item.class,
        item.life,
        item.currency,
        signedAmount(item.amountMinor, item.currency, DIFFERENCE_CLASSES.has(item.class)),
        `${item.ageDays}d`,
        item.subject,
      ]),
    ),
  ].join('\n');
}
