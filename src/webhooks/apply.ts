import { InputError } from '../errors.js';
import { failpoint } from '../failpoints.js';
import { isPlainText } from '../input/text.js';
import { type Currency, printable, toCurrency } from '../money/index.js';
import { parseMinor } from '../psp/http/wire.js';
import type { ChargeOutcome, Dispute } from '../psp/port.js';
import { normalizeInstant } from '../time.js';
import type {
  WebhookApplyStore,
  WebhookBook,
  WebhookStep,
  WebhookUnit,
  WebhookVerdict,
} from './apply-store.js';

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
  clock: () => number;
}

type Outcome = Exclude<WebhookOutcome, 'duplicate'>;
type Step = WebhookStep<WebhookOutcome>;

function done(verdict: WebhookVerdict<Outcome>): Step {
  return { act: 'none', verdict };
}

/**
 * Applies verified PSP events to orders through the executor's own recorder (same state machine,
 * same postings), each in one unit of work together with the row that remembers its event id.
 */
export class WebhookApplier {
  constructor(
    private readonly store: WebhookApplyStore,
    private readonly options: WebhookApplierOptions,
  ) {}

  apply(
    parsed: WebhookEvent,
    source: 'listen' | 'replay',
  ): Promise<{ outcome: WebhookOutcome; detail: string }> {
    return this.store.apply(
      this.unitOf(parsed, source),
      () => new Date(this.options.clock()).toISOString(),
      (verdict) => {
        if (verdict.outcome !== 'ignored') failpoint('webhook.before-commit');
      },
    );
  }

  /** The event's unit of work: what it reads, what it decides, how it is remembered (pure). */
  private unitOf(parsed: WebhookEvent, source: 'listen' | 'replay'): WebhookUnit<WebhookOutcome> {
    const psp = this.options.psp;
    if ('ignored' in parsed) {
      const { id, type } = parsed.ignored;
      return {
        eventId: id,
        decide: (book) =>
          book.seen
            ? duplicate(id)
            : done({ outcome: 'ignored', detail: `payops does not act on ${type} events` }),
        remember: ({ outcome, detail }, at) =>
          outcome === 'duplicate'
            ? null
            : {
                eventId: id,
                type,
                objectId: '',
                orderId: '',
                psp,
                eventCreatedAt: at,
                receivedAt: at,
                source,
                outcome,
                detail,
              },
      };
    }
    const [objectId, orderId] =
      'dispute' in parsed
        ? [parsed.dispute.disputeId, parsed.dispute.merchantReference]
        : [parsed.charge.id, parsed.charge.merchantReference];
    return {
      eventId: parsed.id,
      orderId,
      ...('dispute' in parsed ? { disputeId: parsed.dispute.disputeId } : {}),
      decide: (book) => {
        if (book.seen) return duplicate(parsed.id);
        return 'dispute' in parsed
          ? this.decideDispute(parsed.dispute, book)
          : this.decide(parsed, book);
      },
      remember: ({ outcome, detail }, at) =>
        outcome === 'duplicate' || outcome === 'retry_later'
          ? null
          : {
              eventId: parsed.id,
              type: parsed.type,
              objectId,
              orderId,
              psp,
              eventCreatedAt: parsed.created,
              receivedAt: at,
              source,
              outcome,
              detail,
            },
    };
  }

