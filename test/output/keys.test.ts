import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, payops, tempDirPerTest } from '../helpers/cli.js';
import { nonCamelKeys } from './contract-helpers.js';

/** Regressions of the contract: snake_case keys, shortened hashes and bare decimal strings for money. */
describe('JSON outputs: camelCase keys, whole hashes, money objects', () => {
  const temp = tempDirPerTest('payops-keys-');
  let db: string;
  const run = (...args: string[]) => payops([...args, '--db', db]);

  beforeEach(() => {
    db = path.join(temp.dir, 'books.db');
    expect(run('init').code).toBe(0);
  });

  it('payin run --json counts the queue with camelCase keys (retryScheduled, not retry_scheduled)', () => {
    const result = run(
      'payin',
      'run',
      path.join(REPO_ROOT, 'fixtures', 'events', 'small.json'),
      '--json',
    );
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { queue: Record<string, number> };
    expect(nonCamelKeys(summary)).toEqual([]);
    expect(summary.queue).toMatchObject({ retryScheduled: 0, deadLettered: 0, needsAttention: 0 });
  });

  it("check --json names the ledger's head hash whole, as ledger verify does", () => {
    run('payin', 'run', path.join(REPO_ROOT, 'fixtures', 'events', 'small.json'));
    const head = (JSON.parse(run('ledger', 'verify', '--json').stdout) as { headHash: string })
      .headHash;
    const check = run('check', '--json');
    expect(check.stdout).not.toContain('…');
    expect(check.stdout).toContain(head);
  });

  it('money is {amount, currency, amountMinor} in listings and summaries', () => {
    run('payin', 'run', path.join(REPO_ROOT, 'fixtures', 'events', 'small.json'));
    const orders = JSON.parse(run('orders', 'list', '--json').stdout) as { amount: unknown }[];
    expect(orders[0]?.amount).toEqual({
      amount: expect.stringMatching(/^\d+(\.\d+)?$/),
      currency: expect.stringMatching(/^[A-Z]{3}$/),
      amountMinor: expect.stringMatching(/^\d+$/),
    });
    const balances = JSON.parse(run('ledger', 'balance', '--json').stdout) as {
      balance: { amountMinor: string };
    }[];
    expect(balances.every((row) => typeof row.balance.amountMinor === 'string')).toBe(true);
  });
});
