import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandTree } from '../../src/cli.js';
import { REPO_ROOT, payops, tempDir } from '../helpers/cli.js';
import { PLANTED_SECRETS, findPlantedSecrets, withPlantedSecrets } from '../helpers/secrets.js';

/**
 * Secrets only from the environment: never accepted as flags (so never in argv, where `ps` and
 * shell history would show them), never in output, errors or any file payops writes. The runs
 * below are every command of payops today, with the planted secrets in their environment; the
 * Stripe adapter and the webhook listener add theirs to RUNS when they land.
 */
const FIXTURES = path.join(REPO_ROOT, 'fixtures');
const RUNS: readonly (readonly string[])[] = [
  ['init'],
  ['ledger', 'post', '--file', path.join(FIXTURES, 'ledger', 'operator-entries.ndjson')],
  ['payin', 'run', '{dir}/day.ndjson', '--faults', 'timeout=0.05,5xx=0.05,429=0.03,lost=0.05,decline=0.02,pending=0.05,dispute=0.05', '--seed', '3', '--max-attempts', '2', '--retry-base-ms', '1'],
  ['payin', 'run', '{dir}/bad-lines.ndjson'],
  ['retry', 'run', '--retry-base-ms', '1'],
  ['orders', 'sync'],
  ['payin', 'run', '{dir}/deliveries.ndjson'],
  ['payin', 'run', '{dir}/refunds.ndjson'],
  ['chargebacks', 'sync', '--faults', 'dispute=0.05'],
  ['payout', 'run', '--dry-run'],
  ['payout', 'run'],
  ['dlq', 'list'],
  ['report', 'sellers', '--csv'],
  ['report', 'daily', '--date', '2026-11-23', '--json'],
  ['ledger', 'balance'],
  ['ledger', 'export', '--format', 'hledger', '--out', '{dir}/books.journal'],
  ['ledger', 'export', '--format', 'beancount', '--out', '{dir}/books.beancount'],
  ['ledger', 'export', '--format', 'csv', '--out', '{dir}/books.csv'],
  ['ledger', 'verify'],
  ['check', '--json'],
  // Errors, with stack traces: a secret must not reach them either.
  ['--verbose', 'ledger', 'tx', '999999'],
  ['--verbose', 'payin', 'run', '{dir}/missing.ndjson'],
];

describe('secrets come from the environment only', () => {
  let dir: string;
  let cleanup: () => void;
  const outputs: Record<string, string> = {};

  beforeAll(() => {
    ({ dir, cleanup } = tempDir());
    for (const name of ['day.ndjson', 'bad-lines.ndjson', 'deliveries.ndjson', 'refunds.ndjson']) fs.copyFileSync(path.join(FIXTURES, 'events', name), path.join(dir, name));
    for (const args of RUNS) {
      const argv = args.map((arg) => arg.replace('{dir}', dir));
      const result = payops([...argv, '--db', path.join(dir, 'books.db')], { env: withPlantedSecrets() });
      expect(result.stderr, argv.join(' ')).not.toMatch(/unexpected error/);
      outputs[`stdout of ${argv.join(' ')}`] = result.stdout;
      outputs[`stderr of ${argv.join(' ')}`] = result.stderr;
    }
  });
  afterAll(() => cleanup());

  it('never shows a planted secret in output, errors, the database, the PSP state, rejects or exports', () => {
    const written = fs.readdirSync(dir);
    expect(written).toEqual(expect.arrayContaining(['books.db', 'books.psp-sim.db', 'bad-lines.ndjson.rejects.ndjson', 'books.journal', 'books.beancount', 'books.csv']));
    expect(findPlantedSecrets(outputs, dir)).toEqual([]);
  });

  it('finds a secret that does leak, in output and inside a database page', () => {
    const { dir: probe, cleanup: done } = tempDir();
    try {
      fs.writeFileSync(path.join(probe, 'leaky.db'), Buffer.concat([Buffer.alloc(100), Buffer.from(PLANTED_SECRETS.STRIPE_API_KEY as string), Buffer.alloc(100)]));
      expect(findPlantedSecrets({ stderr: `failed with key ${PLANTED_SECRETS.PAYOPS_WEBHOOK_SECRET}` }, probe)).toEqual(['STRIPE_API_KEY: leaky.db', 'PAYOPS_WEBHOOK_SECRET: stderr']);
    } finally {
      done();
    }
  });

  it('accepts no secret as a flag: no option of any command is named like one', () => {
    const options: string[] = [];
    const walk = (command: Command, prefix: string): void => {
      for (const option of command.options) options.push(`${prefix} ${option.long ?? option.short}`);
      for (const sub of command.commands) walk(sub, `${prefix} ${sub.name()}`);
    };
    walk(commandTree(), 'payops');
    expect(options.length).toBeGreaterThan(50);
    expect(options.filter((option) => /secret|password|passwd|api[-_]?key|token|credential/i.test(option))).toEqual([]);
  });
});
