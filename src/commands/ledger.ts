import { type Command, Option } from 'commander';
import { type CliContext, contextOf, examples, withDatabase } from '../cli/context.js';
import { flagValue, positiveInteger, transactionId } from '../cli/options.js';
import type {
  AccountBalance,
  ExportFormat,
  HistoryLine,
  TransactionRecord,
  VerifyReport,
} from '../ledger/index.js';
import { csvRow, csvText } from '../reports/csv.js';
import { renderTable } from '../reports/table.js';
import type { OutputGuard } from '../private-files.js';

export function registerLedger(program: Command): void {
  const ledger = program
    .command('ledger')
    .description('the double-entry journal: post, balances, history, verify, export')
    .addHelpText('after', examples('payops ledger balance --depth 2', 'payops ledger verify'));

  ledger
    .command('post')
    .description('post journal transactions from a file (one JSON object, a JSON array, or NDJSON)')
    .requiredOption('--file <file>', 'the postings to write')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `${examples('payops ledger post --file opening.json')}
Each transaction:
  {"idempotencyKey":"opening-2026","description":"Opening balance","effectiveAt":"2026-11-01",
   "entries":[{"account":"assets:bank:operating","currency":"USD","debit":"1000.00"},
              {"account":"equity:opening","currency":"USD","credit":"1000.00"}]}
The whole file is posted atomically; a key posted before with the same content is skipped.
`,
    )
    .action(async (options: { file: string; json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { Ledger, readPostingFile } = await import('../ledger/index.js');
      const postings = readPostingFile(options.file);
      const results = await withDatabase(context, (db) =>
        new Ledger(db).postBatch(
          postings.map((posting) => posting.request),
          (index) => postings[index]?.where ?? options.file,
        ),
      );
      const created = results.filter((result) => result.created).length;
      if (options.json) {
        const { contractJson } = await import('../output/contract.js');
        const { ledgerPostSchema } = await import('../output/ledger.js');
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
    });

  ledger
    .command('balance')
    .description(
      "balance of every account, now or as of a time, in each account's normal direction",
    )
    .option(
      '--as-of <time>',
      'effective time, inclusive; a bare date means the end of that day (UTC)',
    )
    .option('--account <prefix>', 'only accounts under this prefix, e.g. liabilities:sellers')
    .option('--depth <n>', 'roll accounts up to N segments', positiveInteger)
    .option('--empty', 'also show accounts whose balance is zero')
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .option('--csv', 'print as CSV')
    .addHelpText(
      'after',
      examples(
        'payops ledger balance',
        'payops ledger balance --as-of 2026-11-23 --account assets --json',
      ),
    )
    .action(
      async (
        options: {
          asOf?: string;
          account?: string;
          depth?: number;
          empty?: boolean;
          json?: boolean;
          csv?: boolean;
        },
        command: Command,
      ) => {
        const context = contextOf(command);
        // Only what a balance needs: this is the command finance runs most, and start-up is most of its cost.
        const { balances, netByCurrency, whyNoBalances } = await import('../ledger/balances.js');
        const { asOfBound } = await import('../time.js');
        const asOf =
          options.asOf === undefined
            ? undefined
            : flagValue(() => asOfBound(options.asOf as string));
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
        const { formatAmount } = await import('../money/index.js');
        if (options.json) {
          const { contractJson } = await import('../output/contract.js');
          const { ledgerBalanceJson, ledgerBalanceSchema } = await import('../output/ledger.js');
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
          if (emptyReason !== undefined)
            context.out(noBalancesText(emptyReason, options.account, asOf));
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
      },
    );

  ledger
    .command('history')
    .description(
      'the register of one account by effective date: every entry with one running balance per currency',
    )
    .argument('<account>', 'full account name, e.g. assets:bank:operating')
    .option('--currency <code>', 'only this currency')
    .option('--limit <n>', 'only the last N lines', positiveInteger)
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .option('--csv', "print as CSV (each row with its own currency's running balance)")
    .addHelpText(
      'after',
      examples(
        'payops ledger history assets:bank:operating --limit 20',
        'payops ledger history assets:psp:sim:receivable --csv',
      ),
    )
    .action(
      async (
        account: string,
        options: { currency?: string; limit?: number; json?: boolean; csv?: boolean },
        command: Command,
      ) => {
        const context = contextOf(command);
        const { accountHistory } = await import('../ledger/index.js');
        const { formatAmount, moneyJson } = await import('../money/index.js');
        const lines = await withDatabase(context, (db) => accountHistory(db, account, options));
        if (options.json) {
          const { contractJson } = await import('../output/contract.js');
          const { ledgerHistorySchema } = await import('../output/ledger-history.js');
          context.out(
            contractJson(ledgerHistorySchema, {
              account,
              dateBasis: 'effective',
              lines: lines.map((line) => historyJson(line, moneyJson)),
            }),
          );
        } else if (options.csv) context.out(historyCsv(lines, formatAmount));
        else
          context.out(`${account} by effective date (UTC)\n${renderHistory(lines, formatAmount)}`);
      },
    );

  ledger
    .command('tx')
    .description('one journal transaction with its entries and hashes')
    .argument('<id>', 'transaction id', transactionId)
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops ledger tx 42'))
    .action(async (id: number, options: { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { Ledger } = await import('../ledger/index.js');
      const { formatAmount } = await import('../money/index.js');
      const tx = await withDatabase(context, (db) => new Ledger(db).getTransaction(id));
      if (options.json) {
        const { contractJson } = await import('../output/contract.js');
        const { ledgerTxJson, ledgerTxSchema } = await import('../output/ledger.js');
        context.out(contractJson(ledgerTxSchema, ledgerTxJson(tx)));
      } else context.out(renderTransaction(tx, formatAmount));
    });

  ledger
    .command('accounts')
    .description('every account with its type, currency, entry count and balance')
    .option('--account <prefix>', 'only accounts under this prefix')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops ledger accounts --account liabilities'))
    .action(async (options: { account?: string; json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { listAccounts } = await import('../ledger/index.js');
      const { formatAmount } = await import('../money/index.js');
      const accounts = await withDatabase(context, (db) => listAccounts(db, options.account));
      if (options.json) {
        const { contractJson } = await import('../output/contract.js');
        const { ledgerAccountsJson, ledgerAccountsSchema } = await import('../output/ledger.js');
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
          rows.map((row) => [
            row.account,
            row.type,
            String(row.entries),
            row.balance,
            row.currency,
          ]),
        ),
      );
    });

  ledger
    .command('verify')
    .description(
      "recompute the hash chain, every transaction's sums and every balance (exit 5 on any discrepancy)",
    )
    .option('--json', 'print the report as JSON')
    .addHelpText('after', examples('payops ledger verify'))
    .action(async (options: { json?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { verifyLedger } = await import('../ledger/index.js');
      const { behindWithoutRecording } = await import('../payments/book-mark.js');
      const { report, behind } = await withDatabase(context, (db) => ({
        report: verifyLedger(db),
        behind: behindWithoutRecording(db),
      }));
      if (options.json) {
        const { contractJson } = await import('../output/contract.js');
        const { ledgerVerifyJson, ledgerVerifySchema } = await import('../output/ledger.js');
        context.out(contractJson(ledgerVerifySchema, ledgerVerifyJson(report)));
      } else context.out(renderVerify(context, report));
      if (behind !== null) context.err(`payops: note: ${behind}`);
      if (!report.ok) {
        const { InvariantError } = await import('../errors.js');
        const first = report.problems[0];
        throw new InvariantError(
          `ledger verification failed${first?.txId != null ? ` at transaction ${first.txId}` : ''}: ${first?.problem ?? 'see above'}`,
          {
            hint: 'the books were changed outside payops; restore the database from a backup as "Restoring from a backup" in docs/RELIABILITY.md says, and investigate',
          },
        );
      }
    });

  ledger
    .command('export')
    .description('write the journal for hledger / ledger-cli, beancount, or a spreadsheet')
    .addOption(
      new Option('--format <format>', 'output format')
        .choices(['hledger', 'beancount', 'csv'])
        .makeOptionMandatory(),
    )
    .option('--out <file>', 'write to this file (created 0600) instead of stdout')
    .addHelpText(
      'after',
      examples(
        'payops ledger export --format hledger --out books.journal && hledger -f books.journal balance',
      ),
    )
    .action(async (options: { format: ExportFormat; out?: string }, command: Command) => {
      const context = contextOf(command);
      const { exportJournal } = await import('../ledger/index.js');
      const { defaultSimStateFile } = await import('../psp/factory.js');
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
    });

  ledger
    .command('reverse')
    .description(
      'post the mirror image of a transaction (the ledger is append-only: this is how to correct it)',
    )
    .argument('[id]', 'transaction to reverse', transactionId)
    .option(
      '--key <idempotencyKey>',
      'name the transaction by its idempotency key instead of its id',
    )
    .requiredOption('--reason <text>', 'why; recorded in the reversal')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      examples(
        'payops ledger reverse 42 --reason "posted twice by hand"',
        'payops ledger reverse --key bank-charges-2026-11-23-again --reason "entered twice"',
      ),
    )
    .action(
      async (
        id: number | undefined,
        options: { key?: string; reason: string; json?: boolean },
        command: Command,
      ) => {
        const context = contextOf(command);
        const { Ledger } = await import('../ledger/index.js');
        const { NotFoundError, UsageError } = await import('../errors.js');
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
        const { contractJson } = await import('../output/contract.js');
        const { ledgerReverseSchema } = await import('../output/ledger.js');
        context.out(
          options.json
            ? contractJson(ledgerReverseSchema, { reversedTxId: txId, reversalTxId: result.txId })
            : `transaction ${txId} reversed by transaction ${result.txId}`,
        );
      },
    );
}

type FormatAmount = (amountMinor: bigint, currency: import('../money/index.js').Currency) => string;

/** Names what matched nothing: "the ledger is empty" only when it is. */
function noBalancesText(
  reason: import('../ledger/balances.js').NoBalancesReason,
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

type MoneyJsonOf = typeof import('../money/index.js').moneyJson;

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
    const { PrivateFile } = await import('../private-files.js');
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
