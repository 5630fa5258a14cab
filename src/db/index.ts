export { type Database, type Statement, DEFAULT_BUSY_TIMEOUT_MS, inReadSnapshot, inTransaction, openComponentDatabase, openDatabase, storageError } from './database.js';
export { SCHEMA_VERSION, migrate, schemaVersionOf } from './migrations.js';
