import { type Database, inTransaction } from '../db/index.js';
import { InputError } from '../errors.js';
import { failpoint } from '../failpoints.js';
import { isPlainText } from '../input/text.js';
import { type Currency, printable, toCurrency } from '../money/index.js';
import { parseMinor } from '../psp/http/wire.js';
import type { ChargeOutcome, Dispute } from '../psp/port.js';
import { ChargebackRecorder } from '../refunds/chargeback-recorder.js';
import { normalizeInstant } from '../time.js';
import { emptyTally } from '../work/executors/charge.js';
import { ChargeRecorder } from '../work/executors/charge-recorder.js';
import type { RetryPolicy } from '../payments/retry-policy.js';
import { PaymentsStore } from '../payments/store.js';
import { WebhookEventStore } from './webhook-store.js';

/** A PSP event about one charge or dispute, as `payops psp serve` sends it (amounts as strings of minor units). */
export type WebhookEvent = ChargeEvent | DisputeEvent | { ignored: { id: string; type: string } };

export interface DisputeEvent {
  id: string;
  type: 'dispute.created';
  created: string;
  dispute: Dispute;
}

export interface ChargeEvent {
  id: string;
  type: 'charge.pending' | 'charge.succeeded' | 'charge.failed';
  created: string;
  charge: {
    id: string;
    merchantReference: string;
    amountMinor: bigint;
    currency: Currency;
    feeMinor: bigint | null;
    failureCode: string | null;
  };
}

/**
 * What applying an event did. `duplicate` is an event id seen before: nothing is written.
 * `retry_later` is not remembered either: the listener answers 409 and the PSP redelivers. Every
 * other outcome is remembered with the event id, in the transaction that applied it.
 * - applied: a pending order became succeeded (capture, fee and wallet posted) or failed;
 * - already_applied: the order already says what the event says;
 * - stale: a `charge.pending` for an order already final (it arrived late, out of order);
 * - retry_later: a final event (succeeded, failed) for an order payops has no answer for yet (new,
 *   executing, scheduled for retry, dead-lettered). The state machine allows no way from there to
 *   a final state but through the executor, and the executor may yet learn only `pending` (a
 *   replay of the first answer for the key is the first answer), so the event is kept at the PSP,
 *   which redelivers it with backoff: by then the order is pending (applied) or final;
 * - deferred: a `charge.pending` for such an order: it tells nothing the executor will not learn;
 * - unknown_order: no such order: reconciliation's business (missing_internal);
 * - mismatch: the event's amount, currency, PSP or charge reference is not the order's;
 * - conflict: the PSP says the opposite of a final state payops recorded;
 * - ignored: an event type payops does not act on.
 * Nothing but `applied` changes an order, and only along the state machine (pending → final).
 * A `dispute.created` is `applied` by booking the chargeback exactly as `chargebacks sync` does (the
 * same function), `already_applied` if that dispute is booked, `retry_later` while its order is not
 * captured in payops yet, `conflict` if payops has the order as failed.
 * `payops orders sync` remains the catch-all for a pending order whose events never came.
 */
export type WebhookOutcome =
  | 'applied'
  | 'duplicate'
  | 'retry_later'
  | 'already_applied'
  | 'stale'
  | 'deferred'
  | 'unknown_order'
  | 'mismatch'
  | 'conflict'
  | 'ignored';

/** Outcomes a person should look at. */
export const ALARMING_OUTCOMES: readonly WebhookOutcome[] = ['mismatch', 'conflict'];

const CHARGE_EVENT_TYPES = ['charge.pending', 'charge.succeeded', 'charge.failed'] as const;
const MAX_ID_LENGTH = 200;

