import type {
  ChargeLookup, ChargeRequest, ChargeResult, Dispute, PaymentServiceProvider, PayoutOutcome, PayoutRequest, PayoutResult, RefundOutcome, RefundRequest, RefundResult, Lookup,
} from '../port.js';
import { SimEngine, type SimOptions } from './engine.js';

/**
 * The `sim` PSP: the engine called in-process. Its state file is opened at the first request, not
 * when the PSP is made: a command that stops first (a missing database, a bad flag) leaves no
 * state file behind.
 */
export class SimPsp implements PaymentServiceProvider {
  readonly name = 'sim';
  readonly supportsPayouts = true;
  private opened: SimEngine | undefined;

  constructor(private readonly options: SimOptions) {}

  get engine(): SimEngine {
    this.opened ??= new SimEngine(this.options);
    return this.opened;
  }

  get keyLifetimeMs(): number {
    return this.engine.keyLifetime;
  }

  async charge(requests: readonly ChargeRequest[]): Promise<ChargeResult[]> {
    return this.engine.charge(requests);
  }

  async lookupCharge(merchantReference: string): Promise<ChargeLookup> {
    return this.engine.lookupCharge(merchantReference);
  }

  async refund(requests: readonly RefundRequest[]): Promise<RefundResult[]> {
    return this.engine.refund(requests);
  }

  async lookupRefund(refund: { refundId: string; chargeReference: string }): Promise<Lookup<RefundOutcome>> {
    return this.engine.lookupRefund(refund.refundId);
  }

  async listDisputes(): Promise<Dispute[]> {
    return this.engine.disputes();
  }

  async payout(requests: readonly PayoutRequest[]): Promise<PayoutResult[]> {
    return this.engine.payout(requests);
  }

  async lookupPayout(payoutId: string): Promise<Lookup<PayoutOutcome>> {
    return this.engine.lookupPayout(payoutId);
  }

  close(): void {
    this.opened?.close();
    this.opened = undefined;
  }
}
