import {
  ALTERED_REASON,
  type ReasonCount,
  noteDeadLetter,
  noteRetry,
  reasonOf,
} from '../queue/reasons.js';
import {
  BIRTH_QUERIES,
  type Database,
  type RefundBirthRow,
  inTransaction,
  refundBirthMismatch,
} from '../db/index.js';
import { InvariantError } from '../errors.js';
import { failpoint } from '../failpoints.js';
import { Ledger } from '../ledger/index.js';
import type { Currency } from '../money/index.js';
import {
  type AnswerRecorder,
  UnrecordedAnswers,
  recordOrSetAside,
  transferFact,
} from '../payments/attention.js';
import { type BehindNotice, BookMark } from '../payments/book-mark.js';
import { sendOrLookUpCounted } from '../payments/lookup-first.js';
import { type TransferStatus, assertTransferTransition } from '../payments/order-state.js';
import { type RetryPolicy, retryDelayMs } from '../payments/retry-policy.js';
import { type PaymentServiceProvider, type RefundResult, rejectionMessage } from '../psp/port.js';
import type { Clock } from '../time.js';
import { formatLeaseOwner, thisProcessOwner } from '../work/lease-owner.js';
import {
  type HeldGroup,
  type LeaseJudge,
  executingRows,
  heldIn,
  judgeLeases,
} from '../work/leases.js';
import { Wallets, type WalletDelta } from '../wallet/wallet.js';
import { type RefundedOrder, refundTransaction, refundWalletDelta, splitRefund } from './apply.js';

type RefundStatus = TransferStatus;

interface RefundRow {
  id: bigint;
  refund_id: string;
  order_id: string;
  amount_minor: bigint;
  currency: string;
  refund_key: string;
  status: RefundStatus;
  attempts: bigint;
  requeued_at_attempt: bigint;
  first_attempt_at: string | null;
  psp_reference: string | null;
}

export interface ClaimedRefund {
  id: bigint;
  refundId: string;
  orderId: string;
  amountMinor: bigint;
  currency: Currency;
  refundKey: string;
  chargeReference: string;
  attempts: number;
  requeuedAtAttempt: number;
  /** When the first attempt was claimed: null until this claim sets it. */
  firstAttemptAt: string | null;
  /** `executing` under our lease, or `needs_attention` when `attention resolve` books a kept answer. */
  fromStatus: 'executing' | 'needs_attention';
}

export interface RefundTally {
  attempted: number;
  succeeded: number;
  failed: number;
  retryScheduled: number;
  deadLettered: number;
  /** Why this run scheduled retries and dead-lettered refunds, by reason (src/queue/reasons.ts). */
  retriesByReason: ReasonCount[];
  deadLettersByReason: ReasonCount[];
  /** Final PSP answers payops could not record: kept as facts, the refunds in needs_attention. */
  needsAttention: number;
  recoveredLeases: number;
  refundedMinor: Map<Currency, bigint>;
  /** Requests the PSP refused as such (key reused, malformed): dead-lettered, one line each. */
  rejections: string[];
  /** The book was behind its high-water mark when this run began: its refunds were looked up first. */
  bookBehind: BehindNotice | null;
}

export function emptyRefundTally(): RefundTally {
  return {
    attempted: 0,
    succeeded: 0,
    failed: 0,
    retryScheduled: 0,
    deadLettered: 0,
    retriesByReason: [],
    deadLettersByReason: [],
    needsAttention: 0,
    recoveredLeases: 0,
    refundedMinor: new Map(),
    rejections: [],
    bookBehind: null,
  };
}

/**
 * Refunds through the PSP with the protocol of DESIGN.md §5 (lease; call outside any transaction
 * with the refund's fixed key; status + ledger + wallet + the order's refund totals in one
 * transaction). A declined refund releases its reservation on the order.
 */
export class RefundExecutor {
  private readonly ledger: Ledger;
  private readonly wallets: Wallets;
  private readonly mark: BookMark;
  private readonly judge: LeaseJudge = { self: thisProcessOwner() };
  private readonly owner = formatLeaseOwner(this.judge.self);
  private readonly s;

