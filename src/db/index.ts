export { type ComponentMigration, type Database, type Statement, DEFAULT_BUSY_TIMEOUT_MS, inReadSnapshot, inTransaction, openComponentDatabase, openDatabase, storageError } from './database.js';
export { SCHEMA_VERSION, migrate, schemaVersionOf } from './migrations.js';
export { rebuildTable, replaceOnce } from './rebuild.js';
export { anyOf, inList, openPayoutPredicate } from './schema/checks.js';
