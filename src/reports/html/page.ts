import type { MoneyJson } from '../../money/index.js';
import { type PageAssets, cspHash } from './assets.js';
import { escapeHtml as h, jsonForScript } from './escape.js';
import { AGE_BUCKETS } from './items.js';
import type { BridgeView, CurrencyFlows, FlowName, HtmlReportModel } from './model.js';
import type { StatementTable } from './statements.js';

/**
 * The whole report as one HTML file. Tables are drawn here (readable with scripts off, and in
 * print); the charts are drawn in the browser by uPlot from the JSON data block. Every text from
 * the books goes through `h`, the data block through `jsonForScript`, and the Content-Security-
 * Policy allows only the page's own inline script and style (by hash) and nothing from anywhere.
 */
export function renderPage(model: HtmlReportModel, assets: PageAssets): string {
  const csp = [
    "default-src 'none'",
    `script-src ${cspHash(assets.script)}`,
    `style-src ${cspHash(assets.style)}`,
    "img-src 'none'",
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(model.title)}</title>
<style>${assets.style}</style>
</head>
<body>
<header>
<h1>${h(model.title)}</h1>
<p class="meta">Generated ${h(model.generatedAt)}. Dates: effective date (UTC days), from ${h(model.range.begin)} up to, not including, ${h(model.range.end)}${model.range.clipped ? ' (the book is longer: the last days only; pass -b for more)' : ''}. Period: ${h(model.period ?? 'whole range')}. Open items and payout bridges: as they stand now.</p>
<nav><a href="#statements">Statements</a><a href="#flows">Daily flows</a><a href="#open-items">Open reconciliation items</a><a href="#bridges">Payout bridges</a></nav>
</header>
<section id="statements">
${model.statements.map(statementSection).join('\n')}
</section>
<section id="flows">
<h2>Daily flows</h2>
${model.flows.length === 0 ? '<p class="note">no money moved in the range</p>' : model.flows.map(flowSection).join('\n')}
</section>
${openItemsSection(model)}
${bridgesSection(model)}
<script type="application/json" id="payops-data">${jsonForScript(model)}</script>
<script>${assets.script}</script>
</body>
</html>
`;
}

const num = (money: MoneyJson | null | undefined): string =>
  `<td class="num">${money ? h(money.amount) : ''}</td>`;

function table(
  headers: readonly { text: string; num?: boolean }[],
  rows: readonly string[],
): string {
  const head = headers
    .map((header) => `<th${header.num ? ' class="num"' : ''}>${h(header.text)}</th>`)
    .join('');
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></div>`;
}

function statementSection(statement: StatementTable): string {
  const rows = statement.rows.map(
    (row) =>
      `<tr${row.kind === 'total' ? ' class="total"' : ''}><td>${h(row.label)}</td><td>${h(row.currency)}</td>${row.cells.map(num).join('')}</tr>`,
  );
  const bad = statement.note.startsWith('NOT ');
  return `<h2>${h(statement.title)}</h2>
${rows.length === 0 ? '' : table([{ text: 'account' }, { text: 'currency' }, ...statement.columns.map((text) => ({ text, num: true }))], rows)}
<p class="note${bad ? ' bad' : ''}">${h(statement.note)}</p>`;
}

const FLOW_COLUMNS: readonly [FlowName, string][] = [
  ['payIns', 'pay-ins'],
  ['refunds', 'refunds'],
  ['chargebacks', 'chargebacks'],
  ['payouts', 'payouts'],
  ['fees', 'PSP fees'],
];

