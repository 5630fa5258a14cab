import type { Applied, UnitOfWorkStore } from '../db/port.js';
import type { PostingRequest } from '../ledger/index.js';
import type { UnrecordedAnswer } from '../payments/attention.js';
import type { BehindNotice } from '../payments/book-mark.js';
import type { Effects, Outcome, WorkItem, WorkStatus } from './kind.js';
import type { HeldGroup, LeaseJudge } from './leases/leases.js';

/** A guarded move pure code planned: taken only if the item is still in `from` (under `owner` when in `executing`). */
export interface PlannedMove<Item> {
  item: Item;
  from: WorkStatus;
  /** The lease owner compared for an item in `executing`; empty otherwise. */
  owner: string;
  outcome: Outcome;
  cause: string;
  /** Postings and wallet changes written with the move, only if it moves. */
  effects: Effects | null;
}

/** One record unit of work: every move in order, then the postings and wallet changes of those that moved. */
export interface RecordBatch<Item> {
  psp: string;
  at: string;
  moves: readonly PlannedMove<Item>[];
  /** How a posting that breaks a ledger rule is named in the error. */
  postingLabel(posting: PostingRequest | undefined, index: number): string;
}

export interface ClaimRequest {
  psp: string;
  owner: string;
  leaseUntil: string;
  at: string;
}

/** Pure code the claim runs inside its transaction. */
export interface ClaimChecks<Item> {
  /** Throws (the claim rolls back) when a claimed item may not move to `executing`. */
  check(items: readonly Item[]): void;
  /** The move that dead-letters an item whose row no longer matches its birth hash. */
  altered(item: Item, mismatch: string): PlannedMove<Item>;
}

/** What a claim unit of work did. */
export interface ClaimedBatch<Item> {
  recoveredLeases: number;
  /** Claimed and intact: to be sent. */
  claimed: Item[];
  /** Claimed but altered since intake: dead-lettered (`moved`) and never sent. */
  altered: { move: PlannedMove<Item>; moved: boolean }[];
  /** The book is behind its mark: look every item up before sending. */
  lookUpFirst: boolean;
  /** The book's count of first-time sends after this claim, for its mark. */
  sends: bigint;
}

/** `attention resolve` of one kept answer, as one unit of work. */
export interface KeptRequest {
  itemId: string;
  factId: bigint;
  actor: string;
  at: string;
}

/**
 * A batch's record inside a transaction its caller holds, synchronously: the recorder that SQLite
 * stores' own units of work call (webhooks, reported captures, `attention resolve` of a charge).
 */
export interface RecordWithin<Item> {
  recordWithin(batch: RecordBatch<Item>): Applied;
}

/**
 * The work engine's storage port (DESIGN.md §5, §10): one async method per unit of work of the
 * claim → call → record protocol, each one transaction applying what pure code decided. SQLite's
 * implementation is src/work/sqlite-store.ts.
 */
export interface WorkStore<Item extends WorkItem> extends UnitOfWorkStore {
  /** Recovers expired leases (and those of owners gone from this host), claims due work, dead-letters altered items, counts first-time sends. */
  claimDue(
    request: ClaimRequest & { limit: number; judge: LeaseJudge },
    checks: ClaimChecks<Item>,
  ): Promise<ClaimedBatch<Item>>;
  /** Claims these dead-lettered items again (an operator's requeue), then as claimDue. */
  claimDeadLettered(
    request: ClaimRequest & { ids: readonly string[]; cause: string },
    checks: ClaimChecks<Item>,
  ): Promise<ClaimedBatch<Item>>;
  /** The guarded moves, postings and wallet changes of a batch; `beforeCommit` runs inside, last. */
  record(batch: RecordBatch<Item>, beforeCommit?: () => void): Promise<Applied>;
  /** Moves the item to `needs_attention` (dated when the answer came) and keeps the answer as a fact, only if it moved. */
  setAside(move: PlannedMove<Item>, fact: UnrecordedAnswer): Promise<boolean>;
  /** Books a kept answer: the item read in `needs_attention`, the batch `plan` makes of it, the fact resolved. Undefined when it is no longer there. */
  bookKept(
    request: KeptRequest,
    plan: (item: Item) => RecordBatch<Item>,
  ): Promise<{ moved: Applied; resolved: boolean } | undefined>;
  /** Work in `executing` this process may not take now (see `heldIn`). */
  held(psp: string, at: string, judge: LeaseJudge): Promise<HeldGroup[]>;
  nextRetryAt(psp: string): Promise<string | undefined>;
  /** The book's high-water mark (src/payments/book-mark.ts): compared once per command. */
  openMark(at: string): Promise<BehindNotice | null>;
  /** After the claim commits, before the PSP is called. */
  advanceMark(sends: bigint): Promise<void>;
  /** After the record commits: look-ups that found work the book had lost. */
  settleMark(lostWorkFound: number): Promise<void>;
}
