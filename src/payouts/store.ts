import type { Database } from '../db/index.js';
import { InvariantError } from '../errors.js';
import type { Currency } from '../money/index.js';
import { type TransferStatus, assertTransferTransition } from '../payments/order-state.js';
import { executingRows } from '../work/leases/lease-store.js';
import { type LeaseJudge, judgeLeases } from '../work/leases/leases.js';
import { sha256Hex } from '../sha256.js';

export type PayoutStatus = TransferStatus;

/** A payout taken into `executing` by this process, with what the transfer needs. */
export interface ClaimedPayout {
  id: bigint;
  payoutId: string;
  sellerId: string;
  currency: Currency;
  amountMinor: bigint;
  payoutKey: string;
  destination: string;
  attempts: number;
  requeuedAtAttempt: number;
  /** When the first attempt was claimed: null until this claim sets it. */
  firstAttemptAt: string | null;
  fromStatus: PayoutStatus;
}

/** A row of the payouts table as `SELECT *` gives it (integers as bigint). */
export interface PayoutRow {
  id: bigint;
  payout_id: string;
  seller_id: string;
  currency: string;
  amount_minor: bigint;
  payout_key: string;
  psp: string;
  destination: string;
  status: PayoutStatus;
  attempts: bigint;
  requeued_at_attempt: bigint;
  next_attempt_at: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  first_attempt_at: string | null;
  psp_reference: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

/** The columns a claim reads. */
type ClaimableRow = Pick<
  PayoutRow,
  | 'id'
  | 'payout_id'
  | 'seller_id'
  | 'currency'
  | 'amount_minor'
  | 'payout_key'
  | 'destination'
  | 'attempts'
  | 'requeued_at_attempt'
  | 'first_attempt_at'
  | 'status'
>;

const PAYOUT_COLUMNS =
  'id, payout_id, seller_id, currency, amount_minor, payout_key, destination, attempts, requeued_at_attempt, first_attempt_at, status';

/** As for orders (payments/store.ts): each walks payouts_by_status in its own order, with no sort. */
export const PAYOUT_CLAIM_QUERIES = {
  newPayouts: `SELECT ${PAYOUT_COLUMNS} FROM payouts WHERE status = 'created' AND psp = ? AND next_attempt_at IS NULL ORDER BY id LIMIT ?`,
  dueRetries: `SELECT ${PAYOUT_COLUMNS} FROM payouts WHERE status = 'retry_scheduled' AND psp = ? AND next_attempt_at <= ?
               ORDER BY next_attempt_at, id LIMIT ?`,
} as const;

export interface NewPayout {
  sellerId: string;
  currency: Currency;
  amountMinor: bigint;
  destination: string;
}

/** All SQL of payouts; callers hold the transaction. */
export class PayoutStore {
  private readonly s;

