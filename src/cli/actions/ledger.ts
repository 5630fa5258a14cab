import { type CliContext, withDatabase } from '../context.js';
import { flagValue } from '../options.js';
import type {
  AccountBalance,
  ExportFormat,
  HistoryLine,
  TransactionRecord,
  VerifyReport,
} from '../../ledger/index.js';
import { csvRow, csvText } from '../../reports/csv.js';
import { renderTable } from '../../reports/table.js';
import type { OutputGuard } from '../../private-files.js';
import { PrivateFile } from '../../private-files.js';
import {
  Ledger,
  readPostingFile,
  accountHistory,
  listAccounts,
  verifyLedger,
  exportJournal,
} from '../../ledger/index.js';
import { contractJson } from '../../output/contract.js';
import {
  ledgerPostSchema,
  ledgerBalanceJson,
  ledgerBalanceSchema,
  ledgerTxJson,
  ledgerTxSchema,
  ledgerAccountsJson,
  ledgerAccountsSchema,
  ledgerVerifyJson,
  ledgerVerifySchema,
  ledgerReverseSchema,
} from '../../output/ledger.js';
import { balances, netByCurrency, whyNoBalances } from '../../ledger/balances.js';
import { asOfBound } from '../../time.js';
import { formatAmount, moneyJson } from '../../money/index.js';
import { ledgerHistorySchema } from '../../output/ledger-history.js';
import { behindWithoutRecording } from '../../payments/book-mark.js';
import { InvariantError, NotFoundError, UsageError } from '../../errors.js';
import { defaultSimStateFile } from '../../psp/factory.js';

type FormatAmount = (
  amountMinor: bigint,
  currency: import('../../money/index.js').Currency,
) => string;

