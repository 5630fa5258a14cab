import path from 'node:path';
import { type Database, openDatabase } from '../../src/db/index.js';
import { tempDir } from './cli.js';

/** A migrated database in a fresh temporary directory. */
export function tempDatabase(): { db: Database; file: string; cleanup: () => void } {
  const { dir, cleanup } = tempDir('payops-db-');
  const file = path.join(dir, 'test.db');
  const db = openDatabase(file, { create: true });
  return {
    db,
    file,
    cleanup: () => {
      if (db.open) db.close();
      cleanup();
    },
  };
}
