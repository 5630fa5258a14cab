import http from 'node:http';
import https from 'node:https';
import type Stripe from 'stripe';
import { mapConcurrently } from '../../concurrency.js';
import { ExitCode, InvariantError, PayopsError } from '../../errors.js';
import type {
  ChargeLookup,
  ChargeRequest,
  ChargeResult,
  PspRejection,
  Dispute,
  PaymentServiceProvider,
  PayoutOutcome,
  PayoutRequest,
  PayoutResult,
  PspRefundRecord,
  RefundOutcome,
  RefundRequest,
  RefundResult,
  RetryableFailure,
  Lookup,
} from '../port.js';
import type { SimChargeRecord } from '../sim/engine.js';
import { fromStripeAmount, toStripeAmount } from './amounts.js';
import type { StripeSettings } from './config.js';
import { type StripeFailure, classifyStripeError, isStripeError } from './errors.js';
import {
  ORDER_ID_METADATA,
  REFUND_ID_METADATA,
  chargeResultOf,
  currencyOf,
  lookupResultOf,
  lostDisputeOf,
  orderIdOf,
  refundOfId,
  refundOutcomeOf,
} from './mapping.js';

/** Stripe keeps idempotency keys at least 24 hours; a retry later than that looks the charge up first. */
export const STRIPE_KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Well under a lease (5 min): an answer that has not come by then is an unknown outcome, retried with the same key. */
export const DEFAULT_STRIPE_TIMEOUT_MS = 30_000;
/** Requests in flight at once: a batch finishes well inside its lease without meeting Stripe's rate limits head-on. */
export const DEFAULT_STRIPE_CONCURRENCY = 8;

export interface StripePspOptions extends StripeSettings {
  timeoutMs?: number;
  concurrency?: number;
}

// Order ids are validated at intake; checked again here because one is quoted into a search query.
const ORDER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/**
 * `--psp stripe`: charges with the Charges API (`source` = the checkout's token), refunds, look-ups
 * and disputes through the official SDK. Every mutating request carries payops' own fixed
 * idempotency key and the SDK never retries on its own, so one order is one charge however often
 * payops retries it. Stripe's answers are normalized to the port's results; only a rejected key,
 * a missing permission or an answer that breaks an invariant stops the command.
 *
 * Payouts: Stripe pays connected sellers through Connect, which payops does not drive, so this PSP
 * says `supportsPayouts = false` and `payout run` refuses it before it claims anything.
 */
export class StripePsp implements PaymentServiceProvider {
  readonly name = 'stripe';
  readonly keyLifetimeMs = STRIPE_KEY_LIFETIME_MS;
  readonly supportsPayouts = false;
  private readonly agent: http.Agent;
  private readonly concurrency: number;
  private client: Promise<Stripe> | undefined;
  // Some accounts (and stripe-stateful-mock) have no search or dispute listing; found out once.
  private searchAvailable = true;
  private disputeListAvailable = true;