  constructor(
    private readonly db: Database,
    private readonly options: {
      psp: PaymentServiceProvider;
      retry: RetryPolicy;
      clock: Clock;
      leaseMs?: number;
      batchSize?: number;
      random?: () => number;
    },
  ) {
    this.ledger = new Ledger(db);
    this.wallets = new Wallets(db);
    this.mark = BookMark.of(db);
    const prepare = (sql: string) => db.prepare(sql);
    this.s = {
      leasedById: prepare('SELECT attempts FROM refunds WHERE id = ?'),
      birthById: prepare(BIRTH_QUERIES.refundById),
      recover: prepare(
        `UPDATE refunds SET status = 'retry_scheduled', next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                last_error = ?, updated_at = ? WHERE id = ? AND status = 'executing'`,
      ),
      due: prepare(
        `SELECT r.id, r.refund_id, r.order_id, r.amount_minor, r.currency, r.refund_key, r.status, r.attempts, r.requeued_at_attempt, r.first_attempt_at, o.psp_reference
         FROM refunds r JOIN orders o ON o.order_id = r.order_id
         WHERE r.psp = ? AND (r.status = 'created' OR (r.status = 'retry_scheduled' AND r.next_attempt_at <= ?)) ORDER BY r.id LIMIT ?`,
      ),
      deadLettered: prepare(
        `SELECT r.id, r.refund_id, r.order_id, r.amount_minor, r.currency, r.refund_key, r.status, r.attempts, r.requeued_at_attempt, r.first_attempt_at, o.psp_reference
         FROM refunds r JOIN orders o ON o.order_id = r.order_id WHERE r.refund_id = ? AND r.psp = ? AND r.status = 'dead_lettered'`,
      ),
      claim: prepare(
        `UPDATE refunds SET status = 'executing', attempts = attempts + 1, lease_owner = ?, lease_expires_at = ?,
                first_attempt_at = COALESCE(first_attempt_at, ?), next_attempt_at = NULL,
                requeued_at_attempt = CASE WHEN status = 'dead_lettered' THEN attempts ELSE requeued_at_attempt END, updated_at = ?
         WHERE id = ? AND status = ?`,
      ),
      finish: prepare(
        `UPDATE refunds SET status = ?, psp_reference = COALESCE(?, psp_reference), last_error = ?, next_attempt_at = ?,
                lease_owner = NULL, lease_expires_at = NULL, updated_at = ? WHERE id = ? AND status = ? AND COALESCE(lease_owner, '') = ?`,
      ),
      transition: prepare(
        'INSERT INTO refund_transitions (refund_id, from_status, to_status, attempt, at, cause) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      order: prepare(
        `SELECT order_id, seller_id, currency, amount_minor, platform_fee_minor, refunded_minor, refunded_share_minor, released_at FROM orders WHERE order_id = ?`,
      ),
      addRefunded: prepare(
        `UPDATE orders SET refunded_minor = refunded_minor + ?, refunded_share_minor = refunded_share_minor + ?,
                refunded_share_from_pending_minor = refunded_share_from_pending_minor + ?, updated_at = ? WHERE order_id = ?`,
      ),
      unreserve: prepare(
        'UPDATE orders SET refund_reserved_minor = refund_reserved_minor - ?, updated_at = ? WHERE order_id = ?',
      ),
      nextRetryAt: prepare(
        "SELECT MIN(next_attempt_at) AS at FROM refunds WHERE status = 'retry_scheduled' AND psp = ?",
      ),
      needingAttention: prepare(
        `SELECT r.id, r.refund_id, r.order_id, r.amount_minor, r.currency, r.refund_key, r.status, r.attempts, r.requeued_at_attempt, r.first_attempt_at, o.psp_reference
         FROM refunds r JOIN orders o ON o.order_id = r.order_id WHERE r.refund_id = ? AND r.status = 'needs_attention'`,
      ),
    };
  }

  /** Refunds of this PSP in `executing` that are not this executor's to take now (see `heldIn`). */
  held(): HeldGroup[] {
    return heldIn(this.db, 'refunds', this.options.psp.name, this.now(), this.judge);
  }

  /** When the earliest refund scheduled for retry is due, if any is. */
  nextRetryAt(): string | undefined {
    return (this.s.nextRetryAt.get(this.options.psp.name) as { at: string | null }).at ?? undefined;
  }

  async runDue(tally: RefundTally = emptyRefundTally()): Promise<RefundTally> {
    const psp = this.options.psp;
    tally.bookBehind ??= this.mark.open(this.now());
    for (;;) {
      const { claimed, ...claim } = inTransaction(this.db, () => {
        const now = this.now();
        tally.recoveredLeases += this.recoverLeases(now);
        const rows = this.s.due.all(psp.name, now, this.options.batchSize ?? 1_000) as RefundRow[];
        const refunds = this.withoutAltered(
          rows.map((row) =>
            this.claim(row, now, row.status === 'created' ? 'first attempt' : 'retry'),
          ),
          tally,
          now,
        );
        const sent = new Set(refunds.map((refund) => refund.id));
        return {
          claimed: refunds,
          ...this.mark.claimed(
            rows.filter((row) => row.status === 'created' && sent.has(row.id)).length,
          ),
        };
      });
      if (claimed.length === 0) return tally;
      await this.execute(claimed, tally, claim);
    }
  }

