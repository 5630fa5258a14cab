import { type Database, inTransaction } from '../db/index.js';
import { PaymentsStore } from '../payments/store.js';
import type { RetryPolicy } from '../payments/retry-policy.js';
import type { ChargebackRecorder } from '../refunds/chargeback-recorder.js';
import { sqliteChargebackRecorder } from '../refunds/sqlite-chargeback-sync-store.js';
import { emptyTally } from '../work/executors/charge.js';
import type { ChargeRecorder } from '../work/executors/charge-recorder.js';
import { sqliteChargeRecorder } from '../work/executors/sqlite-charge-recorder.js';
import { WebhookApplier, type WebhookApplierOptions } from './apply.js';
import type { WebhookApplyStore, WebhookUnit, WebhookVerdict } from './apply-store.js';
import { WebhookEventStore } from './webhook-store.js';

/**
 * Webhooks on SQLite: each event one transaction, recording captures through the executor's own
 * recorder (SqliteWorkStore.recordWithin) and chargebacks through ChargebackRecorder, inside it.
 */
class SqliteWebhookApplyStore implements WebhookApplyStore {
  private readonly store: PaymentsStore;
  private readonly recorder: ChargeRecorder;
  private readonly chargebacks: ChargebackRecorder;
  private readonly events: WebhookEventStore;

  constructor(
    private readonly db: Database,
    options: { psp: string; retry: RetryPolicy },
  ) {
    this.store = new PaymentsStore(db);
    // Webhooks never schedule retries (only pending orders are moved), so the policy is never used.
    this.recorder = sqliteChargeRecorder(db, {
      psp: options.psp,
      retry: options.retry,
      random: () => 1,
    });
    this.chargebacks = sqliteChargebackRecorder(db, options.psp);
    this.events = new WebhookEventStore(db);
  }

  async apply<Outcome extends string>(
    unit: WebhookUnit<Outcome>,
    now: () => string,
    beforeCommit: (verdict: WebhookVerdict<Outcome>) => void,
  ): Promise<WebhookVerdict<Outcome>> {
    return inTransaction(this.db, () => {
      const at = now();
      const seen = this.events.seen(unit.eventId);
      const order =
        seen || unit.orderId === undefined ? undefined : this.store.orderForOutcome(unit.orderId);
      const disputeKnown =
        !seen && unit.disputeId !== undefined && this.chargebacks.isKnown(unit.disputeId);
      const step = unit.decide({ seen, order, disputeKnown });
      let verdict: WebhookVerdict<Outcome>;
      if (step.act === 'record') {
        const tally = emptyTally();
        this.recorder.record([step.order], [step.result], tally, null, at);
        if (tally.succeeded + tally.failed !== 1) throw new Error(step.failure);
        verdict = step.verdict;
      } else if (step.act === 'book') {
        verdict = step.verdict(this.chargebacks.record(step.dispute, at));
      } else verdict = step.verdict;
      const row = unit.remember(verdict, at);
      if (row === null) return verdict;
      this.events.remember(row);
      beforeCommit(verdict);
      return verdict;
    });
  }
}

/** A webhook applier over an SQLite book. */
export function sqliteWebhookApplier(
  db: Database,
  options: WebhookApplierOptions & { retry: RetryPolicy },
): WebhookApplier {
  return new WebhookApplier(new SqliteWebhookApplyStore(db, options), options);
}
