import type { Command } from 'commander';
import { contextOf, examples, withDatabase } from '../cli/context.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a payops database (0600), or migrate an existing one to this version')
    .option(
      '--caught-up',
      'the book was behind its mark (restored from a backup) and every file since the backup has been rerun: end look-up mode and write a fresh mark',
    )
    .addHelpText(
      'after',
      examples(
        'payops init --db books.db',
        'PAYOPS_DB=books.db payops init',
        'payops init --caught-up --db books.db   # after a restore, once every file since the backup has been rerun',
      ),
    )
    .action(async (options: { caughtUp?: boolean }, command: Command) => {
      const context = contextOf(command);
      const { existsSync } = await import('node:fs');
      const existed = existsSync(context.dbPath);
      const { schemaVersionOf } = await import('../db/index.js');
      const { BookMark, operatorName } = await import('../payments/book-mark.js');
      const { systemClock } = await import('../time.js');
      const result = await withDatabase(
        context,
        (db) => {
          const at = new Date(systemClock()).toISOString();
          const mark = BookMark.of(db);
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
      if (!result.caughtUp.wasBehind)
        context.out('the book is not behind its mark: nothing changed');
      else
        context.out(
          `the book has caught up: look-up mode ${result.caughtUp.note}; a fresh mark was written`,
        );
    });
}
