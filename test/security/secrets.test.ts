import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandTree } from '../../src/cli.js';
import { REPO_ROOT, payops, tempDir } from '../helpers/cli.js';
import { PLANTED_SECRETS, findPlantedSecrets, withPlantedSecrets } from '../helpers/secrets.js';
import { type RunningServer, startServer, stopAllServers } from '../helpers/servers.js';
import { type StripeMock, startStripeMock } from '../helpers/stripe-mock.js';

/**
 * Secrets only from the environment: never accepted as flags (so never in argv, where `ps` and
 * shell history would show them), never in output, errors or any file payops writes. The runs
 * below are every command of payops, with the planted secrets in their environment: the
 * simulated PSP, reconciliation of its settlement file, the http PSP (`psp serve` signing
 * webhooks with the planted PAYOPS_WEBHOOK_SECRET, `webhooks listen` verifying and recording
 * them, then `webhooks replay`), and Stripe (stripe-stateful-mock, which takes the planted
 * `sk_test_…` key), successes and failures alike. `{psp}` and `{stripe}` are the servers' URLs.
 */
const FIXTURES = path.join(REPO_ROOT, 'fixtures');
const TODAY = new Date().toISOString().slice(0, 10);
const FAST = ['--retry-base-ms', '5', '--retry-cap-ms', '50'];
const HTTP = ['--psp', 'http', '--psp-url', '{psp}'];
const STRIPE = ['--psp', 'stripe', '--psp-url', '{stripe}'];
const RUNS: readonly (readonly string[])[] = [
  ['init'],
  ['ledger', 'post', '--file', path.join(FIXTURES, 'ledger', 'operator-entries.ndjson')],
  [
    'payin',
    'run',
    '{dir}/day.ndjson',
    '--faults',
    'timeout=0.05,5xx=0.05,429=0.03,lost=0.05,decline=0.02,pending=0.05,dispute=0.05',
    '--seed',
    '3',
    '--max-attempts',
    '2',
    '--retry-base-ms',
    '1',
  ],
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
  // Reconciliation of the simulated PSP's own settlement file.
  [
    'psp',
    'settle',
    '--date',
    TODAY,
    '--out',
    '{dir}/settlement.csv',
    '--manifest',
    '{dir}/settlement.json',
    '--inject-discrepancies',
    '4',
    '--seed',
    '2',
  ],
  ['reconcile', 'run', '{dir}/settlement.csv', '--non-interactive'],
  ['reconcile', 'review', '--json'],
  ['reconcile', 'report', '--csv'],
  // The http PSP, with signed webhooks to the listener.
  ['payin', 'run', '{dir}/http-day.ndjson', ...HTTP, ...FAST],
  ['retry', 'run', '--wait', ...HTTP, ...FAST],
  ['orders', 'sync', ...HTTP],
  ['chargebacks', 'sync', ...HTTP],
  ['check', '--psp', 'http', '--psp-state', '{dir}/psp.db', '--json'],
  ['webhooks', 'replay', '{dir}/deliveries.ndjson'],
  // Stripe, through the mock: charges, a look-up, disputes, a refused payout, an unreachable Stripe.
  ['payin', 'run', '{dir}/stripe-day.ndjson', ...STRIPE],
  ['orders', 'sync', ...STRIPE],
  ['chargebacks', 'sync', ...STRIPE],
  ['payout', 'run', '--psp', 'stripe', '--dry-run'],
  [
    '--verbose',
    'payin',
    'run',
    '{dir}/stripe-more.ndjson',
    '--psp',
    'stripe',
    '--psp-url',
    'http://127.0.0.1:1',
    '--max-attempts',
    '1',
  ],
  // Every listing and CSV, read after all of the above (stack traces of a failed PSP call included in their errors).
  ['retry', 'list'],
  ['retry', 'list', '--csv'],
  ['release', 'list', '--all'],
  ['release', 'list', '--all', '--csv'],
  ['dlq', 'list', '--csv'],
  ['reconcile', 'items', '--csv'],
  ['report', 'income', '--csv'],
  ['report', 'balance-sheet', '--csv'],
  ['report', 'daily', '--csv'],
  ['runs', 'list', '--csv'],
  ['orders', 'list', '--csv'],
  ['payout', 'list', '--csv'],
  ['chargebacks', 'list', '--csv'],
  ['attention', 'list', '--csv'],
  ['ledger', 'history', 'assets:psp:stripe:receivable', '--csv'],
  ['ledger', 'history', 'assets:psp:http:receivable', '--csv'],
  // Errors, with stack traces: a secret must not reach them either.
  ['--verbose', 'ledger', 'tx', '999999'],
  ['--verbose', 'payin', 'run', '{dir}/missing.ndjson'],
  ['--verbose', 'webhooks', 'replay', '{dir}/missing.ndjson'],
];

/** A copy of some of day.ndjson with its own event and order ids, for another PSP in the same book. */
function renamed(lines: number, prefix: string): string {
  const day = fs
    .readFileSync(path.join(FIXTURES, 'events', 'day.ndjson'), 'utf8')
    .split('\n')
    .slice(0, lines);
  return `${day.map((line) => line.replaceAll('"eventId":"', `"eventId":"${prefix}`).replaceAll('"orderId":"', `"orderId":"${prefix}`)).join('\n')}\n`;
}

