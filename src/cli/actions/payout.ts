import type { CliContext } from '../context.js';
import { withDatabase } from '../context.js';
import { lazy } from '../lazy.js';
import type { PayoutSummary } from '../../payouts/queries.js';
import { renderTable } from '../../reports/table.js';
import { renderSellers } from '../../reports/sellers.js';
import { formatAmount } from '../../money/index.js';
import { listPayouts, showPayout, sellerReports } from '../../payouts/queries.js';
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
    listPayouts(db, { sellerId: flags.seller, status: flags.status }),
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
  const view = payouts.map((p: PayoutSummary) => ({
    ...p,
    amount: formatAmount(p.amountMinor, p.currency),
  }));
  context.out(
    payouts.length === 0
      ? `no payouts${flags.seller === undefined ? '' : ` for --seller ${flags.seller}`}${flags.status === undefined ? '' : ` with --status ${flags.status}`}`
      : renderTable(
          [
            { header: 'payout' },
            { header: 'seller' },
            { header: 'amount', align: 'right' },
            { header: 'currency' },
            { header: 'status' },
            { header: 'to' },
            { header: 'psp ref' },
          ],
          view.map((p) => [
            p.payoutId,
            p.sellerId,
            p.amount,
            p.currency,
            p.status,
            p.destination,
            p.pspReference ?? '',
          ]),
        ),
  );
}

export async function payoutShow(
  context: CliContext,
  payoutId: string,
  flags: PayoutShowFlags,
): Promise<void> {
  const p = await withDatabase(context, (db) => showPayout(db, payoutId));
  if (flags.json) {
    const { contractJson, payoutShowJson, payoutShowSchema } = await formats();
    context.out(contractJson(payoutShowSchema, payoutShowJson(p)));
    return;
  }
  context.out(
    [
      `payout ${p.payoutId}  ${p.status}  ${formatAmount(p.amountMinor, p.currency)} ${p.currency} to ${p.sellerId} (${p.destination})`,
      `  key ${p.payoutKey}${p.pspReference ? `, reference ${p.pspReference}` : ''}, attempts ${p.attempts}${p.ledgerTxId ? `, posted as transaction ${p.ledgerTxId}` : ''}`,
      ...(p.lastError ? [`  last error: ${p.lastError}`] : []),
      '',
      renderTable(
        [
          { header: 'at' },
          { header: 'attempt', align: 'right' },
          { header: 'transition' },
          { header: 'cause' },
        ],
        p.transitions.map((t) => [t.at, String(t.attempt), `${t.from ?? '·'} → ${t.to}`, t.cause]),
      ),
    ].join('\n'),
  );
}

export async function show(context: CliContext, sellerId: string, flags: ShowFlags): Promise<void> {
  const reports = await withDatabase(context, (db) => sellerReports(db, sellerId));
  if (reports.length === 0)
    throw new NotFoundError(`seller ${sellerId} has no wallet`, {
      hint: 'see `payops report sellers`',
    });
  if (flags.json) {
    const { contractJson, walletJson, walletShowSchema } = await formats();
    context.out(contractJson(walletShowSchema, walletJson(reports)));
  } else context.out(renderSellers(reports));
}