  constructor(private readonly options: StripePspOptions) {
    this.concurrency = options.concurrency ?? DEFAULT_STRIPE_CONCURRENCY;
    const Agent = options.endpoint?.protocol === 'http' ? http.Agent : https.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: this.concurrency });
  }

  async charge(requests: readonly ChargeRequest[]): Promise<ChargeResult[]> {
    return mapConcurrently(requests, this.concurrency, (request) => this.chargeOne(request));
  }

  async refund(requests: readonly RefundRequest[]): Promise<RefundResult[]> {
    return mapConcurrently(requests, this.concurrency, (request) => this.refundOne(request));
  }

  /**
   * Every charge Stripe holds for the order, by the metadata payops put on it. Search is
   * eventually consistent (seconds to a minute behind): fine here, because the executor looks up
   * only orders first tried a key lifetime ago, and `orders sync` only orders Stripe left pending.
   */
  async lookupCharge(merchantReference: string): Promise<ChargeLookup> {
    const stripe = await this.sdk();
    let charges: Stripe.Charge[];
    try {
      charges = await this.chargesOfOrder(stripe, merchantReference);
    } catch (error) {
      const failure = classifyStripeError(error, 'read charges');
      if (failure.kind === 'retryable') return failure.failure;
      throw new PayopsError(
        `Stripe refused to look up the charges of order ${merchantReference}: ${describe(failure)}`,
        ExitCode.unexpected,
      );
    }
    const result = lookupResultOf(merchantReference, charges);
    return result === undefined ? { found: false } : { found: true, result };
  }

  /** The refund made for payops' refund id, among the refunds of its charge (by the metadata payops put on it). */
  async lookupRefund(refund: {
    refundId: string;
    chargeReference: string;
  }): Promise<Lookup<RefundOutcome>> {
    if (refund.chargeReference === '') return { found: false };
    const stripe = await this.sdk();
    let found: Stripe.Refund | undefined;
    try {
      const refunds: Stripe.Refund[] = [];
      for await (const candidate of stripe.refunds.list({
        charge: refund.chargeReference,
        limit: 100,
      }))
        refunds.push(candidate);
      found = refundOfId(refund.refundId, refunds);
    } catch (error) {
      const failure = classifyStripeError(error, 'read refunds');
      if (failure.kind === 'retryable') return failure.failure;
      throw new PayopsError(
        `Stripe refused to list the refunds of charge ${refund.chargeReference}: ${describe(failure)}`,
        ExitCode.unexpected,
      );
    }
    if (found === undefined) return { found: false };
    const result = refundOutcomeOf(found);
    return result.status === 'retryable' ? result : { found: true, result };
  }

  /**
   * Stripe's own record of what payops did, for `payops check --psp stripe`: every charge and
   * refund of the account that carries payops' metadata (all pages of the listings). Charges and
   * refunds without it are another program's and are left out.
   */
  async readRecord(): Promise<StripeRecord> {
    const stripe = await this.sdk();
    const charges: SimChargeRecord[] = [];
    const refunds: PspRefundRecord[] = [];
    try {
      for await (const charge of stripe.charges.list({ limit: 100 })) {
        const record = chargeRecordOf(charge);
        if (record !== undefined) charges.push(record);
      }
      for await (const refund of stripe.refunds.list({ limit: 100 })) {
        const refundId = refund.metadata?.[REFUND_ID_METADATA];
        if (refundId !== undefined)
          refunds.push({ refundId, reference: refund.id, status: String(refund.status) });
      }
    } catch (error) {
      throw new PayopsError(
        `Stripe did not list its charges and refunds: ${describe(classifyStripeError(error, 'read charges'))}`,
        ExitCode.unexpected,
        { hint: 'nothing was checked against Stripe; run `payops check --psp stripe` again' },
      );
    }
    charges.sort((a, b) =>
      a.merchantReference < b.merchantReference
        ? -1
        : a.merchantReference > b.merchantReference
          ? 1
          : 0,
    );
    return { charges, refunds };
  }

  async lookupPayout(_payoutId: string): Promise<Lookup<PayoutOutcome>> {
    throw new InvariantError(
      'a payout look-up reached the Stripe adapter, but payout runs refuse --psp stripe before claiming anything',
    );
  }

  /** Disputes Stripe closed as lost (see `lostDisputeOf`); nothing is booked if the listing fails. */
  async listDisputes(): Promise<Dispute[]> {
    const stripe = await this.sdk();
    try {
      return await this.lostDisputes(stripe);
    } catch (error) {
      const failure = classifyStripeError(error, 'read disputes');
      throw new PayopsError(
        `Stripe did not list its disputes: ${describe(failure)}`,
        ExitCode.unexpected,
        { hint: 'nothing was booked; run `payops chargebacks sync` again' },
      );
    }
  }

  async payout(_requests: readonly PayoutRequest[]): Promise<PayoutResult[]> {
    throw new InvariantError(
      'a payout reached the Stripe adapter, but payout runs refuse --psp stripe before claiming anything',
    );
  }

  close(): void {
    this.agent.destroy();
  }

  private async chargeOne(request: ChargeRequest): Promise<ChargeResult> {
    const amount = toStripeAmount(request.amountMinor, request.currency);
    if (!amount.ok)
      return { status: 'declined', pspReference: null, reason: `not sent: ${amount.reason}` };
    const currency = request.currency.toLowerCase();
    const stripe = await this.sdk();
    let charge: Stripe.Charge;
    try {
      // The parameters must never change between retries of one order: Stripe compares them under the key.
      charge = await stripe.charges.create(
        {
          amount: amount.amount,
          currency,
          source: request.paymentToken,
          description: `payops order ${request.merchantReference}`,
          metadata: { [ORDER_ID_METADATA]: request.merchantReference },
          expand: ['balance_transaction'],
        },
        { idempotencyKey: request.idempotencyKey },
      );
    } catch (error) {
      return failedCharge(classifyStripeError(error, 'create charges'), request.idempotencyKey);
    }
    if (!isStripeObject(charge, 'charge')) return malformedAnswer('charge', request.idempotencyKey);
    if (
      charge.amount !== amount.amount ||
      charge.currency !== currency ||
      orderIdOf(charge) !== request.merchantReference
    ) {
      throw new InvariantError(
        `Stripe answered key ${request.idempotencyKey} with charge ${charge.id} of ${charge.amount} ${charge.currency} for order ${orderIdOf(charge) ?? '?'}, ` +
          `not ${amount.amount} ${currency} for ${request.merchantReference}`,
      );
    }
    return chargeResultOf(charge);
  }

  private async refundOne(request: RefundRequest): Promise<RefundResult> {
    const amount = toStripeAmount(request.amountMinor, request.currency);
    if (!amount.ok)
      return { status: 'declined', pspReference: null, reason: `not sent: ${amount.reason}` };
    if (request.chargeReference === '')
      return {
        status: 'declined',
        pspReference: null,
        reason: `not sent: order ${request.merchantReference} has no Stripe charge to refund`,
      };
    const stripe = await this.sdk();
    let refund: Stripe.Refund;
    try {
      refund = await stripe.refunds.create(
        {
          charge: request.chargeReference,
          amount: amount.amount,
          metadata: {
            [REFUND_ID_METADATA]: request.refundId,
            [ORDER_ID_METADATA]: request.merchantReference,
          },
        },
        { idempotencyKey: request.idempotencyKey },
      );
    } catch (error) {
      const failure = classifyStripeError(error, 'create refunds');
      switch (failure.kind) {
        case 'declined':
          return { status: 'declined', pspReference: null, reason: failure.code };
        case 'invalid_request':
          return {
            status: 'declined',
            pspReference: null,
            reason: `${failure.code}: ${failure.message}`,
          };
        case 'idempotency_conflict':
          return idempotencyConflict(request.idempotencyKey, failure.message);
        case 'retryable':
          return failure.failure;
      }
    }
    if (!isStripeObject(refund, 'refund')) return malformedAnswer('refund', request.idempotencyKey);
    const chargeId = typeof refund.charge === 'string' ? refund.charge : refund.charge?.id;
    if (refund.amount !== amount.amount || chargeId !== request.chargeReference) {
      throw new InvariantError(
        `Stripe answered key ${request.idempotencyKey} with refund ${refund.id} of ${refund.amount} on ${chargeId ?? '?'}, not ${amount.amount} on ${request.chargeReference}`,
      );
    }
    const outcome = refundOutcomeOf(refund);
    if (outcome.status !== 'retryable') return outcome;
    // Not final when created (or when the key's first answer is replayed): its status now decides.
    try {
      return refundOutcomeOf(await stripe.refunds.retrieve(refund.id));
    } catch (error) {
      const failure = classifyStripeError(error, 'read refunds');
      return failure.kind === 'retryable' ? failure.failure : outcome;
    }
  }

  private async chargesOfOrder(stripe: Stripe, orderId: string): Promise<Stripe.Charge[]> {
    if (!ORDER_ID.test(orderId))
      throw new InvariantError(`order id ${JSON.stringify(orderId)} cannot be looked up at Stripe`);
    if (this.searchAvailable) {
      try {
        const found: Stripe.Charge[] = [];
        for await (const charge of stripe.charges.search({
          query: `metadata['${ORDER_ID_METADATA}']:'${orderId}'`,
          limit: 100,
          expand: ['data.balance_transaction'],
        })) {
          if (orderIdOf(charge) === orderId) found.push(charge);
        }
        return found;
      } catch (error) {
        if (!isRefusedRequest(error)) throw error;
        this.searchAvailable = false;
      }
    }
    // Without search: every charge of the account, newest first. Slow on a large account, but exact.
    const found: Stripe.Charge[] = [];
    for await (const charge of stripe.charges.list({
      limit: 100,
      expand: ['data.balance_transaction'],
    })) {
      if (orderIdOf(charge) === orderId) found.push(charge);
    }
    return found;
  }

  private async lostDisputes(stripe: Stripe): Promise<Dispute[]> {
    const lost: Dispute[] = [];
    if (this.disputeListAvailable) {
      try {
        for await (const dispute of stripe.disputes.list({ limit: 100, expand: ['data.charge'] })) {
          const booked = lostDisputeOf(dispute, undefined);
          if (booked) lost.push(booked);
        }
        return lost;
      } catch (error) {
        if (!isRefusedRequest(error)) throw error;
        this.disputeListAvailable = false;
        lost.length = 0;
      }
    }
    // Without a dispute listing (stripe-stateful-mock): through the charges that name their dispute,
    // as charges did in the API version that mock speaks (2020-08-27).
    for await (const charge of stripe.charges.list({ limit: 100 })) {
      const disputeId = (charge as Stripe.Charge & { dispute?: unknown }).dispute;
      if (typeof disputeId !== 'string') continue;
      const booked = lostDisputeOf(await stripe.disputes.retrieve(disputeId), charge);
      if (booked) lost.push(booked);
    }
    return lost;
  }

  /** The SDK is loaded on first use: the other PSPs never pay for its start-up. */
  private sdk(): Promise<Stripe> {
    this.client ??= import('stripe').then(({ default: StripeSdk }) => {
      const endpoint = this.options.endpoint;
      return new StripeSdk(this.options.apiKey, {
        // payops retries with the same key itself, on its own schedule, across processes.
        maxNetworkRetries: 0,
        timeout: this.options.timeoutMs ?? DEFAULT_STRIPE_TIMEOUT_MS,
        httpAgent: this.agent,
        telemetry: false,
        appInfo: { name: 'payops' },
        ...(endpoint === undefined
          ? {}
          : { protocol: endpoint.protocol, host: endpoint.host, port: endpoint.port }),
      });
    });
    return this.client;
  }
}

