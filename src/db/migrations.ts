import type BetterSqlite3 from 'better-sqlite3';
import { LEDGER_SCHEMA } from './schema/ledger.js';
import { PAYMENTS_SCHEMA } from './schema/payments.js';
import { PAYOUTS_SCHEMA } from './schema/payouts.js';
import { REFUNDS_SCHEMA } from './schema/refunds.js';
import { CHARGEBACKS_SCHEMA } from './schema/chargebacks.js';
import { WEBHOOKS_SCHEMA } from './schema/webhooks.js';
import { RECONCILE_SCHEMA } from './schema/reconcile.js';

interface Migration {
  version: number;
  name: string;
  sql: string;
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
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

export function schemaVersionOf(db: BetterSqlite3.Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

export function migrate(db: BetterSqlite3.Database): number[] {
  const applied: number[] = [];
  db.transaction(() => {
    const current = schemaVersionOf(db);
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
      applied.push(migration.version);
    }
  }).immediate();
  return applied;
}