  /** Refunds whose lease ran out or whose owner is gone from this host go back to the retry queue, due now (same key). */
  private recoverLeases(now: string): number {
    const verdicts = judgeLeases(
      'refunds',
      executingRows(this.db, 'refunds', this.options.psp.name),
      now,
      this.judge,
    );
    let recovered = 0;
    for (const { row, cause, error } of verdicts.recover) {
      if (this.s.recover.run(now, error, now, row.id).changes === 1) {
        this.s.transition.run(
          row.id,
          'executing',
          'retry_scheduled',
          Number((this.s.leasedById.get(row.id) as { attempts: bigint }).attempts),
          now,
          cause,
        );
        recovered++;
      }
    }
    return recovered;
  }

  /** Gives dead-lettered refunds one more round (with a fresh retry budget), by an operator. */
  async requeue(
    refundIds: readonly string[],
    actor: string,
    tally: RefundTally = emptyRefundTally(),
  ): Promise<RefundTally> {
    tally.bookBehind ??= this.mark.open(this.now());
    const { claimed, ...claim } = inTransaction(this.db, () => {
      const now = this.now();
      const refunds = refundIds
        .map(
          (refundId) =>
            this.s.deadLettered.get(refundId, this.options.psp.name) as RefundRow | undefined,
        )
        .filter((row): row is RefundRow => row !== undefined)
        .map((row) => this.claim(row, now, `requeued by ${actor}`));
      return { claimed: this.withoutAltered(refunds, tally, now), ...this.mark.claimed(0) };
    });
    if (claimed.length > 0) await this.execute(claimed, tally, claim);
    return tally;
  }

  private claim(row: RefundRow, now: string, cause: string): ClaimedRefund {
    if (this.s.claim.run(this.owner, this.leaseUntil(), now, now, row.id, row.status).changes !== 1)
      throw new InvariantError(`refund ${row.refund_id} changed under an immediate transaction`);
    const attempts = Number(row.attempts) + 1;
    this.s.transition.run(
      row.id,
      row.status,
      'executing',
      attempts,
      now,
      `${cause}; key ${row.refund_key}; lease ${this.owner}`,
    );
    // A requeued refund starts a fresh retry budget from the attempts it had used.
    const requeuedAtAttempt =
      row.status === 'dead_lettered' ? Number(row.attempts) : Number(row.requeued_at_attempt);
    return { ...toClaimed(row, 'executing'), attempts, requeuedAtAttempt };
  }

  /**
   * Inside the claim's transaction, as pay-in does for orders (PayinExecutor.withoutAltered): a
   * refund whose fields no longer match the hash recorded at intake (edited behind the schema's
   * triggers: amount, order) is never sent; it is dead-lettered and named, and the run exits 5.
   * Its reservation on the order stays until a person has looked.
   */
  private withoutAltered(
    claimed: ClaimedRefund[],
    tally: RefundTally,
    at: string,
  ): ClaimedRefund[] {
    const intact: ClaimedRefund[] = [];
    for (const refund of claimed) {
      const row = this.s.birthById.get(refund.id) as RefundBirthRow | undefined;
      const mismatch = row === undefined ? 'it is gone from the books' : refundBirthMismatch(row);
      if (mismatch === undefined) {
        intact.push(refund);
        continue;
      }
      const message = `refund ${refund.refundId} was not sent: ${mismatch}; it was dead-lettered (compare it with its event; \`payops check\` lists every such refund)`;
      if (this.move(refund, 'dead_lettered', at, message, { error: `altered: ${mismatch}` })) {
        noteDeadLetter(tally, ALTERED_REASON);
        tally.rejections.push(message);
      }
    }
    return intact;
  }

