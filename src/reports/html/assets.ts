import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';

/**
 * What the page carries inline so it needs no network when opened: uPlot (script and styles, from
 * the installed package) and the few lines that draw the charts from the page's JSON data block.
 */
export interface PageAssets {
  script: string;
  style: string;
}

const require = createRequire(import.meta.url);

export function loadAssets(): PageAssets {
  const read = (file: string) => fs.readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
  const uplot = read('uPlot.iife.min.js');
  // Inlined into a <script> element: its text must not end the element early.
  if (/<\/script|<!--/i.test(uplot))
    throw new Error('uPlot.iife.min.js holds "</script" or "<!--": it cannot be inlined as it is');
  return { script: `${uplot}\n${CHART_SCRIPT}`, style: `${read('uPlot.min.css')}\n${PAGE_STYLE}` };
}

/** The CSP source for an inline element's exact text. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * Draws one uPlot chart per currency from the JSON data block. Plain ES2017, no modules. Amounts
 * become numbers here only, for drawing; the tables beside them print the exact decimal strings.
 */
const CHART_SCRIPT = `(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('payops-data').textContent);
  var flows = [['payIns', 'pay-ins', '#1f77b4'], ['refunds', 'refunds', '#ff7f0e'], ['chargebacks', 'chargebacks', '#d62728'],
    ['payouts', 'payouts', '#2ca02c'], ['fees', 'PSP fees', '#9467bd']];
  var utc = function (seconds) { return uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'); };
  var charts = [];
  data.flows.forEach(function (flow) {
    var target = document.getElementById('chart-' + flow.currency);
    if (!target) return;
    var days = flow.days.map(function (day) { return Date.parse(day + 'T00:00:00Z') / 1000; });
    var values = [days].concat(flows.map(function (f) { return flow.series[f[0]].map(function (m) { return Number(m.amount); }); }));
    var series = [{}].concat(flows.map(function (f) { return { label: f[1], stroke: f[2], width: 2, points: { show: days.length <= 62 } }; }));
    var options = { title: 'Daily flows, ' + flow.currency + ' (UTC days, effective date)', width: Math.max(360, Math.min(1100, target.clientWidth || 900)),
      height: 300, tzDate: utc, scales: { x: { time: true } }, series: series, axes: [{}, { label: flow.currency, size: 80 }] };
    charts.push(new uPlot(options, values, target));
  });
  window.payopsCharts = charts;
  document.body.setAttribute('data-charts', String(charts.length));
})();`;

const PAGE_STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1180px; padding: 0 16px; color: #1d1d1f; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 36px; border-bottom: 1px solid #ccc; } h3 { font-size: 15px; }
.meta { color: #555; margin: 0; }
nav a { margin-right: 12px; }
table { border-collapse: collapse; margin: 8px 0 4px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: left; white-space: nowrap; }
td.num, th.num { text-align: right; }
tr.total td { font-weight: 600; border-top: 1px solid #999; }
.note { color: #555; margin: 2px 0 12px; }
.bad { color: #b00020; font-weight: 600; }
.ok { color: #1b7f3b; }
.chart { margin: 8px 0; min-height: 340px; }
.scroll { overflow-x: auto; }
@media print { .chart { break-inside: avoid; } }
`;
