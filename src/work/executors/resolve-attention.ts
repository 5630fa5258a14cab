import { NotFoundError } from '../../errors.js';
import type { StoredAnswer } from '../../payments/attention.js';
import type { ChargeResult, PaymentServiceProvider } from '../../psp/port.js';
import type { Clock } from '../../time.js';
import type { AttentionStore } from './attention-store.js';

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
export function listUnrecorded(store: AttentionStore): Promise<StoredAnswer[]> {
  return store.open();
}

/**
 * `attention resolve`: books each kept answer through the same recorder as a live answer (status
 * needs_attention → succeeded | failed, postings, wallet) and stamps the fact resolved, in one
 * transaction per item. Idempotent: a resolved fact is reported as already booked. An answer that
 * still cannot be booked is refused and its item stays in needs_attention. The PSP is never called:
 * the executors are given a PSP that refuses every call.
 */
export async function resolveAttention(
  store: AttentionStore,
  which: AttentionSelection,
  actor: string,
  clock: Clock,
): Promise<AttentionOutcome[]> {
  const selected: StoredAnswer[] = [];
  const outcomes: AttentionOutcome[] = [];
  if ('all' in which) selected.push(...(await store.open()));
  else {
    for (const id of which.ids) {
      const kept = await store.keptFor(id);
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
  for (const fact of selected) outcomes.push(await bookOne(store, fact, actor, clock));
  return outcomes;
}

async function bookOne(
  store: AttentionStore,
  fact: StoredAnswer,
  actor: string,
  clock: Clock,
): Promise<AttentionOutcome> {
  const base = { kind: fact.kind, itemId: fact.itemId };
  const to = fact.answerStatus === 'succeeded' ? 'succeeded' : 'failed';
  try {
    const booked =
      fact.kind === 'charge'
        ? await store.bookCharge(fact, chargeResultOf(fact), actor, clock)
        : await store.bookTransfer(fact, actor, { psp: offlinePsp(fact.psp), clock });
    if (!booked) {
      // Another `attention resolve` may have booked it since this one listed it: that is done, not refused.
      const now = (await store.keptFor(fact.itemId)).find((kept) => kept.id === fact.id);
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

/** The charge's answer as the PSP gave it. */
function chargeResultOf(fact: StoredAnswer): ChargeResult {
  return fact.answerStatus === 'succeeded'
    ? { status: 'succeeded', pspReference: fact.pspReference ?? '', feeMinor: fact.pspFeeMinor }
    : {
        status: 'declined',
        pspReference: fact.pspReference,
        reason: fact.declineReason ?? 'declined',
      };
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
