import type {
  AccountBalance,
  HistoryLine,
  TransactionRecord,
  VerifyReport,
} from '../ledger/index.js';
import type { NoBalancesReason } from '../ledger/balances.js';
import { formatAmount, moneyJson, toCurrency } from '../money/index.js';
import type { Palette } from '../output/palette.js';
import { csvRow, csvText } from '../csv-cells.js';
import { renderTable } from './table.js';

/** Names what matched nothing: "the ledger is empty" only when it is. */
export function noBalancesText(
  reason: NoBalancesReason,
  account: string | undefined,
  asOf?: string,
): string {
  if (reason === 'empty-ledger') return 'no balances (the ledger is empty)';
  const head = asOf ? `no balances as of ${asOf}` : 'no balances';
  if (reason === 'no-account-matches') return `${head}: no account matches --account ${account}`;
  const scope =
    account === undefined ? 'every account' : `every account under --account ${account}`;
  return `${head}: ${scope} ${asOf ? 'was' : 'is'} at zero (--empty lists them)`;
}

export function renderBalances(
  color: Palette,
  rows: readonly AccountBalance[],
  totals: Map<string, bigint>,
  asOf?: string,
): string {
  const table = renderTable(
    [{ header: 'account' }, { header: 'balance', align: 'right' }, { header: 'currency' }],
    rows.map((row) => [row.account, formatAmount(row.balanceMinor, row.currency), row.currency]),
    (text, rowIndex, column) =>
      column === 1 && (rows[rowIndex]?.balanceMinor ?? 0n) < 0n ? color.red(text) : text,
  );
  const footer = [...totals]
    .map(
      ([currency, net]) =>
        `debits - credits ${currency}: ${formatAmount(net, toCurrency(currency))}`,
    )
    .join('; ');
  return `${asOf ? `as of ${asOf}\n` : ''}${table}${footer ? `\n${color.dim(footer)}` : ''}`;
}

export function historyJson(line: HistoryLine) {
  const amount = moneyJson(line.amountMinor, line.currency);
  return {
    txId: line.txId,
    effectiveAt: line.effectiveAt,
    kind: line.kind,
    description: line.description,
    currency: line.currency,
    debit: line.direction === 'debit' ? amount : null,
    credit: line.direction === 'credit' ? amount : null,
    balance: moneyJson(line.runningBalanceMinor, line.currency),
    balances: line.balancesMinor.map((balance) =>
      moneyJson(balance.balanceMinor, balance.currency),
    ),
  };
}

/** One balance column per currency: a multi-currency account never shows one figure jumping between currencies. */
export function renderHistory(lines: readonly HistoryLine[]): string {
  const currencies = [...new Set(lines.map((line) => line.currency))].sort();
  return renderTable(
    [
      { header: 'tx', align: 'right' },
      { header: 'effective' },
      { header: 'description' },
      { header: 'currency' },
      { header: 'debit', align: 'right' },
      { header: 'credit', align: 'right' },
      ...currencies.map((currency) => ({ header: `balance ${currency}`, align: 'right' as const })),
    ],
    lines.map((line) => {
      const amount = formatAmount(line.amountMinor, line.currency);
      const balances = new Map(
        line.balancesMinor.map((balance) => [
          balance.currency,
          formatAmount(balance.balanceMinor, balance.currency),
        ]),
      );
      return [
        String(line.txId),
        line.effectiveAt,
        line.description || line.kind,
        line.currency,
        line.direction === 'debit' ? amount : '',
        line.direction === 'credit' ? amount : '',
        ...currencies.map((currency) => balances.get(currency) ?? ''),
      ];
    }),
  );
}

export function historyCsv(lines: readonly HistoryLine[]): string {
  const header = csvRow([
    'tx_id',
    'effective_at',
    'kind',
    'description',
    'currency',
    'debit',
    'credit',
    'balance',
  ]);
  return (
    header +
    lines
      .map((line) => {
        const amount = formatAmount(line.amountMinor, line.currency);
        return csvRow([
          String(line.txId),
          line.effectiveAt,
          csvText(line.kind),
          csvText(line.description),
          line.currency,
          line.direction === 'debit' ? amount : '',
          line.direction === 'credit' ? amount : '',
          formatAmount(line.runningBalanceMinor, line.currency),
        ]);
      })
      .join('')
  );
}

export function renderTransaction(tx: TransactionRecord): string {
  const header = [
    `transaction ${tx.txId}  ${tx.kind}  effective ${tx.effectiveAt}  recorded ${tx.createdAt}`,
    `  ${tx.description}`,
    `  key ${tx.idempotencyKey}`,
    ...Object.entries(tx.metadata).map(([key, value]) => `  ${key}: ${value}`),
    ...(tx.reversesTxId !== null ? [`  reverses transaction ${tx.reversesTxId}`] : []),
    ...(tx.reversedByTxId !== null ? [`  reversed by transaction ${tx.reversedByTxId}`] : []),
    `  hash ${tx.hash}`,
    `  prev ${tx.prevHash}`,
    '',
  ];
  const table = renderTable(
    [
      { header: 'account' },
      { header: 'debit', align: 'right' },
      { header: 'credit', align: 'right' },
      { header: 'currency' },
    ],
    tx.entries.map((entry) => {
      const amount = formatAmount(entry.amountMinor, entry.currency);
      return [
        entry.account,
        entry.direction === 'debit' ? amount : '',
        entry.direction === 'credit' ? amount : '',
        entry.currency,
      ];
    }),
  );
  return header.join('\n') + table;
}

export function renderVerify(color: Palette, report: VerifyReport): string {
  const summary = `${report.transactionsChecked} transactions, ${report.entriesChecked} entries, ${report.accountsChecked} accounts checked; head ${report.headHash}`;
  if (report.ok) return `${color.green('ledger OK')}: ${summary}`;
  const lines = report.problems.map(
    (problem) =>
      `  ${problem.txId === null ? 'account' : `tx ${problem.txId}`}: ${problem.problem}`,
  );
  return `${color.red('ledger FAILED verification')}: ${summary}\n${lines.join('\n')}`;
}
