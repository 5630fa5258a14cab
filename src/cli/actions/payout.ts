import type { CliContext } from '../context.js';
import { withDatabase } from '../context.js';
import { lazy } from '../lazy.js';
import { renderPayout, renderPayoutList } from '../../reports/payouts.js';
import { renderSellers } from '../../reports/sellers.js';
import { listPayouts, showPayout, sellerReports } from '../../payouts/queries.js';
import { SqlitePayoutsStore } from '../../payouts/sqlite-payouts-store.js';
import { NotFoundError } from '../../errors.js';

/** The --json contract (zod schemas) and the CSV: loaded only when --json or --csv is given. */
const formats = lazy(async () => {
  const [{ contractJson }, schemas] = await Promise.all([
    import('../../output/contract.js'),
    import('../../output/payouts.js'),
  ]);
  return { contractJson, ...schemas };
});

export type PayoutListFlags = { seller?: string; status?: string; json?: boolean; csv?: boolean };
export type PayoutShowFlags = { json?: boolean };
export type ShowFlags = { json?: boolean };

export async function payoutList(context: CliContext, flags: PayoutListFlags): Promise<void> {
  const payouts = await withDatabase(context, (db) =>
    listPayouts(new SqlitePayoutsStore(db), { sellerId: flags.seller, status: flags.status }),
  );
  if (flags.json) {
    const { contractJson, payoutListSchema, payoutSummaryJson } = await formats();
    context.out(contractJson(payoutListSchema, payouts.map(payoutSummaryJson)));
    return;
  }
  if (flags.csv) {
    context.out((await formats()).payoutsCsv(payouts));
    return;
  }
  context.out(
    payouts.length === 0
      ? `no payouts${flags.seller === undefined ? '' : ` for --seller ${flags.seller}`}${flags.status === undefined ? '' : ` with --status ${flags.status}`}`
      : renderPayoutList(payouts),
  );
}

export async function payoutShow(
  context: CliContext,
  payoutId: string,
  flags: PayoutShowFlags,
): Promise<void> {
  const p = await withDatabase(context, (db) => showPayout(new SqlitePayoutsStore(db), payoutId));
  if (flags.json) {
    const { contractJson, payoutShowJson, payoutShowSchema } = await formats();
    context.out(contractJson(payoutShowSchema, payoutShowJson(p)));
    return;
  }
  context.out(renderPayout(p));
}

export async function show(context: CliContext, sellerId: string, flags: ShowFlags): Promise<void> {
  const reports = await withDatabase(context, (db) =>
    sellerReports(new SqlitePayoutsStore(db), sellerId),
  );
  if (reports.length === 0)
    throw new NotFoundError(`seller ${sellerId} has no wallet`, {
      hint: 'see `payops report sellers`',
    });
  if (flags.json) {
    const { contractJson, walletJson, walletShowSchema } = await formats();
    context.out(contractJson(walletShowSchema, walletJson(reports)));
  } else context.out(renderSellers(reports));
}
