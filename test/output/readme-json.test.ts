import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandTree } from '../../src/cli.js';
import { outputSchemaOf, OUTPUT_SCHEMAS } from '../../src/output/registry.js';
import { REPO_ROOT, payops, tempDir } from '../helpers/cli.js';
import { nonCamelKeys, readmeJsonCommands, resolveCommandPath } from './contract-helpers.js';

/**
 * The contract of docs/OUTPUT.md, end to end: every `payops … --json` line of the README runs on a
 * book built as the README walkthrough builds it, and its output must pass the schema registered
 * for its command (one with no schema fails: a new command registers one in src/output/registry.ts).
 */
describe('every --json command of the README follows its schema (docs/OUTPUT.md)', () => {
  let dir: string;
  let cleanup: () => void;
  const env = () => ({ PAYOPS_DB: path.join(dir, 'books.db') });
  const run = (args: readonly string[]) => payops(args, { env: env(), cwd: dir });
  const fixture = (name: string) => path.join(REPO_ROOT, 'fixtures', name);

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('payops-contract-'));
    const fast = ['--retry-base-ms', '10', '--retry-cap-ms', '40'];
    const steps: [string[], number[]][] = [
      [['init'], [0]],
      [
        [
          'payin',
          'run',
          fixture('events/day.ndjson'),
          '--faults',
          'timeout=0.03,5xx=0.03,429=0.02,lost=0.02',
          '--seed',
          '7',
          ...fast,
        ],
        [0, 6],
      ],
      [
        ['retry', 'run', '--wait', ...fast],
        [0, 6],
      ],
      [['orders', 'sync'], [0]],
      [['payin', 'run', fixture('events/bad-lines.ndjson')], [3]],
      [
        ['payin', 'run', fixture('events/deliveries.ndjson')],
        [0, 3],
      ],
      [
        ['payout', 'run'],
        [0, 6],
      ],
      [
        ['payin', 'run', fixture('events/refunds.ndjson')],
        [0, 3],
      ],
      [['chargebacks', 'sync', '--faults', 'dispute=0.01'], [0]],
      // A reconciliation run, for `reconcile report|items --json`.
      [
        [
          'psp',
          'settle',
          '--date',
          new Date().toISOString().slice(0, 10),
          '--out',
          'settlement.csv',
          '--inject-discrepancies',
          '6',
          '--seed',
          '3',
        ],
        [0],
      ],
      [
        [
          'reconcile',
          'run',
          'settlement.csv',
          '--rules',
          fixture('reconcile/rules.json'),
          '--non-interactive',
        ],
        [0, 4],
      ],
    ];
    for (const [args, codes] of steps) {
      const result = run(args);
      expect(codes, `${args.join(' ')}: ${result.stderr}`).toContain(result.code);
    }
  }, 120_000);
  afterAll(() => cleanup());

  const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const lines = readmeJsonCommands(readme);
  const tree = commandTree();

  it("finds the README's --json commands, each of a command that has a schema", () => {
    expect(lines.length).toBeGreaterThanOrEqual(10);
    const missing = lines
      .map((line) => resolveCommandPath(tree, line.args))
      .filter((commandPath) => outputSchemaOf(commandPath) === undefined);
    expect(missing, 'register a schema in src/output/registry.ts').toEqual([]);
  });

  it.each(lines.map((line) => [line.text, line] as const))('%s', (_text, line) => {
    const commandPath = resolveCommandPath(tree, line.args);
    const schema = outputSchemaOf(commandPath);
    expect(schema, `no schema registered for "${commandPath}"`).toBeDefined();
    const args = line.args.map((arg) =>
      arg.startsWith('fixtures/') ? path.join(REPO_ROOT, arg) : arg,
    );
    const result = run(args);
    expect([0, 3, 4, 6], result.stderr).toContain(result.code);
    const output: unknown = JSON.parse(result.stdout);
    const parsed = schema?.safeParse(output);
    expect(parsed?.error?.issues ?? [], result.stdout.slice(0, 2000)).toEqual([]);
    expect(nonCamelKeys(output)).toEqual([]);
    expect(result.stdout).not.toContain('…');
  });

  it('follows the schemas in the commands the README cannot spell (ids known only at run time)', () => {
    const payoutId = (
      JSON.parse(run(['payout', 'list', '--json']).stdout) as { payoutId: string }[]
    )[0]?.payoutId as string;
    const lines: [string, string[]][] = [
      ['payout show', ['payout', 'show', payoutId, '--json']],
      ['attention resolve', ['attention', 'resolve', '--all', '--json']],
      [
        'ledger reverse',
        [
          'ledger',
          'reverse',
          '--key',
          'bank-charges-2026-11-23-again',
          '--reason',
          'entered twice',
          '--json',
        ],
      ],
    ];
    run(['ledger', 'post', '--file', fixture('ledger/operator-entries.ndjson')]);
    for (const [commandPath, args] of lines) {
      const result = run(args);
      expect(result.code, `${commandPath}: ${result.stderr}`).toBe(0);
      const output: unknown = JSON.parse(result.stdout);
      expect(
        outputSchemaOf(commandPath)?.safeParse(output).error?.issues ?? [],
        commandPath,
      ).toEqual([]);
      expect(nonCamelKeys(output)).toEqual([]);
    }
  });

  it('registers only commands that exist and take --json', () => {
    for (const commandPath of Object.keys(OUTPUT_SCHEMAS)) {
      const command = commandPath
        .split(' ')
        .reduce<Command | undefined>(
          (node, name) => node?.commands.find((c) => c.name() === name),
          tree,
        );
      expect(command, commandPath).toBeDefined();
      expect(
        command?.options.some((option) => option.long === '--json'),
        commandPath,
      ).toBe(true);
    }
  });

  it("prints listings as CSV whose amounts add up to the JSON's, per currency", () => {
    for (const [listing, amountColumn, jsonAmount] of [
      [
        ['orders', 'list'],
        'amount',
        (row: Record<string, { currency: string; amountMinor: string }>) => row.amount,
      ],
      [
        ['payout', 'list'],
        'amount',
        (row: Record<string, { currency: string; amountMinor: string }>) => row.amount,
      ],
      [
        ['chargebacks', 'list'],
        'seller_share',
        (row: Record<string, { currency: string; amountMinor: string }>) => row.sellerShare,
      ],
    ] as const) {
      const json = JSON.parse(run([...listing, '--json']).stdout) as Record<
        string,
        { currency: string; amountMinor: string }
      >[];
      const csv = run([...listing, '--csv']);
      expect(csv.code).toBe(0);
      const [header, ...rows] = csv.stdout.trimEnd().split('\n');
      const columns = (header ?? '').split(',');
      for (const column of columns) expect(column).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(rows.length).toBe(json.length);
      const bigDecimal = (text: string) => BigInt(text.replace('.', ''));
      const sums = (pairs: [string, bigint][]) =>
        pairs.reduce(
          (map, [c, v]) => map.set(c, (map.get(c) ?? 0n) + v),
          new Map<string, bigint>(),
        );
      const fromCsv = sums(
        rows
          .map((row) => row.split(','))
          .map((cells) => [
            cells[columns.indexOf('currency')] as string,
            bigDecimal(cells[columns.indexOf(amountColumn)] as string),
          ]),
      );
      const fromJson = sums(
        json.map((row) => [
          jsonAmount(row)?.currency as string,
          BigInt(jsonAmount(row)?.amountMinor as string),
        ]),
      );
      expect(fromCsv, listing.join(' ')).toEqual(fromJson);
      expect(json.length, listing.join(' ')).toBeGreaterThan(0);
    }
  });
});