/** Parses a verified event body; anything malformed is refused (the listener answers 400). */
export function parseWebhookEvent(body: string): WebhookEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new InputError('event: not valid JSON');
  }
  const event = raw as {
    id?: unknown;
    type?: unknown;
    created?: unknown;
    data?: { object?: Record<string, unknown> };
  } | null;
  const id = identifier(event?.id, 'id');
  if (!/^evt_[A-Za-z0-9_]+$/.test(id))
    throw new InputError(`id: "${id.slice(0, 40)}" is not an event id (evt_…)`);
  const type = identifier(event?.type, 'type');
  const created = normalizeInstant(event?.created, 'created');
  const object = event?.data?.object;
  if (type === 'dispute.created') {
    if (typeof object !== 'object' || object === null || object.object !== 'dispute')
      throw new InputError('data.object: expected a dispute');
    return {
      id,
      type,
      created,
      dispute: {
        disputeId: identifier(object.id, 'data.object.id'),
        chargeReference: identifier(object.charge, 'data.object.charge'),
        merchantReference: identifier(object.merchantReference, 'data.object.merchantReference'),
        amountMinor: parseMinor(object.amountMinor, 'data.object.amountMinor'),
        disputeFeeMinor: parseMinor(object.feeMinor, 'data.object.feeMinor'),
        currency: toCurrency(object.currency, 'data.object.currency'),
        createdAt: normalizeInstant(object.created, 'data.object.created'),
      },
    };
  }
  if (!(CHARGE_EVENT_TYPES as readonly string[]).includes(type)) return { ignored: { id, type } };
  if (typeof object !== 'object' || object === null || object.object !== 'charge')
    throw new InputError('data.object: expected a charge');
  const status = type.slice('charge.'.length);
  if (object.status !== status)
    throw new InputError(
      `data.object.status: "${printable(String(object.status))}" does not match the event type ${type}`,
    );
  return {
    id,
    type: type as ChargeEvent['type'],
    created,
    charge: {
      id: identifier(object.id, 'data.object.id'),
      merchantReference: identifier(object.merchantReference, 'data.object.merchantReference'),
      amountMinor: parseMinor(object.amountMinor, 'data.object.amountMinor'),
      currency: toCurrency(object.currency, 'data.object.currency'),
      feeMinor:
        object.feeMinor === null || object.feeMinor === undefined
          ? null
          : parseMinor(object.feeMinor, 'data.object.feeMinor'),
      failureCode: typeof object.failureCode === 'string' ? object.failureCode : null,
    },
  };
}

/** An id or reference as the PSP sends it: printed in logs and stored, so printable text only. */
function identifier(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH)
    throw new InputError(`${where}: expected a non-empty string`);
  if (!isPlainText(value))
    throw new InputError(
      `${where}: "${printable(value, 40)}" holds a control character or an unpaired surrogate; an id must be printable text`,
    );
  return value;
}

export interface WebhookApplierOptions {
  /** The PSP whose events these are: its orders and receivable account (`http`). */
  psp: string;
  retry: RetryPolicy;
  clock: () => number;
}

/**
 * Applies verified PSP events to orders through the executor's own recorder (same state machine,
 * same postings), each in one transaction together with the row that remembers its event id.
 */
export class WebhookApplier {
  private readonly store: PaymentsStore;
  private readonly recorder: ChargeRecorder;
  private readonly chargebacks: ChargebackRecorder;
  private readonly events: WebhookEventStore;

  constructor(
    private readonly db: Database,
    private readonly options: WebhookApplierOptions,
  ) {
    this.store = new PaymentsStore(db);
    // Webhooks never schedule retries (only pending orders are moved), so the policy is never used.
    this.recorder = new ChargeRecorder(db, {
      psp: options.psp,
      retry: options.retry,
      random: () => 1,
    });
    this.chargebacks = new ChargebackRecorder(db, options.psp);
    this.events = new WebhookEventStore(db);
  }

  apply(
    parsed: WebhookEvent,
    source: 'listen' | 'replay',
  ): { outcome: WebhookOutcome; detail: string } {
    return inTransaction(this.db, () => {
      const at = new Date(this.options.clock()).toISOString();
      const id = 'ignored' in parsed ? parsed.ignored.id : parsed.id;
      if (this.events.seen(id))
        return {
          outcome: 'duplicate' as const,
          detail: `event ${id} was received before; nothing changed`,
        };
      if ('ignored' in parsed) {
        const detail = `payops does not act on ${parsed.ignored.type} events`;
        this.events.remember({
          eventId: id,
          type: parsed.ignored.type,
          objectId: '',
          orderId: '',
          psp: this.options.psp,
          eventCreatedAt: at,
          receivedAt: at,
          source,
          outcome: 'ignored',
          detail,
        });
        return { outcome: 'ignored' as const, detail };
      }
      const { outcome, detail } =
        'dispute' in parsed ? this.decideDispute(parsed.dispute, at) : this.decide(parsed, at);
      if (outcome === 'retry_later') return { outcome, detail };
      const [objectId, orderId] =
        'dispute' in parsed
          ? [parsed.dispute.disputeId, parsed.dispute.merchantReference]
          : [parsed.charge.id, parsed.charge.merchantReference];
      this.events.remember({
        eventId: parsed.id,
        type: parsed.type,
        objectId,
        orderId,
        psp: this.options.psp,
        eventCreatedAt: parsed.created,
        receivedAt: at,
        source,
        outcome,
        detail,
      });
      failpoint('webhook.before-commit');
      return { outcome, detail };
    });
  }

