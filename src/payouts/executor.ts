import { PAYOUTS_IN_TRANSIT_ACCOUNT } from '../bank/accounts.js';
import { type ReasonCount, noteDeadLetter, noteRetry, reasonOf } from '../queue/reasons.js';
import { type Database, inTransaction } from '../db/index.js';
import { failpoint } from '../failpoints.js';
import { Ledger, type PostingRequest } from '../ledger/index.js';
import type { Currency } from '../money/index.js';
import { DEFAULT_BATCH_SIZE, type ExecutorOptions } from '../payments/executor.js';
import {
  type AnswerRecorder,
  UnrecordedAnswers,
  recordOrSetAside,
  transferFact,
} from '../payments/attention.js';
import { type BehindNotice, BookMark } from '../payments/book-mark.js';
import { sendOrLookUpCounted } from '../payments/lookup-first.js';
import { retryDelayMs } from '../payments/retry-policy.js';
import { type PayoutResult, rejectionMessage } from '../psp/port.js';
import { Wallets, type WalletDelta, sellerAccount } from '../wallet/wallet.js';
import { formatLeaseOwner, thisProcessOwner } from '../work/lease-owner.js';
import { type HeldGroup, type LeaseJudge, heldIn } from '../work/leases.js';
import { type ClaimedPayout, PayoutStore } from './store.js';

export interface PayoutTally {
  attempted: number;
  succeeded: number;
  failed: number;
  retryScheduled: number;
  deadLettered: number;
  /** Why this run scheduled retries and dead-lettered payouts, by reason (src/queue/reasons.ts). */
  retriesByReason: ReasonCount[];
  deadLettersByReason: ReasonCount[];
  /** Final PSP answers payops could not record: kept as facts, the payouts in needs_attention. */
  needsAttention: number;
  lostLease: number;
  recoveredLeases: number;
  paidMinor: Map<Currency, bigint>;
  /** Requests the PSP refused as such (key reused, malformed): dead-lettered, one line each. */
  rejections: string[];
  /** The book was behind its high-water mark when this run began: its payouts were looked up first. */
  bookBehind: BehindNotice | null;
}

export function emptyPayoutTally(): PayoutTally {
  return {
    attempted: 0,
    succeeded: 0,
    failed: 0,
    retryScheduled: 0,
    deadLettered: 0,
    retriesByReason: [],
    deadLettersByReason: [],
    needsAttention: 0,
    lostLease: 0,
    recoveredLeases: 0,
    paidMinor: new Map(),
    rejections: [],
    bookBehind: null,
  };
}

/** The pay-in executor's options (the same protocol, leases and retry policy), without its progress callback. */
export type PayoutExecutorOptions = Omit<ExecutorOptions, 'onBatch'>;

/** Dr seller payable / Cr liabilities:payouts:in-transit: sent, until the bank statement shows it left (src/bank/). */
export function payoutSentTransaction(
  payout: ClaimedPayout,
  pspReference: string,
  at: string,
): PostingRequest {
  return {
    idempotencyKey: `payout.sent:${payout.payoutId}`,
    kind: 'payout.sent',
    description: `Payout ${payout.payoutId} to ${payout.sellerId}`,
    effectiveAt: at,
    metadata: { payoutId: payout.payoutId, sellerId: payout.sellerId, pspReference },
    entries: [
      {
        account: sellerAccount(payout.sellerId, 'payable'),
        currency: payout.currency,
        direction: 'debit',
        amountMinor: payout.amountMinor,
      },
      {
        account: PAYOUTS_IN_TRANSIT_ACCOUNT,
        currency: payout.currency,
        direction: 'credit',
        amountMinor: payout.amountMinor,
      },
    ],
  };
}

/**
 * Sends payouts with the protocol of DESIGN.md §5, exactly as pay-in charges: claim under a lease,
 * call the payout PSP outside any transaction with the payout's fixed key, then write the payout's
 * status, its ledger posting and the wallet in one transaction. A crash anywhere resumes with the
 * same key, so a seller is never paid twice.
 */
export class PayoutExecutor {
  private readonly store: PayoutStore;
  private readonly ledger: Ledger;
  private readonly wallets: Wallets;
  private readonly mark: BookMark;
  private readonly judge: LeaseJudge = { self: thisProcessOwner() };
  private readonly owner = formatLeaseOwner(this.judge.self);

  constructor(
    private readonly db: Database,
    private readonly options: PayoutExecutorOptions,
  ) {
    this.store = new PayoutStore(db);
    this.ledger = new Ledger(db);
    this.wallets = new Wallets(db);
    this.mark = BookMark.of(db);
  }

