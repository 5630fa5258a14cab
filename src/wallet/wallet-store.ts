import { type Database, readRows, rowShape } from '../db/index.js';
import type { Currency } from '../money/index.js';

/** A change to one seller's wallet in one currency, in minor units. */
export interface WalletDelta {
  sellerId: string;
  currency: Currency;
  pendingMinor: bigint;
  payableMinor: bigint;
  paidOutMinor: bigint;
}

export interface WalletBalance {
  sellerId: string;
  currency: Currency;
  pendingMinor: bigint;
  payableMinor: bigint;
  paidOutMinor: bigint;
}

const WALLET_ROW = rowShape('wallets', {
  seller_id: 'text',
  currency: 'currency',
  pending_minor: 'bigint',
  payable_minor: 'bigint',
  paid_out_minor: 'bigint',
});

/**
 * Seller wallets, kept beside the ledger: every change here is made in the same database
 * transaction as the ledger posting that moves the same money (the caller holds it).
 */
export class Wallets {
  private readonly upsert;

  constructor(private readonly db: Database) {
    this.upsert = db.prepare(
      `INSERT INTO wallets (seller_id, currency, pending_minor, payable_minor, paid_out_minor, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (seller_id, currency) DO UPDATE SET
         pending_minor = pending_minor + excluded.pending_minor,
         payable_minor = payable_minor + excluded.payable_minor,
         paid_out_minor = paid_out_minor + excluded.paid_out_minor,
         updated_at = excluded.updated_at`,
    );
  }

  /** Applies many deltas, summed per seller and currency first. */
  apply(deltas: readonly WalletDelta[], at: string): void {
    const merged = new Map<string, WalletDelta>();
    for (const delta of deltas) {
      const key = `${delta.sellerId}\u0000${delta.currency}`;
      const current = merged.get(key);
      if (current) {
        current.pendingMinor += delta.pendingMinor;
        current.payableMinor += delta.payableMinor;
        current.paidOutMinor += delta.paidOutMinor;
      } else {
        merged.set(key, { ...delta });
      }
    }
    for (const delta of merged.values()) {
      this.upsert.run(
        delta.sellerId,
        delta.currency,
        delta.pendingMinor,
        delta.payableMinor,
        delta.paidOutMinor,
        at,
      );
    }
  }

  all(): WalletBalance[] {
    return readRows(
      WALLET_ROW,
      this.db.prepare('SELECT * FROM wallets ORDER BY seller_id, currency').all(),
    ).map((row) => ({
      sellerId: row.seller_id,
      currency: row.currency,
      pendingMinor: row.pending_minor,
      payableMinor: row.payable_minor,
      paidOutMinor: row.paid_out_minor,
    }));
  }
}

/*
 * The ledger accounts a wallet mirrors are named by the chart (src/postings/accounts.ts). This
 * re-export stays only while files restructured in parallel in issue 17 (src/check,
 * src/work/executors/payout.ts) and src/payouts/release.ts import it from here.
 */
export { sellerAccount } from '../postings/index.js';
