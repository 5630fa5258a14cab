import { type Database, inTransaction } from '../db/index.js';
import { Ledger } from '../ledger/index.js';
import type { OpenWork } from '../payments/queries.js';
import { openWorkIn } from '../payments/sqlite-order-reads.js';
import { PaymentsStore } from '../payments/store.js';
import { Wallets } from '../wallet/wallet-store.js';
import { HeldPayOuts } from './held-payouts.js';
import { type HeldPayOut, HeldPayOutStore } from './held-payouts-store.js';
import type { HeldOutcome, PayablesFilter, PayoutsStore, PlannedPayouts } from './payouts-store.js';
import { type PayableRow, PayoutReadStore } from './read-store.js';
import { Releases } from './release.js';
import { SellerStore } from './sellers-store.js';
import { PayoutStore } from './store.js';

/** Thrown inside the preview's transaction to roll it back. */
class PreviewRollback extends Error {}

/**
 * The payouts port on SQLite: each unit of work runs synchronously inside one transaction over
 * today's stores (PayoutStore, HeldPayOuts, Releases, Ledger, Wallets); the reads run outside any.
 */
export class SqlitePayoutsStore implements PayoutsStore {
  /** What settling held pay_outs writes through, prepared once per store. */
  private settling?: { held: HeldPayOuts; releases: Releases; ledger: Ledger; wallets: Wallets };

  constructor(private readonly db: Database) {}

  async payables(filter: PayablesFilter): Promise<PayableRow[]> {
    return this.payablesNow(filter);
  }

  async createPayouts<Plan extends PlannedPayouts>(
    filter: PayablesFilter,
    plan: (payables: PayableRow[]) => Plan,
    psp: string,
    at: string,
  ): Promise<Plan & { payoutIds: string[] }> {
    return inTransaction(this.db, () => {
      const planned = plan(this.payablesNow(filter));
      const store = new PayoutStore(this.db);
      return { ...planned, payoutIds: store.createAll(planned.payouts, psp, at) };
    });
  }

  async previewPayouts<Plan>(
    filter: PayablesFilter,
    plan: (payables: PayableRow[]) => Plan,
    now: () => string,
  ): Promise<{ held: { waiting: HeldPayOut; outcome: HeldOutcome }[]; plan: Plan }> {
    let preview: { held: { waiting: HeldPayOut; outcome: HeldOutcome }[]; plan: Plan } | undefined;
    try {
      this.db
        .transaction(() => {
          const held = this.waitingNow().map((waiting) => ({
            waiting,
            outcome: this.settleHeldNow(waiting.eventId, now),
          }));
          preview = { held, plan: plan(this.payablesNow(filter)) };
          throw new PreviewRollback();
        })
        .immediate();
    } catch (error) {
      if (!(error instanceof PreviewRollback)) throw error;
    }
    if (preview === undefined) throw new Error('payout run --dry-run: the preview did not run');
    return preview;
  }

  async waitingHeld(): Promise<HeldPayOut[]> {
    return this.waitingNow();
  }

  async settleHeld(eventId: string, now: () => string): Promise<HeldOutcome> {
    return this.settleHeldNow(eventId, now);
  }

  async heldPayOuts(all: boolean): Promise<HeldPayOut[]> {
    return sqliteHeldPayOuts(this.db).list({ all });
  }

  async payouts(query: { sellerId?: string; status?: string }) {
    return new PayoutReadStore(this.db).payouts(query);
  }

  async payout(payoutId: string) {
    return new PayoutReadStore(this.db).payout(payoutId);
  }

  async transitions(id: bigint) {
    return new PayoutReadStore(this.db).transitions(id);
  }

  async transactionId(idempotencyKey: string) {
    return new PayoutReadStore(this.db).transactionId(idempotencyKey);
  }

  async sellers(sellerId?: string) {
    return new PayoutReadStore(this.db).sellers(sellerId);
  }

  async openPayouts(psp?: string): Promise<OpenWork> {
    return openWorkIn(this.db, 'payouts', psp);
  }

  private payablesNow(filter: PayablesFilter): PayableRow[] {
    return new PayoutReadStore(this.db).payables(filter.sellerId, filter.currency);
  }

  private waitingNow(): HeldPayOut[] {
    return sqliteHeldPayOuts(this.db).waiting();
  }

  /** One held pay_out, in one immediate transaction (a savepoint inside the preview's). */
  private settleHeldNow(eventId: string, now: () => string): HeldOutcome {
    this.settling ??= {
      held: sqliteHeldPayOuts(this.db),
      releases: new Releases(new PaymentsStore(this.db), new SellerStore(this.db)),
      ledger: new Ledger(this.db),
      wallets: new Wallets(this.db),
    };
    const { held, releases, ledger, wallets } = this.settling;
    return this.db
      .transaction((): HeldOutcome => {
        const current = held.eventOf(eventId);
        if (current === undefined) return { settled: 'gone' }; // settled by another process meanwhile
        const at = now();
        const outcome = releases.apply(current.event, at, { sellerDetails: false });
        if (!outcome.ok && outcome.wait) return { settled: 'waiting' };
        if (!outcome.ok) {
          const reason = `held pay_out rejected: ${outcome.reason}`;
          return {
            settled: 'rejected',
            reason,
            resolved: held.resolve(eventId, 'rejected', at, reason),
          };
        }
        if (!held.resolve(eventId, 'released', at, null))
          return { settled: 'released', resolved: false };
        // The seller's details it carries apply now, with the release, unless a newer pay_out's did.
        releases.recordSellerIfNewest(current.event, current.accepted, at);
        if (outcome.posting)
          ledger.postBatch([outcome.posting], () => `release of held ${current.event.orderId}`);
        if (outcome.delta) wallets.apply([outcome.delta], at);
        return { settled: 'released', resolved: true };
      })
      .immediate();
  }
}

/** Held pay_outs over their rows on one SQLite connection. */
export function sqliteHeldPayOuts(db: Database): HeldPayOuts {
  return new HeldPayOuts(new HeldPayOutStore(db));
}
