import type { Metadata, TransactionHeader } from './types.js';

/** A `ledger_transactions` row as SQLite returns it (integers as bigint). */
export interface TransactionRow {
  id: bigint;
  idempotency_key: string;
  kind: string;
  description: string;
  effective_at: string;
  created_at: string;
  metadata: string;
  reverses_tx_id: bigint | null;
  body_hash: string;
  prev_hash: string;
  hash: string;
}

export function transactionHeaderOf(row: TransactionRow): TransactionHeader {
  return {
    txId: Number(row.id),
    idempotencyKey: row.idempotency_key,
    kind: row.kind,
    description: row.description,
    effectiveAt: row.effective_at,
    createdAt: row.created_at,
    metadata: JSON.parse(row.metadata) as Metadata,
  };
}