  async runDue(tally: PayoutTally = emptyPayoutTally()): Promise<PayoutTally> {
    // `runPayouts` never creates a payout for a PSP that cannot pay out, so there is nothing to claim.
    if (!this.options.psp.supportsPayouts) return tally;
    tally.bookBehind ??= this.mark.open(this.now());
    for (;;) {
      const { claimed, ...claim } = inTransaction(this.db, () => {
        tally.recoveredLeases += this.store.recoverLeases(
          this.options.psp.name,
          this.now(),
          this.judge,
        );
        const payouts = this.store.claimDue(
          this.options.psp.name,
          this.owner,
          this.leaseUntil(),
          this.now(),
          this.options.batchSize ?? DEFAULT_BATCH_SIZE,
        );
        return {
          claimed: payouts,
          ...this.mark.claimed(payouts.filter((payout) => payout.fromStatus === 'created').length),
        };
      });
      if (claimed.length === 0) return tally;
      await this.execute(claimed, tally, claim);
    }
  }

  /** Payouts of this PSP in `executing` that are not this executor's to take now (see `heldIn`). */
  held(): HeldGroup[] {
    return heldIn(this.db, 'payouts', this.options.psp.name, this.now(), this.judge);
  }

  /** When the earliest payout scheduled for retry is due, if any is. */
  nextRetryAt(): string | undefined {
    return this.store.nextRetryAt(this.options.psp.name);
  }

  async requeue(
    payoutIds: readonly string[],
    actor: string,
    tally: PayoutTally = emptyPayoutTally(),
  ): Promise<PayoutTally> {
    if (!this.options.psp.supportsPayouts) return tally;
    tally.bookBehind ??= this.mark.open(this.now());
    const { claimed, ...claim } = inTransaction(this.db, () => ({
      claimed: this.store.claimDeadLettered(
        payoutIds,
        this.options.psp.name,
        this.owner,
        this.leaseUntil(),
        this.now(),
        `requeued by ${actor}`,
      ),
      ...this.mark.claimed(0),
    }));
    if (claimed.length > 0) await this.execute(claimed, tally, claim);
    return tally;
  }

  /** `claim`: the book's count of first-time sends after this claim, and whether it is behind its mark. */
  private async execute(
    claimed: ClaimedPayout[],
    tally: PayoutTally,
    claim: { lookUpFirst: boolean; sends: bigint },
  ): Promise<void> {
    this.mark.advance(claim.sends);
    failpoint('payout.after-claim');
    const psp = this.options.psp;
    const { results, lostWorkFound } = await sendOrLookUpCounted(claimed, {
      keyLifetimeMs: psp.keyLifetimeMs,
      nowMs: this.options.clock(),
      bookBehind: claim.lookUpFirst,
      holdWhileBehind:
        "held: the book is behind its high-water mark and the PSP has no transfer with this id, which a restored book may have planned under another; rerun the payout runs since the backup in their order, or check the PSP's transfers and run `payops init --caught-up`",
      lookUp: (payout) => psp.lookupPayout(payout.payoutId),
      send: (payouts) =>
        psp.payout(
          payouts.map((payout) => ({
            idempotencyKey: payout.payoutKey,
            payoutId: payout.payoutId,
            sellerId: payout.sellerId,
            destination: payout.destination,
            amountMinor: payout.amountMinor,
            currency: payout.currency,
          })),
        ),
    });
    failpoint('payout.after-psp-call');
    const at = this.now();
    const setAside = recordOrSetAside(
      this.db,
      claimed,
      results,
      tally,
      this.answerRecorder(tally, at),
      () => failpoint('payout.before-record-commit'),
    );
    tally.needsAttention += setAside;
    this.mark.settle(lostWorkFound);
    tally.attempted += claimed.length;
  }

  private answerRecorder(
    tally: PayoutTally,
    at: string,
  ): AnswerRecorder<ClaimedPayout, PayoutResult> {
    const psp = this.options.psp.name;
    return {
      record: (payouts, results) => this.record(payouts, results, tally, at),
      factOf: (payout, result, error) =>
        transferFact('payout', payout.payoutId, payout, result, psp, error, at),
      setAside: (payout, fact) =>
        this.store.finish(
          payout,
          this.owner,
          {
            to: 'needs_attention',
            pspReference: fact.pspReference,
            error: `not recorded: ${fact.error}`,
          },
          at,
          `payout PSP ${psp} answered ${fact.answerStatus} (${fact.pspReference ?? 'no reference'}) and payops could not record it: ${fact.error}; kept for \`payops attention resolve\``,
        ),
    };
  }

