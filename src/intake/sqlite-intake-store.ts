import { type Database, inTransaction } from '../db/index.js';
import { Ledger, type PostingRequest } from '../ledger/index.js';
import type { PayOutEvent } from '../payments/events.js';
import { PaymentsStore } from '../payments/store.js';
import type { HeldPayOuts } from '../payouts/held-payouts.js';
import { sqliteHeldPayOuts } from '../payouts/sqlite-payouts-store.js';
import { Releases } from '../payouts/release.js';
import { SellerStore } from '../payouts/sellers-store.js';
import { RefundIntake } from '../refunds/apply.js';
import { RefundWorkStore } from '../refunds/store.js';
import { nowIso } from '../time.js';
import { type WalletDelta, Wallets } from '../wallet/wallet-store.js';
import type {
  IntakeBatch,
  IntakeEntry,
  IntakeStore,
  IntakeVerdict,
  WholeIntake,
} from './intake-store.js';

/** What releases of one batch post and change in wallets, written once at its end. */
interface ReleaseEffects {
  postings: PostingRequest[];
  deltas: WalletDelta[];
}

/**
 * Intake on SQLite: each batch runs synchronously inside `inTransaction` (BEGIN IMMEDIATE, or a
 * savepoint inside an `--all-or-nothing` run's transaction), wrapping the stores that own the
 * tables: events and orders (PaymentsStore), releases, held pay_outs, refund intake, the ledger
 * and the wallets. The batch's time is taken inside it, once the write lock is held.
 */
export class SqliteIntakeStore implements IntakeStore {
  readonly bookFile: string;
  private readonly store: PaymentsStore;
  private readonly releases: Releases;
  private readonly held: HeldPayOuts;
  private readonly refunds: RefundIntake;
  private readonly ledger: Ledger;
  private readonly wallets: Wallets;

  constructor(private readonly db: Database) {
    this.bookFile = db.name;
    this.store = new PaymentsStore(db);
    this.releases = new Releases(new PaymentsStore(db), new SellerStore(db));
    this.held = sqliteHeldPayOuts(db);
    this.refunds = new RefundIntake(new PaymentsStore(db), new RefundWorkStore(db));
    this.ledger = new Ledger(db);
    this.wallets = new Wallets(db);
  }

  async ingestBatch<Entry extends IntakeEntry>(
    batch: IntakeBatch<Entry>,
    onVerdict: (entry: Entry, verdict: IntakeVerdict) => void,
  ): Promise<void> {
    inTransaction(this.db, () => {
      const at = nowIso();
      const effects: ReleaseEffects = { postings: [], deltas: [] };
      this.applyEntries(batch, at, effects, onVerdict);
      const { postings, deltas } = effects;
      // Releases move ledger money and wallets in the same transaction as their events.
      if (postings.length > 0)
        this.ledger.postBatch(
          postings,
          (index) => `release of ${postings[index]?.metadata?.orderId ?? index}`,
        );
      if (deltas.length > 0) this.wallets.apply(deltas, at);
    });
  }

  async beginWhole(): Promise<WholeIntake> {
    const { db } = this;
    db.exec('BEGIN IMMEDIATE');
    return {
      // Inside the open transaction, each batch's transaction is a savepoint.
      ingestBatch: (batch, onVerdict) => this.ingestBatch(batch, onVerdict),
      commit: async () => {
        db.exec('COMMIT');
      },
      rollback: async () => {
        if (db.inTransaction) db.exec('ROLLBACK');
      },
    };
  }

