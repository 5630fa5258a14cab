import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { contextOf, examples } from '../cli/context.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/**
 * A guided run of the real commands on a fresh database, each printed before it runs so the reader
 * can repeat it. It grows with payops: today it shows the ledger.
 */
export function registerDemo(program: Command, run: (argv: string[]) => Promise<number>): void {
  program
    .command('demo')
    .description('run payops end to end on a fresh database and show what each command does')
    .option('--keep', 'keep the demo database and print its path')
    .addHelpText('after', examples('payops demo', 'payops demo --db /tmp/demo.db --keep'))
    .action(async (options: { keep?: boolean }, command: Command) => {
      const context = contextOf(command);
      const explicitDb = command.optsWithGlobals<{ db?: string }>().db;
      const directory = explicitDb ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'payops-demo-'));
      const db = explicitDb ?? path.join(directory as string, 'demo.db');
      if (explicitDb && fs.existsSync(explicitDb)) {
        const { UsageError } = await import('../errors.js');
        throw new UsageError(`demo database ${explicitDb} already exists`, { hint: 'the demo starts from an empty database: pass a new path' });
      }
      const step = async (title: string, ...args: string[]): Promise<void> => {
        context.out(`\n${context.color.bold(`# ${title}`)}\n${context.color.cyan(`$ payops ${args.map((arg) => (/\s/.test(arg) ? `"${arg}"` : arg)).join(' ')}`)}`);
        const code = await run(['node', 'payops', ...args, '--db', db]);
        if (code !== 0) {
          const { PayopsError } = await import('../errors.js');
          throw new PayopsError(`demo step "${title}" failed with exit code ${code}`, 1);
        }
      };
      try {
        await step('Create the database (owner-only file, WAL, full durability)', 'init');
        await step('Post a day of journal transactions (balanced, idempotent, hash-chained)', 'ledger', 'post', '--file', path.join(FIXTURES, 'ledger', 'demo-day.ndjson'));
        await step('Posting the same file again changes nothing', 'ledger', 'post', '--file', path.join(FIXTURES, 'ledger', 'demo-day.ndjson'));
        await step('What we hold, owe and earn now', 'ledger', 'balance');
        await step('Rolled up to two levels', 'ledger', 'balance', '--depth', '2');
        await step('As of the end of the first day (answered from running balances)', 'ledger', 'balance', '--as-of', '2026-11-23');
        await step('One seller\'s account, entry by entry', 'ledger', 'history', 'liabilities:sellers:seller_7:pending');
        await step('A mistake is corrected by a reversal, never an edit', 'ledger', 'reverse', '6', '--reason', 'duplicate manual adjustment');
        await step('Recompute the hash chain and every sum', 'ledger', 'verify');
        await step('The same books for hledger / ledger-cli', 'ledger', 'export', '--format', 'hledger');
        context.out(`\n${context.color.green('demo complete')}${options.keep || explicitDb ? `: database kept at ${db}` : ''}`);
      } finally {
        if (directory && !options.keep) fs.rmSync(directory, { recursive: true, force: true });
      }
    });
}
