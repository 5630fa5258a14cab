import type { Applied } from '../db/port.js';
import { type Database, inTransaction } from '../db/index.js';
import { Ledger } from '../ledger/index.js';
import { type UnrecordedAnswer, isStorageFailure } from '../payments/attention.js';
import { bookMarkOf } from '../payments/book-mark-store.js';
import { UnrecordedAnswers } from '../payments/unrecorded-answers-store.js';
import { Wallets } from '../wallet/wallet-store.js';
import type { Effects, KindRows, WorkItem } from './kind.js';
import { executingRows } from './leases/lease-store.js';
import { type HeldGroup, type LeaseJudge, heldIn } from './leases/leases.js';
import type {
  ClaimChecks,
  ClaimRequest,
  ClaimedBatch,
  KeptRequest,
  PlannedMove,
  RecordBatch,
  WorkStore,
} from './work-store.js';

/**
 * The work store on SQLite: each unit of work runs synchronously inside `inTransaction`, so its
 * one await costs nothing. `recordWithin` is the record for SQLite-side callers that hold the
 * transaction themselves (the webhook store's unit of work, reconciliation's reported captures).
 */
export class SqliteWorkStore<Item extends WorkItem> implements WorkStore<Item> {
  private readonly ledger: Ledger;
  private readonly wallets: Wallets;

  constructor(
    private readonly db: Database,
    private readonly rows: KindRows<Item>,
  ) {
    this.ledger = new Ledger(db);
    this.wallets = new Wallets(db);
  }

  isStorageFailure(error: unknown): boolean {
    return isStorageFailure(error);
  }

  async claimDue(
    request: ClaimRequest & { limit: number; judge: LeaseJudge },
    checks: ClaimChecks<Item>,
  ): Promise<ClaimedBatch<Item>> {
    const { psp, owner, leaseUntil, at } = request;
    return inTransaction(this.db, () => {
      const recoveredLeases = this.rows.recoverLeases(psp, at, request.judge);
      const items = this.rows.claimDue(psp, owner, leaseUntil, at, request.limit);
      return { recoveredLeases, ...this.vetted(items, checks, at) };
    });
  }

  async claimDeadLettered(
    request: ClaimRequest & { ids: readonly string[]; cause: string },
    checks: ClaimChecks<Item>,
  ): Promise<ClaimedBatch<Item>> {
    const { psp, owner, leaseUntil, at } = request;
    return inTransaction(this.db, () => {
      const items = this.rows.claimDeadLettered(
        request.ids,
        psp,
        owner,
        leaseUntil,
        at,
        request.cause,
      );
      return { recoveredLeases: 0, ...this.vetted(items, checks, at) };
    });
  }

  async record(batch: RecordBatch<Item>, beforeCommit?: () => void): Promise<Applied> {
    return inTransaction(this.db, () => {
      const moved = this.recordWithin(batch);
      beforeCommit?.();
      return moved;
    });
  }

  /** `record` inside a transaction the caller holds (webhooks, `orders sync`'s settlement captures). */
  recordWithin(batch: RecordBatch<Item>): Applied {
    const effects: Effects = { postings: [], deltas: [] };
    const moved = batch.moves.map((move) => {
      if (!this.move(move, batch.at)) return false;
      if (move.effects !== null) {
        effects.postings.push(...move.effects.postings);
        effects.deltas.push(...move.effects.deltas);
      }
      this.rows.afterMove?.(move.item, move.outcome, batch.psp, batch.at, effects);
      return true;
    });
    const { postings, deltas } = effects;
    if (postings.length > 0)
      this.ledger.postBatchWithin(postings, (index) => batch.postingLabel(postings[index], index));
    if (deltas.length > 0) this.wallets.apply(deltas, batch.at);
    return moved;
  }

  async setAside(move: PlannedMove<Item>, fact: UnrecordedAnswer): Promise<boolean> {
    return inTransaction(this.db, () => {
      if (!this.move(move, fact.answeredAt)) return false;
      new UnrecordedAnswers(this.db).insert(fact);
      return true;
    });
  }

  async bookKept(
    request: KeptRequest,
    plan: (item: Item) => RecordBatch<Item>,
  ): Promise<{ moved: Applied; resolved: boolean } | undefined> {
    return inTransaction(this.db, () => {
      const item = this.rows.needingAttention?.(request.itemId);
      if (item === undefined) return undefined;
      const moved = this.recordWithin(plan(item));
      const resolved = new UnrecordedAnswers(this.db).resolve(
        request.factId,
        request.at,
        request.actor,
      );
      return { moved, resolved };
    });
  }

  async held(psp: string, at: string, judge: LeaseJudge): Promise<HeldGroup[]> {
    const table = this.rows.table;
    return heldIn(table, executingRows(this.db, table, psp), at, judge);
  }

  async nextRetryAt(psp: string): Promise<string | undefined> {
    return this.rows.nextRetryAt(psp);
  }

  async openMark(at: string) {
    return bookMarkOf(this.db).open(at);
  }

  async advanceMark(sends: bigint): Promise<void> {
    bookMarkOf(this.db).advance(sends);
  }

  async settleMark(lostWorkFound: number): Promise<void> {
    bookMarkOf(this.db).settle(lostWorkFound);
  }

  private move(move: PlannedMove<Item>, at: string): boolean {
    return this.rows.finish(move.item, move.from, move.owner, move.outcome, at, move.cause);
  }

  /** Inside the claim: the pure check, altered items dead-lettered, first-time sends counted for the mark. */
  private vetted(items: Item[], checks: ClaimChecks<Item>, at: string) {
    checks.check(items);
    const claimed: Item[] = [];
    const altered: ClaimedBatch<Item>['altered'] = [];
    for (const item of items) {
      const mismatch = this.rows.birthMismatch?.(item);
      if (mismatch === undefined) claimed.push(item);
      else {
        const move = checks.altered(item, mismatch);
        altered.push({ move, moved: this.move(move, at) });
      }
    }
    const firstSends = claimed.filter((item) => item.fromStatus === 'created').length;
    return { claimed, altered, ...bookMarkOf(this.db).claimed(firstSends) };
  }
}
