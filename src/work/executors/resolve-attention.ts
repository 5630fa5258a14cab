import { type Database, inTransaction } from '../../db/index.js';
import { NotFoundError } from '../../errors.js';
import type { PaymentServiceProvider } from '../../psp/port.js';
import { PayoutExecutor, emptyPayoutTally } from './payout.js';
import { RefundExecutor, emptyRefundTally } from './refund.js';
import type { Clock } from '../../time.js';
import { type StoredAnswer, UnrecordedAnswers } from '../../payments/attention.js';
import { emptyTally } from './charge.js';
import { ChargeRecorder } from './charge-recorder.js';
import { DEFAULT_RETRY_POLICY } from '../../payments/retry-policy.js';
import { PaymentsStore } from '../../payments/store.js';

export interface AttentionOutcome {
  kind: StoredAnswer['kind'];
  itemId: string;
  /** booked now; booked before (nothing done); refused (the cause still stands: nothing changed). */
  outcome: 'booked' | 'already_booked' | 'refused';
  detail: string;
}

/** Which kept answers to book: these order, refund or payout ids, or every open one. */
export type AttentionSelection = { all: true } | { ids: readonly string[] };

/** The answers payops could not record, not booked yet, oldest first. */
export function listUnrecorded(db: Database): StoredAnswer[] {
  return new UnrecordedAnswers(db).open();
}

/**
 * `attention resolve`: books each kept answer through the same recorder as a live answer (status
 * needs_attention → succeeded | failed, postings, wallet) and stamps the fact resolved, in one
 * transaction per item. Idempotent: a resolved fact is reported as already booked. An answer that
 * still cannot be booked is refused and its item stays in needs_attention. The PSP is never called:
 * the executors are given a PSP that refuses every call.
 */
export function resolveAttention(
  db: Database,
  which: AttentionSelection,
  actor: string,
  clock: Clock,
): AttentionOutcome[] {
  const facts = new UnrecordedAnswers(db);
  const selected: StoredAnswer[] = [];
  const outcomes: AttentionOutcome[] = [];
  if ('all' in which) selected.push(...facts.open());
  else {
    for (const id of which.ids) {
      const kept = facts.byItemId(id);
      if (kept.length === 0)
        throw new NotFoundError(
          `attention resolve: no PSP answer is kept for ${id}; nothing was booked`,
          { hint: 'see `payops attention list`' },
        );
      for (const fact of kept) {
        if (fact.resolvedAt !== null)
          outcomes.push({
            kind: fact.kind,
            itemId: fact.itemId,
            outcome: 'already_booked',
            detail: `booked at ${fact.resolvedAt} by ${fact.resolvedBy ?? 'unknown'}`,
          });
        else selected.push(fact);
      }
    }
  }
  for (const fact of selected) outcomes.push(bookOne(db, fact, actor, clock));
  return outcomes;
}

function bookOne(db: Database, fact: StoredAnswer, actor: string, clock: Clock): AttentionOutcome {
  const base = { kind: fact.kind, itemId: fact.itemId };
  const to = fact.answerStatus === 'succeeded' ? 'succeeded' : 'failed';
  try {
    const booked =
      fact.kind === 'charge'
        ? bookCharge(db, fact, actor, clock)
        : bookTransfer(db, fact, actor, clock);
    if (!booked) {
      // Another `attention resolve` may have booked it since this one listed it: that is done, not refused.
      const now = new UnrecordedAnswers(db)
        .byItemId(fact.itemId)
        .find((kept) => kept.id === fact.id);
      if (now?.resolvedAt)
        return {
          ...base,
          outcome: 'already_booked',
          detail: `booked at ${now.resolvedAt} by ${now.resolvedBy ?? 'unknown'}`,
        };
      return {
        ...base,
        outcome: 'refused',
        detail: `${fact.kind} ${fact.itemId} is no longer in needs_attention; the fact was left open for a person`,
      };
    }
    return {
      ...base,
      outcome: 'booked',
      detail: `needs_attention → ${to} (${fact.pspReference ?? 'no PSP reference'})`,
    };
  } catch (error) {
    return {
      ...base,
      outcome: 'refused',
      detail: `still cannot be booked: ${error instanceof Error ? error.message : String(error)}; it stays in needs_attention`,
    };
  }
}

function bookCharge(db: Database, fact: StoredAnswer, actor: string, clock: Clock): boolean {
  return inTransaction(db, () => {
    const order = new PaymentsStore(db).orderForOutcome(fact.itemId);
    if (order === undefined || order.fromStatus !== 'needs_attention') return false;
    const at = new Date(clock()).toISOString();
    const tally = emptyTally();
    const result =
      fact.answerStatus === 'succeeded'
        ? {
            status: 'succeeded' as const,
            pspReference: fact.pspReference ?? '',
            feeMinor: fact.pspFeeMinor,
          }
        : {
            status: 'declined' as const,
            pspReference: fact.pspReference,
            reason: fact.declineReason ?? 'declined',
          };
    new ChargeRecorder(db, {
      psp: fact.psp,
      retry: DEFAULT_RETRY_POLICY,
      random: Math.random,
    }).record([order], [result], tally, null, at);
    if (tally.succeeded + tally.failed !== 1) return false;
    return new UnrecordedAnswers(db).resolve(fact.id, at, actor);
  });
}

function bookTransfer(db: Database, fact: StoredAnswer, actor: string, clock: Clock): boolean {
  const options = { psp: offlinePsp(fact.psp), retry: DEFAULT_RETRY_POLICY, clock };
  if (fact.kind === 'refund')
    return new RefundExecutor(db, options).resolveKept(fact, actor, emptyRefundTally());
  return new PayoutExecutor(db, options).resolveKept(fact, actor, emptyPayoutTally());
}

/** A PSP named like the one that answered, which refuses every call: booking a kept answer sends nothing. */
function offlinePsp(name: string): PaymentServiceProvider {
  const refuse = (): never => {
    throw new Error(`attention resolve never calls the PSP (${name})`);
  };
  return {
    name,
    keyLifetimeMs: 0,
    supportsPayouts: true,
    charge: refuse,
    lookupCharge: refuse,
    refund: refuse,
    lookupRefund: refuse,
    listDisputes: refuse,
    payout: refuse,
    lookupPayout: refuse,
    close: () => {},
  };
}
