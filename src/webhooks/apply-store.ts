import type { ClaimedOrder } from '../payments/store.js';
import type { ChargeOutcome, Dispute } from '../psp/port.js';
import type { DisputeRecord } from '../refunds/chargeback-sync-store.js';
import type { RememberedWebhook } from './webhook-store.js';

/** What the book holds for one event, read inside its unit of work. */
export interface WebhookBook {
  /** The event id was remembered before: nothing else is read. */
  seen: boolean;
  /** The order the event names, when it names one. */
  order: (ClaimedOrder & { psp: string; pspReference: string | null }) | undefined;
  /** The dispute the event is about is booked already. */
  disputeKnown: boolean;
}

/** What applying an event came to: its outcome (src/webhooks/apply.ts) and why. */
export interface WebhookVerdict<Outcome extends string> {
  outcome: Outcome;
  detail: string;
}

/** What pure code decided to do with an event, given the book. */
export type WebhookStep<Outcome extends string> =
  | { act: 'none'; verdict: WebhookVerdict<Outcome> }
  /** Record the PSP's answer for this pending order, through the executor's recorder; `failure` is thrown if it does not move. */
  | {
      act: 'record';
      order: ClaimedOrder;
      result: ChargeOutcome;
      failure: string;
      verdict: WebhookVerdict<Outcome>;
    }
  /** Book the chargeback, as `chargebacks sync` does; `verdict` says (pure, may throw) what that came to. */
  | { act: 'book'; dispute: Dispute; verdict: (record: DisputeRecord) => WebhookVerdict<Outcome> };

/** One event's unit of work, as pure code describes it. */
export interface WebhookUnit<Outcome extends string> {
  eventId: string;
  /** The order to read (its merchant reference), if the event names one. */
  orderId?: string;
  /** The dispute whose booking to read, if the event is about one. */
  disputeId?: string;
  decide(book: WebhookBook): WebhookStep<Outcome>;
  /** The row remembering the event with what it came to; null: not remembered. */
  remember(verdict: WebhookVerdict<Outcome>, at: string): RememberedWebhook | null;
}

/**
 * The webhook applier's storage port (DESIGN.md §10). SQLite's implementation is
 * src/webhooks/sqlite-apply-store.ts.
 */
export interface WebhookApplyStore {
  /**
   * One unit of work: the event id and what the unit asks read, `now` read once, the step pure
   * code decides applied (a charge's record or a chargeback), the event remembered, then
   * `beforeCommit` (only when it was remembered), last.
   */
  apply<Outcome extends string>(
    unit: WebhookUnit<Outcome>,
    now: () => string,
    beforeCommit: (verdict: WebhookVerdict<Outcome>) => void,
  ): Promise<WebhookVerdict<Outcome>>;
}
