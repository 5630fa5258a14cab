import type BetterSqlite3 from 'better-sqlite3';
import { LEDGER_SCHEMA } from './schema/ledger.js';
import { PAYMENTS_SCHEMA } from './schema/payments.js';
import { PAYOUTS_SCHEMA } from './schema/payouts.js';
import { REFUNDS_SCHEMA } from './schema/refunds.js';
import { CHARGEBACKS_SCHEMA } from './schema/chargebacks.js';
import { WEBHOOKS_SCHEMA } from './schema/webhooks.js';
import { RECONCILE_ROWS_BY_RECORD, RECONCILE_SCHEMA } from './schema/reconcile.js';
import { applyComparisonChecks } from './schema/checks.js';
import { applyNeedsAttention } from './schema/attention.js';
import { PAYOPS_APPLICATION_ID, applyImmutableBirthFields } from './schema/immutable.js';

export { PAYOPS_APPLICATION_ID };
import { BOOK_MARK_SCHEMA } from './schema/book-mark.js';
import { HELD_PAYOUTS_SCHEMA } from './schema/held-payouts.js';
import { RUNS_SCHEMA } from './schema/runs.js';
import { BANK_MATCHES_BY_PAYOUT_REF_SCHEMA, applyBankLeg } from './schema/bank.js';

interface Migration {
  version: number;
  name: string;
  sql?: string;
  /** Work SQL alone cannot express (rebuilding a table), run after `sql` in the same transaction. */
  steps?: (db: BetterSqlite3.Database) => void;
}

/** Append only: a released migration is never edited, a change is a new version. */
const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'ledger', sql: LEDGER_SCHEMA },
  { version: 2, name: 'payments', sql: PAYMENTS_SCHEMA },
  { version: 3, name: 'payouts', sql: PAYOUTS_SCHEMA },
  { version: 4, name: 'refunds', sql: REFUNDS_SCHEMA },
  { version: 5, name: 'chargebacks', sql: CHARGEBACKS_SCHEMA },
  { version: 6, name: 'webhooks', sql: WEBHOOKS_SCHEMA },
  { version: 7, name: 'reconciliation', sql: RECONCILE_SCHEMA },
  { version: 8, name: 'comparison checks', steps: applyComparisonChecks },
  { version: 9, name: 'reconciliation rows by record', sql: RECONCILE_ROWS_BY_RECORD },
  { version: 10, name: 'needs attention', steps: applyNeedsAttention },
  {
    version: 11,
    name: 'identity, immutable birth fields and account types',
    steps: applyImmutableBirthFields,
  },
  { version: 12, name: 'book high-water mark', sql: BOOK_MARK_SCHEMA },
  // 13 was reserved for a per-day report aggregate that the benchmark showed was not needed.
  { version: 14, name: 'held pay_outs', sql: HELD_PAYOUTS_SCHEMA },
  { version: 15, name: 'runs', sql: RUNS_SCHEMA },
  { version: 16, name: 'bank statements', steps: applyBankLeg },
  { version: 17, name: 'bank matches by payout', sql: BANK_MATCHES_BY_PAYOUT_REF_SCHEMA },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

export function schemaVersionOf(db: BetterSqlite3.Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/**
 * Applies every migration the database lacks, up to `targetVersion` (the current schema unless a
 * test builds an older one), all in one transaction; returns their versions.
 */
export function migrate(
  db: BetterSqlite3.Database,
  targetVersion: number = SCHEMA_VERSION,
): number[] {
  const applied: number[] = [];
  inSchemaTransaction(db, () => {
    const current = schemaVersionOf(db);
    for (const migration of MIGRATIONS) {
      if (migration.version <= current || migration.version > targetVersion) continue;
      if (migration.sql !== undefined) db.exec(migration.sql);
      migration.steps?.(db);
      db.pragma(`user_version = ${migration.version}`);
      applied.push(migration.version);
    }
  });
  return applied;
}

/**
 * Runs schema changes in one write transaction with foreign-key enforcement off, as SQLite
 * requires for rebuilding a table, and checks every reference before committing: a change that
 * broke one rolls back whole. Enforcement is restored afterwards.
 */
export function inSchemaTransaction(db: BetterSqlite3.Database, work: () => void): void {
  const enforced = Number(db.pragma('foreign_keys', { simple: true })) === 1;
  db.pragma('foreign_keys = OFF');
  try {
    db.transaction(() => {
      work();
      const broken = db.pragma('foreign_key_check') as {
        table: string;
        rowid: number | bigint | null;
        parent: string;
      }[];
      const first = broken[0];
      if (first !== undefined) {
        throw new Error(
          `the schema change left ${broken.length} broken references (first: ${first.table} row ${first.rowid} → ${first.parent}); nothing was changed`,
        );
      }
    }).immediate();
  } finally {
    if (enforced) db.pragma('foreign_keys = ON');
  }
}
