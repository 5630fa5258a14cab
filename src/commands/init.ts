import type { Command } from 'commander';
import { contextOf, examples, withDatabase } from '../cli/context.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a payops database (0600), or migrate an existing one to this version')
    .addHelpText('after', examples('payops init --db books.db', 'PAYOPS_DB=books.db payops init'))
    .action(async (_options: unknown, command: Command) => {
      const context = contextOf(command);
      const { existsSync } = await import('node:fs');
      const existed = existsSync(context.dbPath);
      const { schemaVersionOf } = await import('../db/index.js');
      const version = await withDatabase(context, (db) => schemaVersionOf(db), { create: true, migrate: true });
      context.out(`${existed ? 'database' : 'created'} ${context.dbPath} at schema version ${version}`);
    });
}