function flowSection(flow: CurrencyFlows): string {
  const rows = flow.days
    .map((day, index) => ({
      day,
      cells: FLOW_COLUMNS.map(([name]) => flow.series[name][index] as MoneyJson),
    }))
    .filter((row) => row.cells.some((cell) => cell.amountMinor !== '0'))
    .map((row) => `<tr><td>${h(row.day)}</td>${row.cells.map(num).join('')}</tr>`);
  const total = `<tr class="total"><td>total</td>${FLOW_COLUMNS.map(([name]) => num(flow.totals[name])).join('')}</tr>`;
  return `<h3>${h(flow.currency)}</h3>
<div class="chart" id="chart-${h(flow.currency)}"></div>
<details><summary>${h(flow.currency)} by day (days with movement)</summary>
${table([{ text: 'day' }, ...FLOW_COLUMNS.map(([, text]) => ({ text, num: true }))], [...rows, total])}
</details>`;
}

function openItemsSection(model: HtmlReportModel): string {
  const items = model.openItems;
  const byClass = items.byClass.map(
    (line) =>
      `<tr><td>${h(line.class)}</td><td class="num">${line.count}</td>${line.ages.map((age) => `<td class="num">${age.count}</td>`).join('')}<td>${h(line.money.map((m) => `${m.amount} ${m.currency}`).join(', '))}</td></tr>`,
  );
  const listed = items.listed.map(
    (item) =>
      `<tr><td>${h(item.itemId)}</td><td>${h(item.class)}</td><td>${h(item.psp)}</td><td>${h(item.subject)}</td><td>${h(item.batchId ?? '')}</td>${num(item.amount)}<td>${h(item.amount.currency)}</td><td>${h(item.firstSeenAt)}</td><td class="num">${item.ageDays}</td></tr>`,
  );
  return `<section id="open-items">
<h2>Open reconciliation items</h2>
<p class="note">${items.count} open now; age in whole days since a reconciliation run first saw the item, at ${h(items.asOf)}.</p>
${items.count === 0 ? '' : table([{ text: 'class' }, { text: 'items', num: true }, ...AGE_BUCKETS.map(({ label }) => ({ text: label, num: true })), { text: 'amount' }], byClass)}
${
  items.count === 0
    ? ''
    : `<details><summary>the items${items.count > items.listed.length ? ` (the first ${items.listed.length})` : ''}</summary>
${table([{ text: 'item' }, { text: 'class' }, { text: 'PSP' }, { text: 'subject' }, { text: 'batch' }, { text: 'amount', num: true }, { text: 'currency' }, { text: 'first seen' }, { text: 'age (days)', num: true }], listed)}
</details>`
}
</section>`;
}

function bridgeRow(bridge: BridgeView): string {
  const status = bridge.status === 'balanced' ? 'ok' : bridge.status === 'unbalanced' ? 'bad' : '';
  return `<tr><td>${h(bridge.psp)}</td><td>${h(bridge.batchId)}</td><td>${h(bridge.currency)}</td><td class="num">${bridge.rows}</td>${[bridge.gross, bridge.fees, bridge.refunds, bridge.chargebacks, bridge.adjustments, bridge.rowsNet, bridge.payout, bridge.difference, bridge.booksHold].map(num).join('')}<td class="${status}">${h(bridge.status)}</td></tr>`;
}

function bridgesSection(model: HtmlReportModel): string {
  const { count, listed } = model.bridges;
  const headers = ['PSP', 'batch', 'currency', 'rows'].map((text) => ({
    text,
    num: text === 'rows',
  }));
  const money = [
    'gross',
    'fees',
    'refunds',
    'chargebacks',
    'adjustments',
    '= net of rows',
    'payout',
    'difference',
    'books hold',
  ].map((text) => ({ text, num: true }));
  return `<section id="bridges">
<h2>Payout bridges</h2>
<p class="note">Per settlement batch: gross + fees + refunds + chargebacks + adjustments = net of rows (fees, refunds and chargebacks are negative), compared with what the PSP paid out; "books hold" is what the ledger has moved to the bank for the batch. ${count} batch${count === 1 ? '' : 'es'}${count > listed.length ? `, the newest ${listed.length} shown` : ''}.</p>
${count === 0 ? '' : table([...headers, ...money, { text: 'status' }], listed.map(bridgeRow))}
</section>`;
}