  constructor(private readonly db: Database) {
    const prepare = (sql: string) => db.prepare(sql);
    this.s = {
      nextId: prepare('SELECT COALESCE(MAX(id), 0) + 1 AS id FROM payouts'),
      paidOut: prepare('SELECT paid_out_minor FROM wallets WHERE seller_id = ? AND currency = ?'),
      idTaken: prepare('SELECT 1 FROM payouts WHERE payout_id = ?'),
      insert: prepare(
        `INSERT INTO payouts (id, payout_id, seller_id, currency, amount_minor, payout_key, psp, destination, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'created', ?, ?)`,
      ),
      transition: prepare(
        'INSERT INTO payout_transitions (payout_id, from_status, to_status, attempt, at, cause) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      claimableNew: prepare(PAYOUT_CLAIM_QUERIES.newPayouts),
      claimableRetries: prepare(PAYOUT_CLAIM_QUERIES.dueRetries),
      nextRetryAt: prepare(
        "SELECT MIN(next_attempt_at) AS at FROM payouts WHERE status = 'retry_scheduled' AND psp = ?",
      ),
      leasedById: prepare('SELECT attempts FROM payouts WHERE id = ?'),
      deadLettered: prepare(
        `SELECT ${PAYOUT_COLUMNS} FROM payouts WHERE payout_id = ? AND psp = ? AND status = 'dead_lettered'`,
      ),
      needingAttention: prepare(
        `SELECT ${PAYOUT_COLUMNS} FROM payouts WHERE payout_id = ? AND status = 'needs_attention'`,
      ),
      claim: prepare(
        `UPDATE payouts SET status = 'executing', attempts = attempts + 1, lease_owner = ?, lease_expires_at = ?,
                first_attempt_at = COALESCE(first_attempt_at, ?), next_attempt_at = NULL,
                requeued_at_attempt = CASE WHEN status = 'dead_lettered' THEN attempts ELSE requeued_at_attempt END, updated_at = ?
         WHERE id = ? AND status = ?`,
      ),
      finish: prepare(
        `UPDATE payouts SET status = @to, psp_reference = COALESCE(@pspReference, psp_reference), last_error = @error,
                next_attempt_at = @nextAttemptAt, lease_owner = NULL, lease_expires_at = NULL, updated_at = @at
         WHERE id = @id AND status = @from AND COALESCE(lease_owner, '') = @owner`,
      ),
      recover: prepare(
        `UPDATE payouts SET status = 'retry_scheduled', next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL,
                last_error = ?, updated_at = ?
         WHERE id = ? AND status = 'executing'`,
      ),
    };
  }

  /** Creates a payout whose amount and idempotency key are fixed from now on. */
  create(payout: NewPayout, psp: string, at: string): string {
    return this.createAll([payout], psp, at)[0] as string;
  }

  /**
   * Creates payouts (the caller holds the write transaction). Each id, hence its PSP key, comes
   * from the payout's content (payoutIdOf), never from a counter that restoring a backup rewinds.
   */
  createAll(payouts: readonly NewPayout[], psp: string, at: string): string[] {
    let id = (this.s.nextId.get() as { id: bigint }).id;
    return payouts.map((payout) => {
      const paidOut = this.s.paidOut.get(payout.sellerId, payout.currency) as
        | { paid_out_minor: bigint }
        | undefined;
      const payoutId = this.freePayoutId(payout, paidOut?.paid_out_minor ?? 0n);
      this.s.insert.run(
        id,
        payoutId,
        payout.sellerId,
        payout.currency,
        payout.amountMinor,
        `payops-${payoutId}-payout`,
        psp,
        payout.destination,
        at,
        at,
      );
      this.s.transition.run(
        id,
        null,
        'created',
        0,
        at,
        `payable of ${payout.sellerId} in ${payout.currency}`,
      );
      id += 1n;
      return payoutId;
    });
  }

  /** The first content id not taken: a payout declined at this position leaves the next ordinal to its successor. */
  private freePayoutId(payout: NewPayout, paidOutBeforeMinor: bigint): string {
    for (let ordinal = 0; ; ordinal++) {
      const payoutId = payoutIdOf(payout, paidOutBeforeMinor, ordinal);
      if (this.s.idTaken.get(payoutId) === undefined) return payoutId;
    }
  }

  /** Payouts whose lease ran out or whose owner is gone from this host go back to the retry queue, due now (same key). */
  recoverLeases(psp: string, at: string, judge: LeaseJudge): number {
    const verdicts = judgeLeases('payouts', executingRows(this.db, 'payouts', psp), at, judge);
    let recovered = 0;
    for (const { row, cause, error } of verdicts.recover) {
      if (this.s.recover.run(at, error, at, row.id).changes === 1) {
        this.s.transition.run(
          row.id,
          'executing',
          'retry_scheduled',
          Number((this.s.leasedById.get(row.id) as { attempts: bigint }).attempts),
          at,
          cause,
        );
        recovered++;
      }
    }
    return recovered;
  }

  /** When the earliest payout of this PSP scheduled for retry is due, if any is. */
  nextRetryAt(psp: string): string | undefined {
    return (this.s.nextRetryAt.get(psp) as { at: string | null }).at ?? undefined;
  }

  claimDue(
    psp: string,
    owner: string,
    leaseExpiresAt: string,
    at: string,
    limit: number,
  ): ClaimedPayout[] {
    const rows = this.s.claimableNew.all(psp, limit) as ClaimableRow[];
    if (rows.length < limit)
      rows.push(...(this.s.claimableRetries.all(psp, at, limit - rows.length) as ClaimableRow[]));
    return rows.map((row) =>
      this.claimRow(
        row,
        owner,
        leaseExpiresAt,
        at,
        row.status === 'created' ? 'first attempt' : 'retry',
      ),
    );
  }

  /** Only the PSP's own payouts: a transfer is retried through the PSP that holds its key, never another. */
  claimDeadLettered(
    payoutIds: readonly string[],
    psp: string,
    owner: string,
    leaseExpiresAt: string,
    at: string,
    cause: string,
  ): ClaimedPayout[] {
    return payoutIds
      .map((payoutId) => this.s.deadLettered.get(payoutId, psp) as ClaimableRow | undefined)
      .filter((row): row is ClaimableRow => row !== undefined)
      .map((row) => this.claimRow(row, owner, leaseExpiresAt, at, cause));
  }

  /** A payout in needs_attention as `attention resolve` books it (no lease: nothing is sent). */
  payoutNeedingAttention(payoutId: string): ClaimedPayout | undefined {
    const row = this.s.needingAttention.get(payoutId) as ClaimableRow | undefined;
    return row === undefined
      ? undefined
      : { ...toClaimedPayout(row), attempts: Number(row.attempts) };
  }

  /** Moves a payout from `payout.fromStatus` (`executing` under `owner`'s lease, or `needs_attention` with owner '') to `outcome.to`. */
  finish(
    payout: ClaimedPayout,
    owner: string,
    outcome: {
      to: PayoutStatus;
      pspReference?: string | null;
      error?: string | null;
      nextAttemptAt?: string | null;
    },
    at: string,
    cause: string,
  ): boolean {
    const from = payout.fromStatus === 'needs_attention' ? 'needs_attention' : 'executing';
    assertPayoutTransition(payout.payoutId, from, outcome.to);
    const changed = this.s.finish.run({
      to: outcome.to,
      pspReference: outcome.pspReference ?? null,
      error: outcome.error ?? null,
      nextAttemptAt: outcome.nextAttemptAt ?? null,
      at,
      id: payout.id,
      from,
      owner: from === 'executing' ? owner : '',
    }).changes;
    if (changed === 1)
      this.s.transition.run(payout.id, from, outcome.to, payout.attempts, at, cause);
    return changed === 1;
  }

  private claimRow(
    row: ClaimableRow,
    owner: string,
    leaseExpiresAt: string,
    at: string,
    cause: string,
  ): ClaimedPayout {
    assertPayoutTransition(row.payout_id, row.status, 'executing');
    if (this.s.claim.run(owner, leaseExpiresAt, at, at, row.id, row.status).changes !== 1) {
      throw new InvariantError(`payout ${row.payout_id} changed under an immediate transaction`);
    }
    const attempts = Number(row.attempts) + 1;
    this.s.transition.run(
      row.id,
      row.status,
      'executing',
      attempts,
      at,
      `${cause}; key ${row.payout_key}; lease ${owner}`,
    );
    // fromStatus stays what the claim read (created, retry_scheduled, dead_lettered): finish moves it from executing.
    return {
      ...toClaimedPayout(row),
      attempts,
      requeuedAtAttempt:
        row.status === 'dead_lettered' ? Number(row.attempts) : Number(row.requeued_at_attempt),
    };
  }
}

function toClaimedPayout(row: ClaimableRow): ClaimedPayout {
  return {
    id: row.id,
    payoutId: row.payout_id,
    sellerId: row.seller_id,
    currency: row.currency as Currency,
    amountMinor: row.amount_minor,
    payoutKey: row.payout_key,
    destination: row.destination,
    attempts: Number(row.attempts),
    requeuedAtAttempt: Number(row.requeued_at_attempt),
    firstAttemptAt: row.first_attempt_at,
    fromStatus: row.status,
  };
}

/**
 * A payout's id from its content: the seller, the currency, the amount, what the seller had been
 * paid out in that currency before it (its place in the seller's history) and an ordinal for
 * payouts declined at that place. A book restored from a backup and given the same events plans
 * the same payouts with the same ids, so the PSP's idempotency key or a look-up by id recognises
 * the transfer it already made. Ids made before this rule (po_00000001 …) are kept as they are.
 */
export function payoutIdOf(
  payout: { sellerId: string; currency: string; amountMinor: bigint },
  paidOutBeforeMinor: bigint,
  ordinal: number,
): string {
  const content = JSON.stringify([
    'payout/1',
    payout.sellerId,
    payout.currency,
    payout.amountMinor.toString(),
    paidOutBeforeMinor.toString(),
    ordinal,
  ]);
  return `po_${lettersOf(sha256Hex(content).slice(0, 24))}`;
}

/**
 * Hex digits spelled as the letters a–p: a payout id never holds a run of digits, which a card-number
 * scan (Luhn, 13–19 digits) would refuse one time in ten when a hash happens to contain one.
 */
function lettersOf(hex: string): string {
  return hex.replace(/[0-9a-f]/g, (digit) => String.fromCharCode(97 + Number.parseInt(digit, 16)));
}

function assertPayoutTransition(payoutId: string, from: PayoutStatus, to: PayoutStatus): void {
  assertTransferTransition('payout', payoutId, from, to);
}