/** Names what matched nothing: "the ledger is empty" only when it is. */
function noBalancesText(
  reason: import('../../ledger/balances.js').NoBalancesReason,
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

function renderBalances(
  context: CliContext,
  rows: readonly AccountBalance[],
  totals: Map<string, bigint>,
  formatAmount: FormatAmount,
  asOf?: string,
): string {
  const table = renderTable(
    [{ header: 'account' }, { header: 'balance', align: 'right' }, { header: 'currency' }],
    rows.map((row) => [row.account, formatAmount(row.balanceMinor, row.currency), row.currency]),
    (text, rowIndex, column) =>
      column === 1 && (rows[rowIndex]?.balanceMinor ?? 0n) < 0n ? context.color.red(text) : text,
  );
  const footer = [...totals]
    .map(
      ([currency, net]) => `debits - credits ${currency}: ${formatAmount(net, currency as never)}`,
    )
    .join('; ');
  return `${asOf ? `as of ${asOf}\n` : ''}${table}${footer ? `\n${context.color.dim(footer)}` : ''}`;
}

type MoneyJsonOf = typeof import('../../money/index.js').moneyJson;

function historyJson(line: HistoryLine, moneyJson: MoneyJsonOf) {
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
function renderHistory(lines: readonly HistoryLine[], formatAmount: FormatAmount): string {
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

function historyCsv(lines: readonly HistoryLine[], formatAmount: FormatAmount): string {
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

function renderTransaction(tx: TransactionRecord, formatAmount: FormatAmount): string {
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

function renderVerify(context: CliContext, report: VerifyReport): string {
  const summary = `${report.transactionsChecked} transactions, ${report.entriesChecked} entries, ${report.accountsChecked} accounts checked; head ${report.headHash}`;
  if (report.ok) return `${context.color.green('ledger OK')}: ${summary}`;
  const lines = report.problems.map(
    (problem) =>
      `  ${problem.txId === null ? 'account' : `tx ${problem.txId}`}: ${problem.problem}`,
  );
  return `${context.color.red('ledger FAILED verification')}: ${summary}\n${lines.join('\n')}`;
}

interface Sink {
  write(chunk: string): void;
  /** The export is complete: a file is moved into place. */
  close(): void;
  /** The export failed: a file is never moved into place. */
  abort(): void;
}

/**
 * Standard output, in large writes; or a file written as a PrivateFile (0600, under a temporary
 * name renamed into place once complete): a failed export (disk full, an account beancount cannot
 * name) leaves no partial journal for a tool to read as the books.
 */
async function openSink(file: string | undefined, guard: OutputGuard): Promise<Sink> {
  if (file !== undefined) {
    const out = PrivateFile.create(file, guard);
    return {
      write: (chunk) => out.write(chunk),
      close: () => out.commit(),
      abort: () => out.abort(),
    };
  }
  let buffer: string[] = [];
  let size = 0;
  const flush = (): void => {
    if (size === 0) return;
    process.stdout.write(buffer.join(''));
    buffer = [];
    size = 0;
  };
  return {
    write(chunk) {
      buffer.push(chunk);
      size += chunk.length;
      if (size >= 1 << 16) flush();
    },
    close: flush,
    abort: () => undefined,
  };
}

export type LedgerPostFlags = { file: string; json?: boolean };
export type LedgerBalanceFlags = {
  asOf?: string;
  account?: string;
  depth?: number;
  empty?: boolean;
  json?: boolean;
  csv?: boolean;
};
export type LedgerHistoryFlags = {
  currency?: string;
  limit?: number;
  json?: boolean;
  csv?: boolean;
};
export type LedgerTxFlags = { json?: boolean };
export type LedgerAccountsFlags = { account?: string; json?: boolean };
export type LedgerVerifyFlags = { json?: boolean };
export type LedgerExportFlags = { format: ExportFormat; out?: string };
export type LedgerReverseFlags = { key?: string; reason: string; json?: boolean };

export async function ledgerPost(context: CliContext, options: LedgerPostFlags): Promise<void> {
  const postings = readPostingFile(options.file);
  const results = await withDatabase(context, (db) =>
    new Ledger(db).postBatch(
      postings.map((posting) => posting.request),
      (index) => postings[index]?.where ?? options.file,
    ),
  );
  const created = results.filter((result) => result.created).length;
  if (options.json) {
    context.out(
      contractJson(ledgerPostSchema, {
        posted: created,
        alreadyPosted: results.length - created,
        transactions: results.map(({ txId, created }) => ({ txId, created })),
      }),
    );
  } else {
    context.out(
      `posted ${created} transaction${created === 1 ? '' : 's'}${results.length > created ? `, ${results.length - created} already posted (same key and content)` : ''}`,
    );
  }
}

export async function ledgerBalance(
  context: CliContext,
  options: LedgerBalanceFlags,
): Promise<void> {
  // Only what a balance needs: this is the command finance runs most, and start-up is most of its cost.
  const asOf =
    options.asOf === undefined ? undefined : flagValue(() => asOfBound(options.asOf as string));
  const query = {
    asOf,
    accountPrefix: options.account,
    depth: options.depth,
    includeZero: options.empty,
  };
  const { rows, emptyReason } = await withDatabase(context, (db) => {
    const found = balances(db, query);
    return {
      rows: found,
      emptyReason: found.length === 0 ? whyNoBalances(db, query) : undefined,
    };
  });
  if (options.json) {
    context.out(contractJson(ledgerBalanceSchema, ledgerBalanceJson(rows)));
  } else if (options.csv) {
    context.out(
      csvRow(['account', 'currency', 'balance']) +
        rows
          .map((row) =>
            csvRow([
              csvText(row.account),
              row.currency,
              formatAmount(row.balanceMinor, row.currency),
            ]),
          )
          .join(''),
    );
  } else {
    if (emptyReason !== undefined) context.out(noBalancesText(emptyReason, options.account, asOf));
    else
      context.out(
        renderBalances(
          context,
          rows,
          options.account === undefined ? netByCurrency(rows) : new Map(),
          formatAmount,
          asOf,
        ),
      );
  }
}

export async function ledgerHistory(
  context: CliContext,
  account: string,
  options: LedgerHistoryFlags,
): Promise<void> {
  const lines = await withDatabase(context, (db) => accountHistory(db, account, options));
  if (options.json) {
    context.out(
      contractJson(ledgerHistorySchema, {
        account,
        dateBasis: 'effective',
        lines: lines.map((line) => historyJson(line, moneyJson)),
      }),
    );
  } else if (options.csv) context.out(historyCsv(lines, formatAmount));
  else context.out(`${account} by effective date (UTC)\n${renderHistory(lines, formatAmount)}`);
}

export async function ledgerTx(
  context: CliContext,
  id: number,
  options: LedgerTxFlags,
): Promise<void> {
  const tx = await withDatabase(context, (db) => new Ledger(db).getTransaction(id));
  if (options.json) {
    context.out(contractJson(ledgerTxSchema, ledgerTxJson(tx)));
  } else context.out(renderTransaction(tx, formatAmount));
}

export async function ledgerAccounts(
  context: CliContext,
  options: LedgerAccountsFlags,
): Promise<void> {
  const accounts = await withDatabase(context, (db) => listAccounts(db, options.account));
  if (options.json) {
    context.out(contractJson(ledgerAccountsSchema, ledgerAccountsJson(accounts)));
    return;
  }
  const rows = accounts.map((account) => ({
    ...account,
    balance: formatAmount(account.balanceMinor, account.currency),
  }));
  context.out(
    renderTable(
      [
        { header: 'account' },
        { header: 'type' },
        { header: 'entries', align: 'right' },
        { header: 'balance', align: 'right' },
        { header: 'currency' },
      ],
      rows.map((row) => [row.account, row.type, String(row.entries), row.balance, row.currency]),
    ),
  );
}

export async function ledgerVerify(context: CliContext, options: LedgerVerifyFlags): Promise<void> {
  const { report, behind } = await withDatabase(context, (db) => ({
    report: verifyLedger(db),
    behind: behindWithoutRecording(db),
  }));
  if (options.json) {
    context.out(contractJson(ledgerVerifySchema, ledgerVerifyJson(report)));
  } else context.out(renderVerify(context, report));
  if (behind !== null) context.err(`payops: note: ${behind}`);
  if (!report.ok) {
    const first = report.problems[0];
    throw new InvariantError(
      `ledger verification failed${first?.txId != null ? ` at transaction ${first.txId}` : ''}: ${first?.problem ?? 'see above'}`,
      {
        hint: 'the books were changed outside payops; restore the database from a backup as "Restoring from a backup" in docs/RELIABILITY.md says, and investigate',
      },
    );
  }
}

export async function ledgerExport(context: CliContext, options: LedgerExportFlags): Promise<void> {
  const guard = {
    flag: '--out',
    database: context.dbPath,
    pspState: defaultSimStateFile(context.dbPath),
  };
  const sink = await openSink(options.out, guard);
  try {
    const count = await withDatabase(context, (db) =>
      exportJournal(db, options.format, sink.write),
    );
    sink.close();
    if (options.out) context.err(`exported ${count} transactions to ${options.out}`);
  } catch (error) {
    sink.abort();
    throw error;
  }
}

export async function ledgerReverse(
  context: CliContext,
  id: number | undefined,
  options: LedgerReverseFlags,
): Promise<void> {
  if ((id === undefined) === (options.key === undefined))
    throw new UsageError('name the transaction by its id or by --key (one of them)');
  if (options.reason.trim().length === 0)
    throw new UsageError('--reason: say why the transaction is reversed');
  const { txId, result } = await withDatabase(context, (db) => {
    const ledger = new Ledger(db);
    const target = id ?? ledger.findByIdempotencyKey(options.key as string);
    if (target === undefined)
      throw new NotFoundError(`no transaction has idempotency key "${options.key}"`);
    return { txId: target, result: ledger.reverse(target, options.reason) };
  });
  context.out(
    options.json
      ? contractJson(ledgerReverseSchema, { reversedTxId: txId, reversalTxId: result.txId })
      : `transaction ${txId} reversed by transaction ${result.txId}`,
  );
}
