import type { CliContext } from '../context.js';
import { withDatabase } from '../context.js';
import { existsSync } from 'node:fs';
import { schemaVersionOf } from '../../db/index.js';
import { operatorName } from '../../payments/book-mark.js';
import { bookMarkOf } from '../../payments/book-mark-store.js';
import { systemClock } from '../../time.js';

export type InitFlags = { caughtUp?: boolean };

export async function init(context: CliContext, options: InitFlags): Promise<void> {
  const existed = existsSync(context.dbPath);
  const result = await withDatabase(
    context,
    (db) => {
      const at = new Date(systemClock()).toISOString();
      const mark = bookMarkOf(db);
      // Writes the mark of a new or upgraded book; records a restored one as behind (before --caught-up reads it).
      const behind = mark.establish(at);
      return {
        version: schemaVersionOf(db),
        behind,
        caughtUp: options.caughtUp === true ? mark.caughtUp(operatorName(), at) : null,
      };
    },
    { create: true, migrate: true },
  );
  context.out(
    `${existed ? 'database' : 'created'} ${context.dbPath} at schema version ${result.version}`,
  );
  if (result.behind !== null && result.caughtUp === null)
    context.err(`payops: ${result.behind.line}`);
  if (result.caughtUp === null) return;
  if (!result.caughtUp.wasBehind) context.out('the book is not behind its mark: nothing changed');
  else
    context.out(
      `the book has caught up: look-up mode ${result.caughtUp.note}; a fresh mark was written`,
    );
}