  /** `claim`: the book's count of first-time sends after this claim, and whether it is behind its mark. */
  private async execute(
    claimed: readonly ClaimedRefund[],
    tally: RefundTally,
    claim: { lookUpFirst: boolean; sends: bigint },
  ): Promise<void> {
    this.mark.advance(claim.sends);
    failpoint('refund.after-claim');
    const psp = this.options.psp;
    const { results, lostWorkFound } = await sendOrLookUpCounted(claimed, {
      keyLifetimeMs: psp.keyLifetimeMs,
      nowMs: this.options.clock(),
      bookBehind: claim.lookUpFirst,
      lookUp: (refund) => psp.lookupRefund(refund),
      send: (refunds) =>
        psp.refund(
          refunds.map((r) => ({
            idempotencyKey: r.refundKey,
            refundId: r.refundId,
            merchantReference: r.orderId,
            chargeReference: r.chargeReference,
            amountMinor: r.amountMinor,
            currency: r.currency,
          })),
        ),
    });
    failpoint('refund.after-psp-call');
    const at = this.now();
    const setAside = recordOrSetAside(
      this.db,
      claimed,
      results,
      tally,
      this.answerRecorder(tally, at),
      () => failpoint('refund.before-record-commit'),
    );
    tally.needsAttention += setAside;
    this.mark.settle(lostWorkFound);
    tally.attempted += claimed.length;
  }

  private answerRecorder(
    tally: RefundTally,
    at: string,
  ): AnswerRecorder<ClaimedRefund, RefundResult> {
    const psp = this.options.psp.name;
    return {
      record: (refunds, results) => this.record(refunds, results, tally, at),
      factOf: (refund, result, error) =>
        transferFact('refund', refund.refundId, refund, result, psp, error, at),
      setAside: (refund, fact) =>
        this.move(
          refund,
          'needs_attention',
          at,
          `PSP ${psp} answered ${fact.answerStatus} (${fact.pspReference ?? 'no reference'}) and payops could not record it: ${fact.error}; kept for \`payops attention resolve\``,
          {
            pspReference: fact.pspReference,
            error: `not recorded: ${fact.error}`,
          },
        ),
    };
  }

  /**
   * Books an answer kept in unrecorded_answers (the refund is in needs_attention) through the same
   * record as the executor's, in one transaction with the fact's resolution. Throws, changing
   * nothing, while the cause still stands.
   */
  resolveKept(
    fact: {
      id: bigint;
      itemId: string;
      answerStatus: 'succeeded' | 'declined';
      pspReference: string | null;
      declineReason: string | null;
    },
    actor: string,
    tally: RefundTally,
  ): boolean {
    return inTransaction(this.db, () => {
      const row = this.s.needingAttention.get(fact.itemId) as RefundRow | undefined;
      if (row === undefined) return false;
      const result: RefundResult =
        fact.answerStatus === 'succeeded'
          ? { status: 'succeeded', pspReference: fact.pspReference ?? '' }
          : {
              status: 'declined',
              pspReference: fact.pspReference,
              reason: fact.declineReason ?? 'declined',
            };
      const at = this.now();
      this.record([toClaimed(row, 'needs_attention')], [result], tally, at);
      return new UnrecordedAnswers(this.db).resolve(fact.id, at, actor);
    });
  }

  private move(
    refund: ClaimedRefund,
    to: RefundStatus,
    at: string,
    cause: string,
    fields: {
      pspReference?: string | null;
      error?: string | null;
      nextAttemptAt?: string | null;
    } = {},
  ): boolean {
    assertTransferTransition('refund', refund.refundId, refund.fromStatus, to);
    const owner = refund.fromStatus === 'executing' ? this.owner : '';
    const moved =
      this.s.finish.run(
        to,
        fields.pspReference ?? null,
        fields.error ?? null,
        fields.nextAttemptAt ?? null,
        at,
        refund.id,
        refund.fromStatus,
        owner,
      ).changes === 1;
    if (moved) this.s.transition.run(refund.id, refund.fromStatus, to, refund.attempts, at, cause);
    return moved;
  }

