import { formatAmount, toCurrency } from '../money/index.js';
import { csvNumeric, csvRow, csvText } from '../csv-cells.js';
import { renderTable } from '../reports/table.js';
import { type RunView, volumeText } from './report.js';

export const DATE_BASIS = 'occurred';

const HEADER =
  'runs by start time (date basis: occurred); moved = debits of the ledger transactions each run posted, per currency';

export function renderRunList(views: readonly RunView[], filtered: boolean): string {
  if (views.length === 0) return filtered ? 'no run matches the filter' : 'no runs recorded yet';
  const table = renderTable(
    [
      { header: 'id', align: 'right' },
      { header: 'command' },
      { header: 'state' },
      { header: 'exit', align: 'right' },
      { header: 'started' },
      { header: 'duration', align: 'right' },
      { header: 'user@host' },
      { header: 'tx', align: 'right' },
      { header: 'moved' },
    ],
    views.map((view) => [
      String(view.row.id),
      view.row.command,
      view.state,
      view.row.exitCode === null ? '-' : String(view.row.exitCode),
      view.row.startedAt,
      durationText(view.durationMs),
      `${view.row.osUser}@${view.row.host}`,
      String(view.transactions),
      volumeText(view.moved),
    ]),
  );
  return `${HEADER}\n${table}`;
}

export function renderRun(view: RunView): string {
  const { row } = view;
  const lines = [
    `run ${row.id}: ${row.command} (date basis: occurred)`,
    `state     ${view.state}${row.exitCode === null ? '' : `, exit code ${row.exitCode}`}`,
    `started   ${row.startedAt}`,
    `finished  ${row.finishedAt ?? '-'}${view.durationMs === null ? '' : ` (${durationText(view.durationMs)})`}`,
    `by        ${row.osUser} on ${row.host} (${row.owner}), payops ${row.payopsVersion}`,
    `in        ${row.cwd}`,
    `command   payops ${row.argv.join(' ')}`,
    ...(row.inputs.length === 0
      ? ['inputs    none']
      : row.inputs.map(
          (input, index) =>
            `${index === 0 ? 'inputs   ' : '         '} ${input.path} ${input.bytes} bytes sha256 ${input.sha256}`,
        )),
    `ledger    transactions #${view.txRange.after + 1n} to #${view.txRange.upTo} (${view.transactions})${view.transactions === 0 ? ': nothing posted' : ''}`,
    ...view.moved.map(
      (line) =>
        `  ${line.kind.padEnd(28)} ${String(line.transactions).padStart(7)} tx  ${line.currency} ${formatAmount(line.amountMinor, toCurrency(line.currency)).padStart(16)}`,
    ),
  ];
  if (view.state === 'interrupted')
    lines.push(
      'note      its process is gone and it never finished: the range runs to the start of the next run',
    );
  if (view.overlappingRuns.length > 0)
    lines.push(
      `note      runs ${view.overlappingRuns.join(', ')} ran at the same time on this book: their postings may fall in this range`,
    );
  return lines.join('\n');
}

/** One row per run and ledger kind and currency (a run that posted nothing: one row, no kind). */
export function runsCsv(views: readonly RunView[]): string {
  const header = csvRow([
    'run_id',
    'command',
    'state',
    'exit_code',
    'started_at',
    'finished_at',
    'os_user',
    'host',
    'kind',
    'currency',
    'transactions',
    'amount',
  ]);
  const rows = views.flatMap((view) => {
    const { row } = view;
    const fixed = [
      String(row.id),
      csvText(row.command),
      view.state,
      row.exitCode === null ? '' : String(row.exitCode),
      row.startedAt,
      row.finishedAt ?? '',
      csvText(row.osUser),
      csvText(row.host),
    ];
    if (view.moved.length === 0) return [csvRow([...fixed, '', '', '0', ''])];
    return view.moved.map((line) =>
      csvRow([
        ...fixed,
        csvText(line.kind),
        line.currency,
        String(line.transactions),
        csvNumeric(formatAmount(line.amountMinor, toCurrency(line.currency))),
      ]),
    );
  });
  return header + rows.join('');
}

function durationText(ms: number | null): string {
  if (ms === null) return '-';
  if (ms < 1_000) return `${ms}ms`;
  if (ms < 120_000) return `${(ms / 1_000).toFixed(1)}s`;
  return `${Math.floor(ms / 60_000)}m${String(Math.floor((ms % 60_000) / 1_000)).padStart(2, '0')}s`;
}
