import { type Database, readRow, rowShape } from '../db/index.js';

/** A seller's payout details as a pay_out event gives them. */
export interface SellerDetails {
  sellerId: string;
  name: string;
  iban: string;
  sourceEventId: string;
}

const RECORDED = rowShape('sellers with their source event', {
  received_at: 'text?',
  source: 'text?',
});

/** All SQL that writes `sellers`: each seller's payout details, the latest pay_out's. Callers hold the transaction. */
export class SellerStore {
  private readonly s;

  constructor(db: Database) {
    const prepare = (sql: string) => db.prepare(sql);
    this.s = {
      recorded: prepare(
        `SELECT e.received_at, e.source FROM sellers s LEFT JOIN events e ON e.event_id = s.source_event_id WHERE s.seller_id = ?`,
      ),
      upsertSeller: prepare(
        `INSERT INTO sellers (seller_id, name, iban, source_event_id, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (seller_id) DO UPDATE SET name = excluded.name, iban = excluded.iban, source_event_id = excluded.source_event_id, updated_at = excluded.updated_at`,
      ),
    };
  }

  /**
   * When and whence the event that gave this seller's recorded details was accepted (its
   * `received_at` and `source`, null if that event is gone); undefined for a seller not recorded.
   */
  recordedFrom(sellerId: string): { receivedAt: string | null; source: string | null } | undefined {
    const row = readRow(RECORDED, this.s.recorded.get(sellerId));
    return row === undefined ? undefined : { receivedAt: row.received_at, source: row.source };
  }

  /** Records (or replaces) a seller's payout details. */
  upsert(seller: SellerDetails, at: string): void {
    this.s.upsertSeller.run(seller.sellerId, seller.name, seller.iban, seller.sourceEventId, at);
  }
}
