import type { Metadata } from './types.js';

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

/** The fields of a transaction every reader shows, from its row (metadata parsed). */
export interface TransactionHeader {
  txId: number;
  idempotencyKey: string;
  kind: string;
  description: string;
  effectiveAt: string;
  createdAt: string;
  metadata: Metadata;
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