function failedCharge(failure: StripeFailure, idempotencyKey: string): ChargeResult {
  switch (failure.kind) {
    case 'declined':
      return { status: 'declined', pspReference: failure.chargeId, reason: failure.code };
    case 'invalid_request':
      // Stripe refused the request itself (no such token, an amount below its minimum): nothing was charged.
      return {
        status: 'declined',
        pspReference: null,
        reason: `${failure.code}: ${failure.message}`,
      };
    case 'idempotency_conflict':
      return idempotencyConflict(idempotencyKey, failure.message);
    case 'retryable':
      return failure.failure;
  }
}

function idempotencyConflict(idempotencyKey: string, message: string): PspRejection {
  return {
    status: 'rejected',
    reason: 'idempotency_key_reused',
    detail: `Stripe refused key ${idempotencyKey}: it was used before with other parameters, and this request was not executed (${message})`,
  };
}

/** An answer without the object asked for (a proxy's error page, a broken mock): the outcome is unknown. */
function malformedAnswer(object: string, idempotencyKey: string): RetryableFailure {
  return {
    status: 'retryable',
    kind: 'server_error',
    sent: true,
    detail: `Stripe answered key ${idempotencyKey} without a ${object} object`,
  };
}

function isStripeObject(value: unknown, object: string): boolean {
  const candidate = value as { object?: unknown; id?: unknown } | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate.object === object &&
    typeof candidate.id === 'string'
  );
}

