import { type Database, readRows, rowShape } from '../db/index.js';
import type { Currency } from '../money/index.js';

/** A chargeback as it is booked. */
export interface BookedChargeback {
  disputeId: string;
  orderId: string;
  currency: Currency;
  amountMinor: bigint;
  disputeFeeMinor: bigint;
  clawedMinor: bigint;
  shareMinor: bigint;
  psp: string;
  disputedAt: string;
  recordedAt: string;
}

export interface ChargebackRecord {
  disputeId: string;
  orderId: string;
  currency: Currency;
  amountMinor: bigint;
  disputeFeeMinor: bigint;
  sellerShareMinor: bigint;
  disputedAt: string;
}

const CHARGEBACK_ROW = rowShape('chargebacks', {
  dispute_id: 'text',
  order_id: 'text',
  currency: 'currency',
  amount_minor: 'bigint',
  dispute_fee_minor: 'bigint',
  share_minor: 'bigint',
  disputed_at: 'text',
});

/** All SQL of `chargebacks`: one row a dispute booked, by its id. Callers hold the transaction. */
export class ChargebackStore {
  private readonly s;

  constructor(private readonly db: Database) {
    this.s = {
      known: db.prepare('SELECT 1 FROM chargebacks WHERE dispute_id = ?'),
      insert: db.prepare(
        `INSERT INTO chargebacks (dispute_id, order_id, currency, amount_minor, dispute_fee_minor, clawed_minor, share_minor, psp, disputed_at, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
    };
  }

  /** Whether a dispute with this id is booked already. */
  isKnown(disputeId: string): boolean {
    return this.s.known.get(disputeId) !== undefined;
  }

  insert(chargeback: BookedChargeback): void {
    this.s.insert.run(
      chargeback.disputeId,
      chargeback.orderId,
      chargeback.currency,
      chargeback.amountMinor,
      chargeback.disputeFeeMinor,
      chargeback.clawedMinor,
      chargeback.shareMinor,
      chargeback.psp,
      chargeback.disputedAt,
      chargeback.recordedAt,
    );
  }

  /** Every chargeback booked, in the order booked. */
  list(): ChargebackRecord[] {
    return readRows(
      CHARGEBACK_ROW,
      this.db.prepare('SELECT * FROM chargebacks ORDER BY id').all(),
    ).map((row) => ({
      disputeId: row.dispute_id,
      orderId: row.order_id,
      currency: row.currency,
      amountMinor: row.amount_minor,
      disputeFeeMinor: row.dispute_fee_minor,
      sellerShareMinor: row.share_minor,
      disputedAt: row.disputed_at,
    }));
  }
}
