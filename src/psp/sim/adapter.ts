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
} from '../port.js';
import { storageError } from '../../db/index.js';
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

  /**
   * The state file commits with `synchronous = NORMAL` here: a simulator stands in for a remote
   * service, and in WAL mode a process killed at any instant (the chaos harness's SIGKILL between
   * the PSP's answer and payops' record) loses none of its commits; only an OS crash could.
   */
  get engine(): SimEngine {
    this.opened ??= new SimEngine({ stateSync: 'normal', ...this.options });
    return this.opened;
  }

  get keyLifetimeMs(): number {
    return this.engine.keyLifetime;
  }

  async charge(requests: readonly ChargeRequest[]): Promise<ChargeResult[]> {
    return this.use((engine) => engine.charge(requests));
  }

  async lookupCharge(merchantReference: string): Promise<ChargeLookup> {
    return this.use((engine) => engine.lookupCharge(merchantReference));
  }

  async refund(requests: readonly RefundRequest[]): Promise<RefundResult[]> {
    return this.use((engine) => engine.refund(requests));
  }

  async lookupRefund(refund: {
    refundId: string;
    chargeReference: string;
  }): Promise<Lookup<RefundOutcome>> {
    return this.use((engine) => engine.lookupRefund(refund.refundId));
  }

  async listDisputes(): Promise<Dispute[]> {
    return this.use((engine) => engine.disputes());
  }

  async payout(requests: readonly PayoutRequest[]): Promise<PayoutResult[]> {
    return this.use((engine) => engine.payout(requests));
  }

  async lookupPayout(payoutId: string): Promise<Lookup<PayoutOutcome>> {
    return this.use((engine) => engine.lookupPayout(payoutId));
  }

  /**
   * A storage failure of the state file (full, locked, read-only) is reported as that file's: the
   * command would otherwise blame the books it was working on.
   */
  private async use<T>(work: (engine: SimEngine) => T | Promise<T>): Promise<T> {
    try {
      return await work(this.engine);
    } catch (error) {
      throw storageError(error, this.options.stateFile);
    }
  }

  close(): void {
    this.opened?.close();
    this.opened = undefined;
  }
}
