import { type Command, Option } from 'commander';
import { contextOf, examples } from './context.js';
import { positiveInteger, transactionId } from './options.js';
import { lazy } from './lazy.js';
import type {
  LedgerBalanceFlags,
  LedgerHistoryFlags,
  LedgerAccountsFlags,
} from './actions/ledger.js';
import type {
  LedgerPostFlags,
  LedgerTxFlags,
  LedgerVerifyFlags,
  LedgerExportFlags,
  LedgerReverseFlags,
} from './actions/ledger-journal.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/ledger.js'));
/** Posting, reversing, verifying and exporting load the journal writer and verifier; reading does not. */
const journalActions = lazy(() => import('./actions/ledger-journal.js'));

export function registerLedger(program: Command): void {
  const ledger = program
    .command('ledger')
    .description('the double-entry journal: post, balances, history, verify, export')
    .addHelpText('after', examples('payops ledger balance --depth 2', 'payops ledger verify'));

  ledgerPost(ledger);

  ledgerBalance(ledger);

  ledgerHistory(ledger);

  ledgerTx(ledger);

  ledgerAccounts(ledger);

  ledgerVerify(ledger);

  ledgerExport(ledger);

  ledgerReverse(ledger);
}

function ledgerPost(ledger: Command): void {
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
    .action(async (options: LedgerPostFlags, command: Command) =>
      (await journalActions()).ledgerPost(contextOf(command), options),
    );
}

function ledgerBalance(ledger: Command): void {
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
    .action(async (options: LedgerBalanceFlags, command: Command) =>
      (await actions()).ledgerBalance(contextOf(command), options),
    );
}

function ledgerHistory(ledger: Command): void {
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
    .action(async (account: string, options: LedgerHistoryFlags, command: Command) =>
      (await actions()).ledgerHistory(contextOf(command), account, options),
    );
}

function ledgerTx(ledger: Command): void {
  ledger
    .command('tx')
    .description('one journal transaction with its entries and hashes')
    .argument('<id>', 'transaction id', transactionId)
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops ledger tx 42'))
    .action(async (id: number, options: LedgerTxFlags, command: Command) =>
      (await journalActions()).ledgerTx(contextOf(command), id, options),
    );
}

function ledgerAccounts(ledger: Command): void {
  ledger
    .command('accounts')
    .description('every account with its type, currency, entry count and balance')
    .option('--account <prefix>', 'only accounts under this prefix')
    .option('--json', 'print as JSON')
    .addHelpText('after', examples('payops ledger accounts --account liabilities'))
    .action(async (options: LedgerAccountsFlags, command: Command) =>
      (await actions()).ledgerAccounts(contextOf(command), options),
    );
}

function ledgerVerify(ledger: Command): void {
  ledger
    .command('verify')
    .description(
      "recompute the hash chain, every transaction's sums and every balance (exit 5 on any discrepancy)",
    )
    .option('--json', 'print the report as JSON')
    .addHelpText('after', examples('payops ledger verify'))
    .action(async (options: LedgerVerifyFlags, command: Command) =>
      (await journalActions()).ledgerVerify(contextOf(command), options),
    );
}

function ledgerExport(ledger: Command): void {
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
    .action(async (options: LedgerExportFlags, command: Command) =>
      (await journalActions()).ledgerExport(contextOf(command), options),
    );
}

function ledgerReverse(ledger: Command): void {
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
    .action(async (id: number | undefined, options: LedgerReverseFlags, command: Command) =>
      (await journalActions()).ledgerReverse(contextOf(command), id, options),
    );
}
