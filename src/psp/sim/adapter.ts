import type { ChargeLookup, ChargeRequest, ChargeResult, Dispute, PaymentServiceProvider, PayoutRequest, PayoutResult, RefundRequest, RefundResult } from '../port.js';
import { SimEngine, type SimOptions } from './engine.js';

/** The `sim` PSP: the engine called in-process. */
export class SimPsp implements PaymentServiceProvider {
  readonly name = 'sim';
  readonly supportsPayouts = true;
  readonly engine: SimEngine;

  constructor(options: SimOptions) {
    this.engine = new SimEngine(options);
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

  async listDisputes(): Promise<Dispute[]> {
    return this.engine.disputes();
  }

  async payout(requests: readonly PayoutRequest[]): Promise<PayoutResult[]> {
    return this.engine.payout(requests);
  }

  close(): void {
    this.engine.close();
  }
}
