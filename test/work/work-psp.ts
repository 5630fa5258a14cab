import type {
  ChargeRequest,
  ChargeResult,
  PayoutRequest,
  PayoutResult,
  RefundRequest,
  RefundResult,
} from '../../src/psp/port.js';
import { FakePsp } from '../payments/fake-psp.js';

/**
 * The scripted PSP of the executor tests, made idempotent as a real one is: a key that got a
 * final answer gets that same answer again, whatever its script says. It also counts batches
 * (one `charge`, `refund` or `payout` call each) and holds refunds and payouts at `gate` as
 * FakePsp holds charges, after the request has reached it.
 */
export class WorkPsp extends FakePsp {
  readonly batches = { charge: 0, refund: 0, payout: 0 };
  private readonly charged = new Map<string, ChargeResult>();
  private readonly refunded = new Map<string, RefundResult>();
  private readonly paid = new Map<string, PayoutResult>();

  override async charge(requests: readonly ChargeRequest[]): Promise<ChargeResult[]> {
    this.batches.charge++;
    return remembered(this.charged, requests, await super.charge(requests));
  }

  override async refund(requests: readonly RefundRequest[]): Promise<RefundResult[]> {
    this.batches.refund++;
    const results = remembered(this.refunded, requests, await super.refund(requests));
    if (this.gate) await this.gate;
    return results;
  }

  override async payout(requests: readonly PayoutRequest[]): Promise<PayoutResult[]> {
    this.batches.payout++;
    const results = remembered(this.paid, requests, await super.payout(requests));
    if (this.gate) await this.gate;
    return results;
  }
}

function remembered<Result extends { status: string }>(
  answers: Map<string, Result>,
  requests: readonly { idempotencyKey: string }[],
  results: readonly Result[],
): Result[] {
  return results.map((result, index) => {
    const key = requests[index]?.idempotencyKey ?? '';
    const first = answers.get(key);
    if (first !== undefined) return first;
    if (result.status !== 'retryable' && result.status !== 'rejected') answers.set(key, result);
    return result;
  });
}