  private decideDispute(dispute: Dispute, book: WebhookBook): Step {
    const order = book.order;
    if (!order)
      return done({
        outcome: 'unknown_order',
        detail: `dispute ${dispute.disputeId} names no order ${dispute.merchantReference}: left for reconciliation`,
      });
    const where = `order ${order.orderId}`;
    if (book.disputeKnown)
      return done({
        outcome: 'already_applied',
        detail: `dispute ${dispute.disputeId} is booked already`,
      });
    if (order.psp !== this.options.psp)
      return done({
        outcome: 'mismatch',
        detail: `${where} was charged through ${order.psp}, not ${this.options.psp}`,
      });
    if (dispute.currency !== order.currency || dispute.amountMinor > order.amountMinor) {
      return done({
        outcome: 'mismatch',
        detail: `${where} is ${order.amountMinor} ${order.currency}, dispute ${dispute.disputeId} is for ${dispute.amountMinor} ${dispute.currency}`,
      });
    }
    if (order.pspReference !== null && order.pspReference !== dispute.chargeReference) {
      return done({
        outcome: 'mismatch',
        detail: `${where} is charge ${order.pspReference} at the PSP, dispute ${dispute.disputeId} is on ${dispute.chargeReference}`,
      });
    }
    switch (order.fromStatus) {
      case 'succeeded':
        return {
          act: 'book',
          dispute,
          verdict: (booked) => {
            if (booked.recorded === 'refund_in_flight')
              return {
                outcome: 'retry_later',
                detail: `${where}: ${booked.reason}: the PSP will deliver this again`,
              };
            if (booked.recorded !== 'booked')
              throw new Error(
                `dispute ${dispute.disputeId}: the chargeback recorder did not book it (${booked.recorded})`,
              );
            return {
              outcome: 'applied',
              detail: `${where}: chargeback ${dispute.disputeId} booked`,
            };
          },
        };
      case 'failed':
        return done({
          outcome: 'conflict',
          detail: `${where} is failed in payops but the PSP says its charge ${dispute.chargeReference} was disputed: left for reconciliation`,
        });
      default:
        return done({
          outcome: 'retry_later',
          detail: `${where} is ${order.fromStatus}, not captured in payops yet: the PSP will deliver this again`,
        });
    }
  }

  private decide(event: ChargeEvent, book: WebhookBook): Step {
    const { charge } = event;
    const order = book.order;
    if (!order)
      return done({
        outcome: 'unknown_order',
        detail: `no order ${charge.merchantReference}: left for reconciliation`,
      });
    const where = `order ${order.orderId}`;
    if (order.psp !== this.options.psp)
      return done({
        outcome: 'mismatch',
        detail: `${where} was charged through ${order.psp}, not ${this.options.psp}`,
      });
    if (charge.amountMinor !== order.amountMinor || charge.currency !== order.currency) {
      return done({
        outcome: 'mismatch',
        detail: `${where} is ${order.amountMinor} ${order.currency}, the event says ${charge.amountMinor} ${charge.currency}`,
      });
    }
    if (order.pspReference !== null && order.pspReference !== charge.id) {
      return done({
        outcome: 'mismatch',
        detail: `${where} is charge ${order.pspReference} at the PSP, the event is about ${charge.id}`,
      });
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
          return done({ outcome: 'already_applied', detail: `${where} is pending already` });
        const result: ChargeOutcome =
          says === 'succeeded'
            ? { status: 'succeeded', pspReference: charge.id, feeMinor: charge.feeMinor }
            : {
                status: 'declined',
                pspReference: charge.id,
                reason: charge.failureCode ?? 'failed',
              };
        return {
          act: 'record',
          order,
          result,
          failure: `${where}: the recorder did not move it from pending`,
          verdict: { outcome: 'applied', detail: `${where}: pending → ${says} (${charge.id})` },
        };
      }
      case 'succeeded':
      case 'failed':
        if (says === order.fromStatus)
          return done({ outcome: 'already_applied', detail: `${where} is ${says} already` });
        if (says === 'pending')
          return done({
            outcome: 'stale',
            detail: `${where} is ${order.fromStatus}; a late charge.pending changes nothing`,
          });
        return done({
          outcome: 'conflict',
          detail: `${where} is ${order.fromStatus} in payops but the PSP says ${says} (${charge.id}): left for reconciliation`,
        });
      default:
        if (says === 'pending')
          return done({
            outcome: 'deferred',
            detail: `${where} is ${order.fromStatus}: the executor learns this from the PSP itself`,
          });
        return done({
          outcome: 'retry_later',
          detail: `${where} is ${order.fromStatus}, not pending yet: the PSP will deliver this again`,
        });
    }
  }
}

/** An event id seen before: nothing is written. */
function duplicate(id: string): Step {
  return {
    act: 'none',
    verdict: { outcome: 'duplicate', detail: `event ${id} was received before; nothing changed` },
  };
}