  private decideDispute(
    dispute: Dispute,
    at: string,
  ): { outcome: Exclude<WebhookOutcome, 'duplicate'>; detail: string } {
    const order = this.store.orderForOutcome(dispute.merchantReference);
    if (!order)
      return {
        outcome: 'unknown_order',
        detail: `dispute ${dispute.disputeId} names no order ${dispute.merchantReference}: left for reconciliation`,
      };
    const where = `order ${order.orderId}`;
    if (this.chargebacks.isKnown(dispute.disputeId))
      return {
        outcome: 'already_applied',
        detail: `dispute ${dispute.disputeId} is booked already`,
      };
    if (order.psp !== this.options.psp)
      return {
        outcome: 'mismatch',
        detail: `${where} was charged through ${order.psp}, not ${this.options.psp}`,
      };
    if (dispute.currency !== order.currency || dispute.amountMinor > order.amountMinor) {
      return {
        outcome: 'mismatch',
        detail: `${where} is ${order.amountMinor} ${order.currency}, dispute ${dispute.disputeId} is for ${dispute.amountMinor} ${dispute.currency}`,
      };
    }
    if (order.pspReference !== null && order.pspReference !== dispute.chargeReference) {
      return {
        outcome: 'mismatch',
        detail: `${where} is charge ${order.pspReference} at the PSP, dispute ${dispute.disputeId} is on ${dispute.chargeReference}`,
      };
    }
    switch (order.fromStatus) {
      case 'succeeded': {
        const booked = this.chargebacks.record(dispute, at);
        if (booked.recorded === 'refund_in_flight')
          return {
            outcome: 'retry_later',
            detail: `${where}: ${booked.reason}: the PSP will deliver this again`,
          };
        if (booked.recorded !== 'booked')
          throw new Error(
            `dispute ${dispute.disputeId}: the chargeback recorder did not book it (${booked.recorded})`,
          );
        return { outcome: 'applied', detail: `${where}: chargeback ${dispute.disputeId} booked` };
      }
      case 'failed':
        return {
          outcome: 'conflict',
          detail: `${where} is failed in payops but the PSP says its charge ${dispute.chargeReference} was disputed: left for reconciliation`,
        };
      default:
        return {
          outcome: 'retry_later',
          detail: `${where} is ${order.fromStatus}, not captured in payops yet: the PSP will deliver this again`,
        };
    }
  }

  private decide(
    event: ChargeEvent,
    at: string,
  ): { outcome: Exclude<WebhookOutcome, 'duplicate'>; detail: string } {
    const { charge } = event;
    const order = this.store.orderForOutcome(charge.merchantReference);
    if (!order)
      return {
        outcome: 'unknown_order',
        detail: `no order ${charge.merchantReference}: left for reconciliation`,
      };
    const where = `order ${order.orderId}`;
    if (order.psp !== this.options.psp)
      return {
        outcome: 'mismatch',
        detail: `${where} was charged through ${order.psp}, not ${this.options.psp}`,
      };
    if (charge.amountMinor !== order.amountMinor || charge.currency !== order.currency) {
      return {
        outcome: 'mismatch',
        detail: `${where} is ${order.amountMinor} ${order.currency}, the event says ${charge.amountMinor} ${charge.currency}`,
      };
    }
    if (order.pspReference !== null && order.pspReference !== charge.id) {
      return {
        outcome: 'mismatch',
        detail: `${where} is charge ${order.pspReference} at the PSP, the event is about ${charge.id}`,
      };
    }
    const says =
      event.type === 'charge.succeeded'
        ? 'succeeded'
        : event.type === 'charge.failed'
          ? 'failed'
          : 'pending';
    switch (order.fromStatus) {
      case 'pending': {
        if (says === 'pending')
          return { outcome: 'already_applied', detail: `${where} is pending already` };
        const result: ChargeOutcome =
          says === 'succeeded'
            ? { status: 'succeeded', pspReference: charge.id, feeMinor: charge.feeMinor }
            : {
                status: 'declined',
                pspReference: charge.id,
                reason: charge.failureCode ?? 'failed',
              };
        const tally = emptyTally();
        this.recorder.record([order], [result], tally, null, at);
        if (tally.succeeded + tally.failed !== 1)
          throw new Error(`${where}: the recorder did not move it from pending`);
        return { outcome: 'applied', detail: `${where}: pending → ${says} (${charge.id})` };
      }
      case 'succeeded':
      case 'failed':
        if (says === order.fromStatus)
          return { outcome: 'already_applied', detail: `${where} is ${says} already` };
        if (says === 'pending')
          return {
            outcome: 'stale',
            detail: `${where} is ${order.fromStatus}; a late charge.pending changes nothing`,
          };
        return {
          outcome: 'conflict',
          detail: `${where} is ${order.fromStatus} in payops but the PSP says ${says} (${charge.id}): left for reconciliation`,
        };
      default:
        if (says === 'pending')
          return {
            outcome: 'deferred',
            detail: `${where} is ${order.fromStatus}: the executor learns this from the PSP itself`,
          };
        return {
          outcome: 'retry_later',
          detail: `${where} is ${order.fromStatus}, not pending yet: the PSP will deliver this again`,
        };
    }
  }
}
