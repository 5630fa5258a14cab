import type { z } from 'zod';
import { attentionListSchema, attentionResolveSchema } from './attention.js';
import { chargebacksListSchema, chargebacksSyncSchema } from './chargebacks.js';
import { checkSchema } from './check.js';
import { ledgerHistorySchema } from './ledger-history.js';
import {
  ledgerAccountsSchema,
  ledgerBalanceSchema,
  ledgerPostSchema,
  ledgerReverseSchema,
  ledgerTxSchema,
  ledgerVerifySchema,
} from './ledger.js';
import { orderShowSchema, ordersListSchema, ordersSyncSchema } from './orders.js';
import { payinRunSchema } from './payin.js';
import {
  payoutListSchema,
  payoutRunSchema,
  payoutShowSchema,
  walletShowSchema,
} from './payouts.js';
import { reconcilePayoutsSchema } from './payout-legs.js';
import { pspSettleSchema } from './psp.js';
import { reconcileBankSchema } from './bank.js';
import {
  reconcileDecideSchema,
  reconcileItemsSchema,
  reconcileReportSchema,
  reconcileReviewSchema,
  reconcileRunSchema,
} from './reconcile.js';
import {
  dlqListSchema,
  dlqRequeueSchema,
  releaseListSchema,
  retryListSchema,
  retryRunSchema,
} from './queue.js';
import {
  reportBalanceSheetSchema,
  reportDailySchema,
  reportIncomeSchema,
  reportSellersSchema,
} from './reports.js';
import { configShowSchema, runsListSchema, runsShowSchema } from './runs.js';
import { webhooksListenSchema, webhooksReplaySchema } from './webhooks.js';

/**
 * Every `--json` output by command path (docs/OUTPUT.md). A command that prints JSON registers its
 * schema here, one line; the contract test runs every `--json` command of the README against it
 * and fails for a command with no entry.
 */
export const OUTPUT_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  'attention list': attentionListSchema,
  'attention resolve': attentionResolveSchema,
  'chargebacks list': chargebacksListSchema,
  'chargebacks sync': chargebacksSyncSchema,
  check: checkSchema,
  'config show': configShowSchema,
  'dlq list': dlqListSchema,
  'dlq requeue': dlqRequeueSchema,
  'ledger accounts': ledgerAccountsSchema,
  'ledger balance': ledgerBalanceSchema,
  'ledger history': ledgerHistorySchema,
  'ledger post': ledgerPostSchema,
  'ledger reverse': ledgerReverseSchema,
  'ledger tx': ledgerTxSchema,
  'ledger verify': ledgerVerifySchema,
  'orders list': ordersListSchema,
  'orders show': orderShowSchema,
  'orders sync': ordersSyncSchema,
  'payin run': payinRunSchema,
  'payout list': payoutListSchema,
  'payout run': payoutRunSchema,
  'payout show': payoutShowSchema,
  'psp settle': pspSettleSchema,
  'reconcile bank': reconcileBankSchema,
  'reconcile decide': reconcileDecideSchema,
  'reconcile items': reconcileItemsSchema,
  'reconcile payouts': reconcilePayoutsSchema,
  'reconcile report': reconcileReportSchema,
  'reconcile review': reconcileReviewSchema,
  // A statement given to `reconcile run` is handed to the bank leg and answered in its shape.
  'reconcile run': reconcileRunSchema.or(reconcileBankSchema),
  'release list': releaseListSchema,
  'report balance-sheet': reportBalanceSheetSchema,
  'report daily': reportDailySchema,
  'report income': reportIncomeSchema,
  'report sellers': reportSellersSchema,
  'retry list': retryListSchema,
  'retry run': retryRunSchema,
  'runs list': runsListSchema,
  'runs show': runsShowSchema,
  'wallet show': walletShowSchema,
  'webhooks listen': webhooksListenSchema,
  'webhooks replay': webhooksReplaySchema,
};

/** The schema of a command path ("orders list"), or undefined when none is registered. */
export function outputSchemaOf(commandPath: string): z.ZodType | undefined {
  return Object.hasOwn(OUTPUT_SCHEMAS, commandPath) ? OUTPUT_SCHEMAS[commandPath] : undefined;
}