  private applyEntries<Entry extends IntakeEntry>(
    batch: IntakeBatch<Entry>,
    at: string,
    effects: ReleaseEffects,
    onVerdict: (entry: Entry, verdict: IntakeVerdict) => void,
  ): void {
    const { store } = this;
    const knownEvents = store.existingEvents(batch.entries.map(({ event }) => event.eventId));
    const knownOrders = store.existingOrders(
      batch.entries.flatMap(({ event }) =>
        event.type === 'pay_in' ? event.orders.map((order) => order.orderId) : [],
      ),
    );
    for (const entry of batch.entries) {
      const { event, source } = entry;
      const known = knownEvents.get(event.eventId);
      const rejectedWhileHeld =
        known === event.contentHash && event.type === 'pay_out'
          ? this.held.rejectedEarlier(event.eventId)
          : undefined;
      if (rejectedWhileHeld !== undefined && event.type === 'pay_out') {
        onVerdict(entry, this.acceptResentPayOut(event, rejectedWhileHeld, at, effects));
        continue;
      }
      if (known !== undefined) {
        onVerdict(entry, { kind: known === event.contentHash ? 'duplicate' : 'conflict' });
        continue;
      }
      if (event.type === 'refund') {
        const accepted = this.refunds.apply(event, source, at);
        if (!accepted.ok) {
          onVerdict(entry, { kind: 'refused', field: accepted.field, reason: accepted.reason });
          continue;
        }
        store.insertEvent(event, source, at);
        knownEvents.set(event.eventId, event.contentHash);
        onVerdict(entry, { kind: 'refund' });
        continue;
      }
      if (event.type === 'pay_out') {
        const verdict = this.acceptPayOut(event, source, at, effects);
        if (verdict.kind !== 'refused') knownEvents.set(event.eventId, event.contentHash);
        onVerdict(entry, verdict);
        continue;
      }
      const clash = event.orders.find((order) => knownOrders.has(order.orderId));
      const ownerEventId = clash === undefined ? undefined : knownOrders.get(clash.orderId);
      if (clash !== undefined && ownerEventId !== undefined) {
        const index = event.orders.indexOf(clash);
        onVerdict(entry, { kind: 'order_taken', index, orderId: clash.orderId, ownerEventId });
        continue;
      }
      store.insertPayIn(event, source, batch.psp, at);
      knownEvents.set(event.eventId, event.contentHash);
      for (const order of event.orders) knownOrders.set(order.orderId, event.eventId);
      onVerdict(entry, { kind: 'pay_in' });
    }
  }

  /**
   * A pay_out: released now (its posting and wallet delta join the batch's), held when its order
   * may still be captured, or refused with the reason.
   */
  private acceptPayOut(
    event: PayOutEvent,
    source: string,
    at: string,
    effects: ReleaseEffects,
  ): IntakeVerdict {
    const released = this.releases.apply(event, at);
    if (!released.ok && !released.wait)
      return { kind: 'refused', field: released.field, reason: released.reason };
    if (!released.ok) {
      const held = this.held.hold(event, source, at);
      if (!held.ok) return { kind: 'refused', field: held.field, reason: held.reason };
      // Its seller details wait with it: applied at its release, never if it is rejected.
      this.store.insertEvent(event, source, at);
      return { kind: 'held' };
    }
    this.store.insertEvent(event, source, at);
    if (released.posting) effects.postings.push(released.posting);
    if (released.delta) effects.deltas.push(released.delta);
    return { kind: 'released' };
  }

  /**
   * The same pay_out again after it was rejected while held: its event row stays (events are
   * never deleted) but it released nothing, so it is judged again. Released now if its order is
   * captured (its seller details by its first acceptance's order, as a held release); refused
   * otherwise. It cannot be held a second time (a held row is resolved once).
   */
  private acceptResentPayOut(
    event: PayOutEvent,
    firstAccepted: { receivedAt: string; source: string },
    at: string,
    effects: ReleaseEffects,
  ): IntakeVerdict {
    const released = this.releases.apply(event, at, { sellerDetails: false });
    if (!released.ok && released.wait)
      return { kind: 'resent_waits', field: released.field, reason: released.reason };
    if (!released.ok) return { kind: 'refused', field: released.field, reason: released.reason };
    this.releases.recordSellerIfNewest(event, firstAccepted, at);
    if (released.posting) effects.postings.push(released.posting);
    if (released.delta) effects.deltas.push(released.delta);
    return { kind: 'released' };
  }
}