  /**
   * Books an answer kept in unrecorded_answers (the payout is in needs_attention) through the same
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
    tally: PayoutTally,
  ): boolean {
    return inTransaction(this.db, () => {
      const payout = this.store.payoutNeedingAttention(fact.itemId);
      if (payout === undefined) return false;
      const result: PayoutResult =
        fact.answerStatus === 'succeeded'
          ? { status: 'succeeded', pspReference: fact.pspReference ?? '' }
          : {
              status: 'declined',
              pspReference: fact.pspReference,
              reason: fact.declineReason ?? 'declined',
            };
      const at = this.now();
      this.record([payout], [result], tally, at);
      return new UnrecordedAnswers(this.db).resolve(fact.id, at, actor);
    });
  }

  private record(
    payouts: readonly ClaimedPayout[],
    results: readonly PayoutResult[],
    tally: PayoutTally,
    at: string,
  ): void {
    const postings: PostingRequest[] = [];
    const deltas: WalletDelta[] = [];
    const move = (
      payout: ClaimedPayout,
      outcome: Parameters<PayoutStore['finish']>[2],
      cause: string,
    ): boolean => {
      const moved = this.store.finish(payout, this.owner, outcome, at, cause);
      if (!moved) tally.lostLease++;
      return moved;
    };
    payouts.forEach((payout, index) => {
      const result = results[index] ?? {
        status: 'retryable',
        kind: 'server_error',
        sent: true,
        detail: 'the PSP adapter returned no result',
      };
      // A kept answer is final; nothing else is booked from needs_attention.
      if (
        payout.fromStatus === 'needs_attention' &&
        result.status !== 'succeeded' &&
        result.status !== 'declined'
      )
        return;
      if (result.status === 'succeeded') {
        if (
          !move(
            payout,
            { to: 'succeeded', pspReference: result.pspReference },
            `payout PSP ${this.options.psp.name} sent it as ${result.pspReference}`,
          )
        )
          return;
        tally.succeeded++;
        tally.paidMinor.set(
          payout.currency,
          (tally.paidMinor.get(payout.currency) ?? 0n) + payout.amountMinor,
        );
        postings.push(payoutSentTransaction(payout, result.pspReference, at));
        deltas.push({
          sellerId: payout.sellerId,
          currency: payout.currency,
          pendingMinor: 0n,
          payableMinor: -payout.amountMinor,
          paidOutMinor: payout.amountMinor,
        });
      } else if (result.status === 'declined') {
        // Nothing left the bank: the amount stays payable for the next run.
        if (
          move(
            payout,
            { to: 'failed', pspReference: result.pspReference, error: result.reason },
            `payout PSP declined it: ${result.reason}`,
          )
        )
          tally.failed++;
      } else if (result.status === 'rejected') {
        // Never a decline: whether money left is for a person to establish, not for the next run.
        const message = rejectionMessage(
          `payout ${payout.payoutId} (key ${payout.payoutKey})`,
          result,
        );
        if (
          move(
            payout,
            { to: 'dead_lettered', error: `rejected: ${result.reason}: ${result.detail}` },
            message,
          )
        ) {
          noteDeadLetter(tally, `rejected by the PSP: ${result.reason}`);
          tally.rejections.push(message);
        }
      } else {
        const used = payout.attempts - payout.requeuedAtAttempt;
        const error = `${result.kind}: ${result.detail}`;
        const reason = reasonOf(result.detail, [payout.payoutKey, payout.payoutId]);
        if (used >= this.options.retry.maxAttempts) {
          if (
            move(
              payout,
              { to: 'dead_lettered', error },
              `${result.detail}; ${used} attempts used: dead-lettered`,
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
              payout,
              { to: 'retry_scheduled', error, nextAttemptAt },
              `${result.detail}; retry ${used + 1} at ${nextAttemptAt}`,
            )
          )
            noteRetry(tally, reason);
        }
      }
    });
    // Called only inside the transaction function of `execute`, which lets errors out of it.
    if (postings.length > 0)
      this.ledger.postBatchWithin(
        postings,
        (index) => `payout ${postings[index]?.metadata?.payoutId ?? index}`,
      );
    if (deltas.length > 0) this.wallets.apply(deltas, at);
  }

  private now(): string {
    return new Date(this.options.clock()).toISOString();
  }

  private leaseUntil(): string {
    return new Date(this.options.clock() + (this.options.leaseMs ?? 5 * 60_000)).toISOString();
  }
}
