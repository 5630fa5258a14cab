import type { PostingRequest } from '../ledger/index.js';
import type { UnrecordedAnswer } from '../payments/attention.js';
import type { BehindNotice } from '../payments/book-mark.js';
import type { OrderStatus, TransitionTable } from '../payments/order-state.js';
import type { OrderOutcome } from '../payments/store.js';
import type {
  ChargeResult,
  Lookup,
  PaymentServiceProvider,
  PayoutResult,
  RefundResult,
  RetryableFailure,
} from '../psp/port.js';
import type { ReasonTally } from './reasons.js';
import type { WalletDelta } from '../wallet/wallet-store.js';
import type { LeaseJudge, LeasedTable } from './leases/leases.js';

/** Every status a charge, refund or payout can be in (refunds and payouts have no `pending`). */
export type WorkStatus = OrderStatus;

/** A claimed charge, refund or payout, as the engine sees it. */
export interface WorkItem {
  id: bigint;
  /** Counting this one. */
  attempts: number;
  requeuedAtAttempt: number;
  firstAttemptAt: string | null;
  /** The status it was read in: `created`, `retry_scheduled`, `dead_lettered` (claimed), `pending` or `needs_attention`. */
  fromStatus: WorkStatus;
}

/** What the PSP answered about one item. */
export type WorkResult = ChargeResult | RefundResult | PayoutResult;

/** A guarded move of an item from one status to `to`, with what the answer said (the same for every kind). */
export type Outcome = OrderOutcome;

/** What every executor counts (charges, refunds, payouts); each kind adds its money totals. */
export interface WorkTally extends ReasonTally {
  attempted: number;
  succeeded: number;
  failed: number;
  /** Final PSP answers payops could not record: kept as facts, the items in needs_attention. */
  needsAttention: number;
  /** Outcomes another process recorded first (our lease had expired): nothing was written twice. */
  lostLease: number;
  recoveredLeases: number;
  /** Requests the PSP refused as such (key reused, malformed): payops broke an invariant. Dead-lettered, one line each. */
  rejections: string[];
  /** The book was behind its high-water mark when this run began: its sends were looked up first. */
  bookBehind: BehindNotice | null;
}

/** What a success answered: the PSP's reference, and its fee when it gave one (charges). */
export interface Captured {
  pspReference: string;
  feeMinor: bigint | null;
}

/** What one batch's successes write after every status moved: postings and wallet changes, applied together. */
export interface Effects {
  postings: PostingRequest[];
  deltas: WalletDelta[];
}

/** The failpoints of one kind, each a call naming it (src/failpoints.ts; chaos/ finds them by that name). */
export interface KindFailpoints {
  afterClaim(): void;
  afterPspCall(): void;
  beforeRecordCommit(): void;
  afterRecord?(): void;
}

/**
 * What one kind of PSP work (charge, refund, payout) supplies to the engine (src/work/engine.ts):
 * its PSP request, what success writes, the causes it records and its transition table: pure code,
 * no storage (its rows are the work store's: src/work/work-store.ts). Leases, claims,
 * look-up-first, retries, dead letters, lost leases and the transition check are the engine's, once.
 */
export interface KindRules<
  Item extends WorkItem,
  Result extends WorkResult,
  Tally extends WorkTally,
> {
  /** The noun of its errors and facts: `order ord_1: illegal transition …`. */
  noun: 'order' | 'refund' | 'payout';
  transitions: TransitionTable;
  failpoints: KindFailpoints;
  emptyTally(): Tally;
  idOf(item: Item): string;
  keyOf(item: Item): string;

  /** False when this PSP cannot do this kind of work at all (payouts): nothing is claimed. */
  available(psp: PaymentServiceProvider): boolean;
  /** The cause (and rejection line) of an item whose row no longer matches its birth hash (kinds with one). */
  alteredMessage?(item: Item, mismatch: string): string;

  send(psp: PaymentServiceProvider, items: readonly Item[]): Promise<Result[]>;
  lookUp(psp: PaymentServiceProvider, item: Item): Promise<Lookup<Result>>;
  /** While the book is behind: work the PSP has no record of is held with this reason, not sent. */
  holdWhileBehind?: string;

  causes: KindCauses<Item>;
  /**
   * What the move to `succeeded` writes with it: postings and wallet changes, applied in the same
   * unit of work only if the item moves. Null when what it writes depends on rows read inside that
   * unit of work (refunds: the order's refund totals): the store applies those itself.
   */
  succeededEffects(item: Item, answer: Captured, psp: string, at: string): Effects | null;
  /** After the move to `succeeded` committed: its totals. */
  onSucceeded(item: Item, tally: Tally): void;
  /** After the move to `pending` committed (charges only). */
  onPending?(tally: Tally): void;
  postingLabel(posting: PostingRequest | undefined, index: number): string;
  factOf(
    item: Item,
    result: Result,
    psp: string,
    error: string,
    at: string,
  ): UnrecordedAnswer | null;
}

/**
 * One kind's rows as a synchronous store writes them, row by row, inside the transaction its work
 * store holds (on SQLite: src/payments/store.ts, src/payouts/store.ts,
 * src/refunds/store.ts, bound in src/work/kinds/sqlite-rows.ts).
 */
export interface KindRows<Item extends WorkItem> {
  table: LeasedTable;
  recoverLeases(psp: string, at: string, judge: LeaseJudge): number;
  claimDue(psp: string, owner: string, leaseUntil: string, at: string, limit: number): Item[];
  claimDeadLettered(
    ids: readonly string[],
    psp: string,
    owner: string,
    leaseUntil: string,
    at: string,
    cause: string,
  ): Item[];
  /** The guarded UPDATE: moves it if it is still in `from` (and under `owner` when not empty). */
  finish(
    item: Item,
    from: WorkStatus,
    owner: string,
    outcome: Outcome,
    at: string,
    cause: string,
  ): boolean;
  nextRetryAt(psp: string): string | undefined;
  /** Why its row no longer matches its birth hash, if it does not (kinds with one). */
  birthMismatch?(item: Item): string | undefined;
  /** In `needs_attention`, for `attention resolve`. */
  needingAttention?(itemId: string): Item | undefined;
  /** What a move (to `outcome`) writes that depends on rows read in this transaction (refunds); wallet changes go into `effects`. */
  afterMove?(item: Item, outcome: Outcome, psp: string, at: string, effects: Effects): void;
}

/** A kind's rules bound to its rows on one book: what the SQLite engine (and the executor suite) take. */
export interface WorkKind<Item extends WorkItem, Result extends WorkResult, Tally extends WorkTally>
  extends KindRules<Item, Result, Tally>,
    KindRows<Item> {}

/** The causes a kind writes into its transitions, word for word. */
export interface KindCauses<Item> {
  succeeded(psp: string, pspReference: string): string;
  declined(psp: string, reason: string): string;
  pending?(psp: string, pspReference: string): string;
  /** `the charge of ord_1 (key payops-ord_1-charge)`: what a rejection message names. */
  request(item: Item): string;
  /** The failure as its retry and dead-letter causes begin. */
  failure(failure: RetryableFailure): string;
  setAside(psp: string, fact: UnrecordedAnswer): string;
}
