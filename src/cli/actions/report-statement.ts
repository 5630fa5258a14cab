import { type CliContext, withDatabase } from '../context.js';
import { lazy } from '../lazy.js';
import { flagValueAsync } from '../options.js';
import type { Period } from '../../reports/periods.js';
import {
  type BalanceSheet,
  type IncomeStatement,
  balanceSheet,
  incomeStatement,
} from '../../reports/statements.js';
import { SqliteReportStore } from '../../reports/sqlite-report-store.js';
import * as output from '../../reports/statement-output.js';
import { InvariantError } from '../../errors.js';

/** `report income` and `report balance-sheet`: the period statements load for them alone. */

/** The --json contract (zod schemas): loaded only when --json is given. */
const json = lazy(async () => {
  const [{ contractJson }, schemas] = await Promise.all([
    import('../../output/contract.js'),
    import('../../output/reports.js'),
  ]);
  return { contractJson, ...schemas };
});

export interface StatementFlags {
  period?: Period;
  begin?: string;
  end?: string;
  depth?: number;
  json?: boolean;
  csv?: boolean;
}

export async function reportStatement(
  context: CliContext,
  name: 'income' | 'balance-sheet',
  flags: StatementFlags,
): Promise<void> {
  const options = {
    period: flags.period,
    begin: flags.begin,
    end: flags.end,
    depth: flags.depth,
  };
  const statement = await withDatabase(context, (db) => {
    const store = new SqliteReportStore(db);
    return flagValueAsync<IncomeStatement | BalanceSheet>(() =>
      name === 'income' ? incomeStatement(store, options) : balanceSheet(store, options),
    );
  });
  if (flags.json) {
    const { contractJson, reportIncomeSchema, reportBalanceSheetSchema } = await json();
    context.out(
      contractJson(
        name === 'income' ? reportIncomeSchema : reportBalanceSheetSchema,
        output.statementJson(statement) as never,
      ),
    );
  } else if (flags.csv) context.out(output.statementCsv(statement));
  else context.out(output.renderStatement(statement));
  if (statement.report === 'balance-sheet' && !statement.balanced) {
    throw new InvariantError(
      `the balance sheet does not balance: ${output.balanceCheckLine(statement)}`,
      { hint: 'run `payops ledger verify`: the books were changed outside payops' },
    );
  }
}
