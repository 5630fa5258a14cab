import { type CliContext, withDatabase } from '../context.js';
import { flagValue } from '../options.js';
import { lazy } from '../lazy.js';
import { csvRow, csvText } from '../../csv-cells.js';
import { renderTable } from '../../reports/table.js';
import {
  historyCsv,
  historyJson,
  noBalancesText,
  renderBalances,
  renderHistory,
} from '../../reports/ledger.js';
// The modules themselves, not ledger/index.js: a balance or a register needs neither the journal
// writer nor the verifier, and start-up is most of what these commands cost.
import { netByCurrency } from '../../ledger/balances.js';
import { SqliteLedgerReads } from '../../ledger/sqlite-ledger-reads.js';
import { asOfBound } from '../../time.js';
import { formatAmount } from '../../money/index.js';

/** The reading commands of the journal (balance, history, accounts); ledger-journal.ts writes and checks it. */

/** The --json contract (zod schemas): loaded only when --json is given. */
const json = lazy(async () => {
  const [{ contractJson }, schemas, history] = await Promise.all([
    import('../../output/contract.js'),
    import('../../output/ledger.js'),
    import('../../output/ledger-history.js'),
  ]);
  return { contractJson, ...schemas, ...history };
});

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

export type LedgerAccountsFlags = { account?: string; json?: boolean };

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
  const { rows, emptyReason } = await withDatabase(context, async (db) => {
    const store = new SqliteLedgerReads(db);
    const found = await store.balances(query);
    return {
      rows: found,
      emptyReason: found.length === 0 ? await store.whyNoBalances(query) : undefined,
    };
  });
  if (options.json) {
    const { contractJson, ledgerBalanceJson, ledgerBalanceSchema } = await json();
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
  const lines = await withDatabase(context, (db) =>
    new SqliteLedgerReads(db).history(account, options),
  );
  if (options.json) {
    const { contractJson, ledgerHistorySchema } = await json();
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

export async function ledgerAccounts(
  context: CliContext,
  options: LedgerAccountsFlags,
): Promise<void> {
  const accounts = await withDatabase(context, (db) =>
    new SqliteLedgerReads(db).accounts(options.account),
  );
  if (options.json) {
    const { contractJson, ledgerAccountsJson, ledgerAccountsSchema } = await json();
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
