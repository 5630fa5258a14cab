import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BankEntry, BankStatement, StatementPart } from '../../../src/bank/types.js';
import type { Currency } from '../../../src/money/index.js';
import { DEFAULT_FEE_RULE } from '../../../src/psp/fee-rule.js';
import { SimEngine } from '../../../src/psp/sim/engine.js';
import { NO_FAULTS } from '../../../src/psp/sim/faults.js';
import { tempDir } from '../../helpers/cli.js';

/**
 * The format writers are the format helpers' (issue 16): here a toy format, one JSON line per
 * statement, entry and closing balance, stands in for them, so the service (state → plan → file →
 * read back → manifest with lines) is tested on its own.
 */
vi.mock('../../../src/bank/formats/index.js', () => ({
  writeStatements: (_format: string, statements: readonly BankStatement[]) =>
    `${statements
      .flatMap((s) => [
        JSON.stringify({
          header: {
            ...s.header,
            opening: { ...s.header.opening, amountMinor: String(s.header.opening.amountMinor) },
          },
        }),
        ...s.entries.map((e) =>
          JSON.stringify({ entry: { ...e, amountMinor: String(e.amountMinor) } }),
        ),
        JSON.stringify({ closing: String(s.footer.closing.amountMinor) }),
      ])
      .join('\n')}\n`,
  openStatement: async (file: string) => ({
    format: 'camt053',
    async *parts(): AsyncGenerator<StatementPart> {
      for (const [index, text] of fs.readFileSync(file, 'utf8').trimEnd().split('\n').entries()) {
        const line = index + 1;
        const record = JSON.parse(text) as {
          header?: BankStatement['header'];
          entry?: object;
          closing?: string;
        };
        if (record.header) yield { kind: 'statement', header: { ...record.header, line } };
        else if (record.entry)
          yield { kind: 'entry', entry: { ...(record.entry as BankEntry), line } };
        else
          yield {
            kind: 'end',
            footer: { closing: { amountMinor: BigInt(record.closing ?? '0'), date: '' }, line },
            skipped: 0,
          };
      }
    },
  }),
}));

const { writeSimBankStatement } = await import('../../../src/bank/sim/index.js');

const USD = 'USD' as Currency;

describe('writeSimBankStatement (the service behind `bank statement`)', () => {
  let dir: string;
  let cleanup: () => void;
  let now: number;
  let sim: SimEngine;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir('payops-bank-service-'));
    sim = new SimEngine({
      stateFile: path.join(dir, 'sim.db'),
      seed: 's',
      faults: NO_FAULTS,
      feeRule: DEFAULT_FEE_RULE,
      clock: () => now,
    });
    now = Date.parse('2026-11-23T09:00:00Z');
    for (let i = 1; i <= 4; i++) {
      sim.charge([
        {
          idempotencyKey: `k${i}`,
          merchantReference: `ord_${i}`,
          amountMinor: BigInt(5_000 * i),
          currency: i === 4 ? ('EUR' as Currency) : USD,
          paymentToken: 'tok_visa',
        },
      ]);
    }
    sim.payout([
      {
        idempotencyKey: 'p1',
        payoutId: 'po_1',
        sellerId: 'seller_1',
        destination: 'DE89370400440532013000',
        amountMinor: 1_234n,
        currency: USD,
      },
    ]);
  });
  afterEach(() => {
    sim.close();
    cleanup();
  });

  const write = (out: string, inject = 0) =>
    writeSimBankStatement(sim, {
      date: '2026-11-24',
      format: 'camt053',
      out: path.join(dir, out),
      outGuard: {},
      delayDays: 1,
      inject,
      seed: '9',
    });

  it('writes the file owner-only and returns the manifest: statements with money as the JSON contract has it, each injection with its written line', async () => {
    const manifest = await write('day.txt', 7);
    expect(fs.statSync(manifest.file).mode & 0o777).toBe(0o600);
    expect(manifest).toMatchObject({
      bank: 'sim',
      date: '2026-11-24',
      format: 'camt053',
      delayDays: 1,
      windowDays: 1,
      createdAt: '2026-11-25T06:00:00.000Z',
      skipped: [],
    });
    const usd = manifest.statements.find((s) => s.currency === USD);
    expect(usd?.opening).toEqual({ amount: '-13.84', currency: 'USD', amountMinor: '-1384' });
    const lines = fs.readFileSync(manifest.file, 'utf8').trimEnd().split('\n');
    for (const injection of manifest.injected) {
      if (injection.kind === 'payout_not_received') {
        expect(injection.line).toBeNull();
        continue;
      }
      const text = lines[(injection.line ?? 0) - 1] ?? '';
      if (injection.kind === 'balance_mismatch') expect(text).toMatch(/^\{"closing"/);
      else expect(text, injection.kind).toContain(`"${injection.reference}"`);
    }
    const duplicate = manifest.injected.find((i) => i.kind === 'duplicate');
    expect(lines.filter((line) => line.includes(`"${duplicate?.reference}"`))).toHaveLength(2);
    expect(lines[(duplicate?.line ?? 0) - 2]).toContain(`"${duplicate?.reference}"`);
  });

  it('gives the same bytes for the same day, flags and state', async () => {
    const first = await write('a.txt', 7);
    const second = await write('b.txt', 7);
    expect(fs.readFileSync(second.file, 'utf8')).toBe(fs.readFileSync(first.file, 'utf8'));
    expect({ ...second, file: '' }).toEqual({ ...first, file: '' });
  });

  it('refuses a day before the account moved at all, writing nothing', async () => {
    await expect(
      writeSimBankStatement(sim, {
        date: '2026-11-20',
        format: 'camt053',
        out: path.join(dir, 'early.txt'),
        outGuard: {},
        delayDays: 1,
        inject: 0,
        seed: '1',
      }),
    ).rejects.toThrow(/nothing to state on or before 2026-11-20/);
    expect(fs.existsSync(path.join(dir, 'early.txt'))).toBe(false);
  });

  it('leaves no file behind when the day cannot be planned', async () => {
    await expect(
      writeSimBankStatement(sim, {
        date: '2026-11-31',
        format: 'camt053',
        out: path.join(dir, 'bad.txt'),
        outGuard: {},
        delayDays: 1,
        inject: 0,
        seed: '1',
      }),
    ).rejects.toThrow(/--date/);
    expect(
      fs.readdirSync(dir).filter((name) => name.startsWith('bad') || name.includes('partial')),
    ).toEqual([]);
  });
});