describe('secrets come from the environment only', () => {
  let dir: string;
  let cleanup: () => void;
  let stripe: StripeMock;
  let psp: RunningServer;
  let listener: RunningServer;
  const outputs: Record<string, string> = {};

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    for (const name of ['day.ndjson', 'bad-lines.ndjson', 'deliveries.ndjson', 'refunds.ndjson'])
      fs.copyFileSync(path.join(FIXTURES, 'events', name), path.join(dir, name));
    fs.writeFileSync(path.join(dir, 'http-day.ndjson'), renamed(60, 'h_'));
    fs.writeFileSync(path.join(dir, 'stripe-day.ndjson'), renamed(15, 's_'));
    fs.writeFileSync(path.join(dir, 'stripe-more.ndjson'), renamed(2, 't_'));
    const db = path.join(dir, 'books.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
    stripe = await startStripeMock();
    listener = await startServer(
      ['webhooks', 'listen', '--db', db, '--record', path.join(dir, 'deliveries.ndjson')],
      withPlantedSecrets(),
    );
    psp = await startServer(
      [
        'psp',
        'serve',
        '--state',
        path.join(dir, 'psp.db'),
        '--seed',
        '4',
        '--faults',
        'pending=0.3,5xx=0.05,lost=0.05,dispute=0.1,webhook-duplicate=0.2',
        '--settle-after-ms',
        '100',
        '--webhook-url',
        listener.url,
      ],
      withPlantedSecrets(),
    );
    for (const args of RUNS) {
      const argv = args.map((arg) =>
        arg.replace('{dir}', dir).replace('{psp}', psp.url).replace('{stripe}', stripe.url),
      );
      const result = payops([...argv, '--db', db], { env: withPlantedSecrets() });
      expect(result.stderr, argv.join(' ')).not.toMatch(/unexpected error/);
      outputs[`stdout of ${argv.join(' ')}`] = result.stdout;
      outputs[`stderr of ${argv.join(' ')}`] = result.stderr;
    }
    expect(await psp.stop()).toBe(0);
    expect(await listener.stop()).toBe(0);
    outputs['stderr of psp serve'] = psp.stderr();
    outputs['stderr of webhooks listen'] = listener.stderr();
  }, 300_000);
  afterAll(async () => {
    await stopAllServers();
    await stripe?.stop();
    cleanup();
  });

  it('never shows a planted secret in output, errors, the database, the PSP state, rejects, settlement files, recorded webhooks or exports', () => {
    const written = fs.readdirSync(dir);
    expect(written).toEqual(
      expect.arrayContaining([
        'books.db',
        'books.psp-sim.db',
        'psp.db',
        'deliveries.ndjson',
        'settlement.csv',
        'settlement.json',
        'bad-lines.ndjson.rejects.ndjson',
        'books.journal',
        'books.beancount',
        'books.csv',
      ]),
    );
    expect(findPlantedSecrets(outputs, dir)).toEqual([]);
  });

  it('ran what it meant to: Stripe charged, webhooks were delivered, recorded and replayed, the settlement reconciled', () => {
    const out = (start: string) =>
      Object.entries(outputs).find(([name]) => name.startsWith(start))?.[1] ?? '';
    expect(out(`stdout of payin run ${dir}/stripe-day.ndjson`)).toMatch(/succeeded [1-9]/);
    expect(out('stderr of webhooks listen')).toMatch(/charge\.(succeeded|failed): applied/);
    expect(
      fs.readFileSync(path.join(dir, 'deliveries.ndjson'), 'utf8').split('\n').filter(Boolean)
        .length,
    ).toBeGreaterThan(0);
    expect(out(`stdout of webhooks replay ${dir}/deliveries.ndjson`)).toMatch(
      /^replayed \d+ deliveries: duplicate \d+/,
    );
    expect(out(`stdout of reconcile run ${dir}/settlement.csv`)).toMatch(/^run 1 /);
    expect(out('stdout of runs list --csv')).toMatch(/payin run/);
    expect(
      out('stdout of ledger history assets:psp:stripe:receivable --csv').split('\n').length,
    ).toBeGreaterThan(2);
    expect(
      out('stdout of ledger history assets:psp:http:receivable --csv').split('\n').length,
    ).toBeGreaterThan(2);
    expect(
      out(`stderr of --verbose payin run ${dir}/stripe-more.ndjson`) +
        out(`stdout of --verbose payin run ${dir}/stripe-more.ndjson`),
    ).toMatch(/ECONNREFUSED|dead-lettered [1-9]|retry scheduled [1-9]/);
  });

  it('finds a secret that does leak, in output and inside a database page', () => {
    const { dir: probe, cleanup: done } = tempDir();
    try {
      fs.writeFileSync(
        path.join(probe, 'leaky.db'),
        Buffer.concat([
          Buffer.alloc(100),
          Buffer.from(PLANTED_SECRETS.STRIPE_API_KEY as string),
          Buffer.alloc(100),
        ]),
      );
      expect(
        findPlantedSecrets(
          { stderr: `failed with key ${PLANTED_SECRETS.PAYOPS_WEBHOOK_SECRET}` },
          probe,
        ),
      ).toEqual(['STRIPE_API_KEY: leaky.db', 'PAYOPS_WEBHOOK_SECRET: stderr']);
    } finally {
      done();
    }
  });

  it('accepts no secret as a flag: no option of any command is named like one', () => {
    const options: string[] = [];
    const walk = (command: Command, prefix: string): void => {
      for (const option of command.options)
        options.push(`${prefix} ${option.long ?? option.short}`);
      for (const sub of command.commands) walk(sub, `${prefix} ${sub.name()}`);
    };
    walk(commandTree(), 'payops');
    expect(options.length).toBeGreaterThan(50);
    expect(
      options.filter((option) =>
        /secret|password|passwd|api[-_]?key|token|credential/i.test(option),
      ),
    ).toEqual([]);
  });
});
