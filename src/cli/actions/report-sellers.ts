import { type CliContext, withDatabase } from '../context.js';
import { lazy } from '../lazy.js';
import { sellerReports } from '../../payouts/queries.js';
import { SqlitePayoutsStore } from '../../payouts/sqlite-payouts-store.js';
import { renderSellers, sellersCsv, sellersJson } from '../../reports/sellers.js';

/** `report sellers`: the wallets and their open work (payouts/queries) load for it alone. */

/** The --json contract (zod schemas): loaded only when --json is given. */
const json = lazy(async () => {
  const [{ contractJson }, { reportSellersSchema }] = await Promise.all([
    import('../../output/contract.js'),
    import('../../output/reports.js'),
  ]);
  return { contractJson, reportSellersSchema };
});

export type ReportSellersFlags = { json?: boolean; csv?: boolean };

export async function reportSellers(context: CliContext, flags: ReportSellersFlags): Promise<void> {
  const reports = await withDatabase(context, (db) => sellerReports(new SqlitePayoutsStore(db)));
  if (flags.json) {
    const { contractJson, reportSellersSchema } = await json();
    context.out(contractJson(reportSellersSchema, sellersJson(reports)));
  } else if (flags.csv) context.out(sellersCsv(reports));
  else context.out(reports.length === 0 ? 'no sellers yet' : renderSellers(reports));
}
