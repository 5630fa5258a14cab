import type {
  ChargeLookup,
  ChargeRequest,
  ChargeResult,
  Dispute,
  PaymentServiceProvider,
  PayoutOutcome,
  PayoutRequest,
  PayoutResult,
  RefundOutcome,
  RefundRequest,
  RefundResult,
  Lookup,
} from '../../src/psp/port.js';

/**
 * A scripted PSP: each key answers from its script in order (then succeeds), and every call is
 * recorded, so tests can assert exactly what crossed the boundary and how often.
 */
export class FakePsp implements PaymentServiceProvider {
  constructor(readonly name = 'sim') {}

  keyLifetimeMs = 24 * 60 * 60 * 1000;
  supportsPayouts = true;
  readonly calls: ChargeRequest[] = [];
  readonly lookups: string[] = [];
  readonly scripts = new Map<string, ChargeResult[]>();
  readonly lookupAnswers = new Map<string, ChargeLookup>();
  /** Set to hold every charge call until released. */
  gate: Promise<void> | undefined;

  script(orderId: string, ...results: ChargeResult[]): this {
    this.scripts.set(`payops-${orderId}-charge`, results);
    return this;
  }

  callsFor(orderId: string): number {
    return this.calls.filter((call) => call.merchantReference === orderId).length;
  }

  async charge(requests: readonly ChargeRequest[]): Promise<ChargeResult[]> {
    this.calls.push(...requests);
    if (this.gate) await this.gate;
    return requests.map(
      (request) =>
        this.scripts.get(request.idempotencyKey)?.shift() ?? {
          status: 'succeeded',
          pspReference: `ch_${request.merchantReference}`,
          feeMinor: 30n,
        },
    );
  }

  async lookupCharge(merchantReference: string): Promise<ChargeLookup> {
    this.lookups.push(merchantReference);
    return this.lookupAnswers.get(merchantReference) ?? { found: false };
  }

  readonly payoutCalls: PayoutRequest[] = [];
  readonly payoutScripts = new Map<string, PayoutResult[]>();

  async payout(requests: readonly PayoutRequest[]): Promise<PayoutResult[]> {
    this.payoutCalls.push(...requests);
    return requests.map(
      (request) =>
        this.payoutScripts.get(request.idempotencyKey)?.shift() ?? {
          status: 'succeeded',
          pspReference: `tr_${request.payoutId}`,
        },
    );
  }

  readonly refundCalls: RefundRequest[] = [];
  readonly refundScripts = new Map<string, RefundResult[]>();

  async refund(requests: readonly RefundRequest[]): Promise<RefundResult[]> {
    this.refundCalls.push(...requests);
    return requests.map(
      (request) =>
        this.refundScripts.get(request.idempotencyKey)?.shift() ?? {
          status: 'succeeded',
          pspReference: `re_${request.refundId}`,
        },
    );
  }

  /** Look-ups by payops' refund and payout ids, and what they answer (not found unless set). */
  readonly transferLookups: string[] = [];
  readonly refundLookupAnswers = new Map<string, Lookup<RefundOutcome>>();
  readonly payoutLookupAnswers = new Map<string, Lookup<PayoutOutcome>>();

  async lookupRefund(refund: {
    refundId: string;
    chargeReference: string;
  }): Promise<Lookup<RefundOutcome>> {
    this.transferLookups.push(refund.refundId);
    return this.refundLookupAnswers.get(refund.refundId) ?? { found: false };
  }

  async lookupPayout(payoutId: string): Promise<Lookup<PayoutOutcome>> {
    this.transferLookups.push(payoutId);
    return this.payoutLookupAnswers.get(payoutId) ?? { found: false };
  }

  readonly disputes: Dispute[] = [];

  async listDisputes(): Promise<Dispute[]> {
    return this.disputes;
  }

  close(): void {}
}

export const timeout: ChargeResult = {
  status: 'retryable',
  kind: 'timeout',
  sent: true,
  detail: 'test timeout',
};