/** A 400/404 to a listing or search means this account (or mock) does not offer it. */
function isRefusedRequest(error: unknown): boolean {
  return isStripeError(error) && error.type === 'StripeInvalidRequestError';
}

function describe(failure: StripeFailure): string {
  switch (failure.kind) {
    case 'retryable':
      return failure.failure.detail;
    case 'idempotency_conflict':
      return failure.message;
    default:
      return `${failure.code}: ${failure.message}`;
  }
}

/** Stripe's record of payops' charges (sorted by order id) and refunds, as `payops check` reads it. */
export interface StripeRecord {
  charges: SimChargeRecord[];
  refunds: PspRefundRecord[];
}

/** A charge that carries payops' order id, in the shape of the simulated PSP's record; else undefined. */
function chargeRecordOf(charge: Stripe.Charge): SimChargeRecord | undefined {
  const orderId = orderIdOf(charge);
  if (orderId === undefined) return undefined;
  const currency = currencyOf(charge.currency, `charge ${charge.id}`);
  const amountMinor = fromStripeAmount(charge.amount, currency);
  if (amountMinor === undefined)
    throw new InvariantError(
      `Stripe charge ${charge.id} of order ${orderId} has an amount ${charge.amount} ${charge.currency} that is no exact amount in payops`,
    );
  const status =
    charge.status === 'succeeded'
      ? 'succeeded'
      : charge.status === 'pending'
        ? 'pending'
        : 'failed';
  return {
    reference: charge.id,
    idempotencyKey: '',
    merchantReference: orderId,
    amountMinor,
    currency,
    feeMinor: null,
    status,
    createdAt: new Date(charge.created * 1000).toISOString(),
  };
}
