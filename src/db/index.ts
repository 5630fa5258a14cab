export {
  type Database,
  type Statement,
  DEFAULT_BUSY_TIMEOUT_MS,
  inReadSnapshot,
  inReadSnapshotAsync,
  inTransaction,
  openComponentDatabase,
  openDatabase,
  storageError,
} from './sqlite/database.js';
export type { ComponentMigration } from './sqlite/component-migration.js';
export {
  PAYOPS_APPLICATION_ID,
  SCHEMA_VERSION,
  migrate,
  schemaVersionOf,
} from './sqlite/migrations.js';
export { rebuildTable, replaceOnce } from './sqlite/rebuild.js';
export { anyOf, inList, openPayoutPredicate } from './sqlite/schema/checks.js';
export {
  BIRTH_QUERIES,
  ORDER_BIRTH_ROW,
  type OrderBirthRow,
  REFUND_BIRTH_ROW,
  type RefundBirthRow,
  orderBirthHash,
  orderBirthMismatch,
  refundBirthHash,
  refundBirthMismatch,
} from './sqlite/schema/birth.js';
export {
  type ColumnSpec,
  type RowShape,
  type ShapeRow,
  iterateRows,
  readOneRow,
  readRow,
  readRows,
  rowShape,
} from './rows.js';