  private record(
    refunds: readonly ClaimedRefund[],
    results: readonly RefundResult[],
    tally: RefundTally,
    at: string,
  ): void {
    const psp = this.options.psp.name;
    const deltas: WalletDelta[] = [];
    const move = (
      refund: ClaimedRefund,
      to: RefundStatus,
      cause: string,
      fields: {
        pspReference?: string | null;
        error?: string | null;
        nextAttemptAt?: string | null;
      } = {},
    ): boolean => this.move(refund, to, at, cause, fields);
    refunds.forEach((refund, index) => {
      const result = results[index] ?? {
        status: 'retryable',
        kind: 'server_error',
        sent: true,
        detail: 'the PSP adapter returned no result',
      };
      // A kept answer is final; nothing else is booked from needs_attention.
      if (
        refund.fromStatus === 'needs_attention' &&
        result.status !== 'succeeded' &&
        result.status !== 'declined'
      )
        return;
      if (result.status === 'succeeded') {
        if (
          !move(refund, 'succeeded', `PSP ${psp} refunded it as ${result.pspReference}`, {
            pspReference: result.pspReference,
          })
        )
          return;
        const row = this.s.order.get(refund.orderId) as {
          order_id: string;
          seller_id: string;
          currency: string;
          amount_minor: bigint;
          platform_fee_minor: bigint;
          refunded_minor: bigint;
          refunded_share_minor: bigint;
          released_at: string | null;
        };
        const order: RefundedOrder = {
          orderId: row.order_id,
          sellerId: row.seller_id,
          currency: row.currency as Currency,
          amountMinor: row.amount_minor,
          platformFeeMinor: row.platform_fee_minor,
          refundedMinor: row.refunded_minor,
          refundedShareMinor: row.refunded_share_minor,
          released: row.released_at !== null,
        };
        const split = splitRefund(order, refund.amountMinor);
        this.s.addRefunded.run(
          refund.amountMinor,
          split.shareMinor,
          split.bucket === 'pending' ? split.shareMinor : 0n,
          at,
          refund.orderId,
        );
        // Post now, one at a time: the next refund of the same order splits on these totals.
        this.ledger.postBatch(
          [
            refundTransaction(
              refund.refundId,
              order,
              refund.amountMinor,
              split,
              psp,
              result.pspReference,
              at,
            ),
          ],
          () => `refund ${refund.refundId}`,
        );
        deltas.push(refundWalletDelta(order, split));
        tally.succeeded++;
        tally.refundedMinor.set(
          refund.currency,
          (tally.refundedMinor.get(refund.currency) ?? 0n) + refund.amountMinor,
        );
      } else if (result.status === 'declined') {
        if (
          move(refund, 'failed', `PSP ${psp} declined the refund: ${result.reason}`, {
            pspReference: result.pspReference,
            error: result.reason,
          })
        ) {
          this.s.unreserve.run(refund.amountMinor, at, refund.orderId);
          tally.failed++;
        }
      } else if (result.status === 'rejected') {
        // Never a decline: the reservation stays until a person knows whether money went back.
        const message = rejectionMessage(
          `refund ${refund.refundId} (key ${refund.refundKey})`,
          result,
        );
        if (
          move(refund, 'dead_lettered', message, {
            error: `rejected: ${result.reason}: ${result.detail}`,
          })
        ) {
          noteDeadLetter(tally, `rejected by the PSP: ${result.reason}`);
          tally.rejections.push(message);
        }
      } else {
        const used = refund.attempts - refund.requeuedAtAttempt;
        const error = `${result.kind}: ${result.detail}`;
        const reason = reasonOf(result.detail, [refund.refundKey, refund.refundId]);
        if (used >= this.options.retry.maxAttempts) {
          if (
            move(
              refund,
              'dead_lettered',
              `${result.detail}; ${used} attempts used: dead-lettered`,
              { error },
            )
          )
            noteDeadLetter(tally, reason);
        } else {
          const nextAttemptAt = new Date(
            Date.parse(at) +
              retryDelayMs(
                this.options.retry,
                used,
                result.retryAfterMs,
                this.options.random ?? Math.random,
              ),
          ).toISOString();
          if (
            move(
              refund,
              'retry_scheduled',
              `${result.detail}; retry ${used + 1} at ${nextAttemptAt}`,
              { error, nextAttemptAt },
            )
          )
            noteRetry(tally, reason);
        }
      }
    });
    if (deltas.length > 0) this.wallets.apply(deltas, at);
  }

  private now(): string {
    return new Date(this.options.clock()).toISOString();
  }

  private leaseUntil(): string {
    return new Date(this.options.clock() + (this.options.leaseMs ?? 5 * 60_000)).toISOString();
  }
}

function toClaimed(row: RefundRow, fromStatus: ClaimedRefund['fromStatus']): ClaimedRefund {
  return {
    id: row.id,
    refundId: row.refund_id,
    orderId: row.order_id,
    amountMinor: row.amount_minor,
    currency: row.currency as Currency,
    refundKey: row.refund_key,
    chargeReference: row.psp_reference ?? '',
    attempts: Number(row.attempts),
    requeuedAtAttempt: Number(row.requeued_at_attempt),
    firstAttemptAt: row.first_attempt_at,
    fromStatus,
  };
}
