import { type CliContext, withDatabase } from '../context.js';
import { pspFactory } from '../lazy.js';
import { flagValue } from '../options.js';
import type { ExportFormat } from '../../ledger/index.js';
import { csvRow, csvText } from '../../csv-cells.js';
import { renderTable } from '../../reports/table.js';
import {
  historyCsv,
  historyJson,
  noBalancesText,
  renderBalances,
  renderHistory,
  renderTransaction,
  renderVerify,
} from '../../reports/ledger.js';
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
import { formatAmount } from '../../money/index.js';
import { ledgerHistorySchema } from '../../output/ledger-history.js';
import { behindWithoutRecording } from '../../payments/book-mark.js';
import { InvariantError, NotFoundError, UsageError } from '../../errors.js';

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
          context.color,
          rows,
          options.account === undefined ? netByCurrency(rows) : new Map(),
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
        lines: lines.map((line) => historyJson(line)),
      }),
    );
  } else if (options.csv) context.out(historyCsv(lines));
  else context.out(`${account} by effective date (UTC)\n${renderHistory(lines)}`);
}

export async function ledgerTx(
  context: CliContext,
  id: number,
  options: LedgerTxFlags,
): Promise<void> {
  const tx = await withDatabase(context, (db) => new Ledger(db).getTransaction(id));
  if (options.json) {
    context.out(contractJson(ledgerTxSchema, ledgerTxJson(tx)));
  } else context.out(renderTransaction(tx));
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
  } else context.out(renderVerify(context.color, report));
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
  const { defaultSimStateFile } = await pspFactory();
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
