import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arrivalDay, simBankIban } from '../../src/bank/sim/index.js';
import type { Currency } from '../../src/money/index.js';
import { payops, tempDir } from '../helpers/cli.js';

interface Money {
  amount: string;
  currency: string;
  amountMinor: string;
}

interface BankManifest {
  bank: string;
  file: string;
  date: string;
  format: string;
  delayDays: number;
  windowDays: number;
  statements: {
    statementId: string;
    account: string;
    currency: string;
    opening: Money;
    closing: Money;
    entryCount: number;
  }[];
  injected: {
    kind: string;
    expectedClass: string;
    reference: string;
    currency: string;
    amount: Money;
    line: number | null;
    detail: string;
  }[];
  skipped: { kind: string; reason: string }[];
}

interface SettleManifest {
  batches: { batchId: string; currency: string; payoutMinor: string | null }[];
}

const CHECKOUTS = [
  {
    eventId: 'chk_1',
    type: 'pay_in',
    occurredAt: '2026-11-23T10:15:00Z',
    currency: 'USD',
    payer: { id: 'buyer_42' },
    paymentToken: 'tok_visa',
    orders: [
      { orderId: 'ord_1', sellerId: 'seller_7', amount: '25.00', platformFee: '2.50' },
      { orderId: 'ord_2', sellerId: 'seller_9', amount: '10.00' },
    ],
  },
  {
    eventId: 'chk_2',
    type: 'pay_in',
    occurredAt: '2026-11-23T11:00:00Z',
    currency: 'USD',
    payer: { id: 'buyer_43' },
    paymentToken: 'tok_visa',
    orders: [{ orderId: 'ord_3', sellerId: 'seller_7', amount: '40.00', platformFee: '4.00' }],
  },
  {
    eventId: 'chk_3',
    type: 'pay_in',
    occurredAt: '2026-11-23T12:00:00Z',
    currency: 'EUR',
    payer: { id: 'buyer_44' },
    paymentToken: 'tok_visa',
    orders: [{ orderId: 'ord_4', sellerId: 'seller_7', amount: '8.00', platformFee: '0.80' }],
  },
];
const delivered = (eventId: string, orderId: string, sellerId: string, iban: string) => ({
  eventId,
  type: 'pay_out',
  occurredAt: '2026-11-25T09:00:00Z',
  orderId,
  seller: { id: sellerId, name: `${sellerId} Ltd`, account: { iban } },
});
const DELIVERIES = [
  delivered('d1', 'ord_1', 'seller_7', 'DE89370400440532013000'),
  delivered('d3', 'ord_3', 'seller_7', 'DE89370400440532013000'),
  delivered('d4', 'ord_4', 'seller_7', 'DE89370400440532013000'),
  delivered('d2', 'ord_2', 'seller_9', 'GB82WEST12345698765432'),
];

/**
 * A sim day through the real binary: charges, seller payouts, `psp settle`, then the simulated
 * bank's statements of that day and of the day the PSP's payouts arrive. (Needs the camt.053
 * writer and reader: the format helpers' work.)
 */
describe('payops bank statement (end to end)', () => {
  let dir: string;
  let cleanup: () => void;
  let db: string;
  let today: string;
  let settled: SettleManifest;
  const run = (...args: string[]) => payops([...args, '--db', db]);
  const write = (name: string, events: unknown[]): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `${events.map((event) => JSON.stringify(event)).join('\n')}\n`);
    return file;
  };
  const statement = (
    date: string,
    name: string,
    extra: string[] = [],
  ): { manifest: BankManifest; stdout: string; file: string } => {
    const file = path.join(dir, `${name}.xml`);
    const manifestFile = path.join(dir, `${name}.json`);
    const result = run(
      'bank',
      'statement',
      '--date',
      date,
      '--format',
      'camt053',
      '--out',
      file,
      '--manifest',
      manifestFile,
      ...extra,
    );
    expect(result, result.stderr).toMatchObject({ code: 0 });
    return {
      manifest: JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BankManifest,
      stdout: result.stdout,
      file,
    };
  };

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('payops-bank-statement-'));
    db = path.join(dir, 'books.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
    today = new Date().toISOString().slice(0, 10);
    expect(run('payin', 'run', write('checkouts.ndjson', CHECKOUTS)).code).toBe(0);
    expect(run('payin', 'run', write('deliveries.ndjson', DELIVERIES)).code).toBe(0);
    expect(run('payout', 'run').code).toBe(0);
    const manifest = path.join(dir, 'settle.json');
    expect(
      run(
        'psp',
        'settle',
        '--date',
        today,
        '--out',
        path.join(dir, 'settlement.csv'),
        '--manifest',
        manifest,
      ).code,
    ).toBe(0);
    settled = JSON.parse(fs.readFileSync(manifest, 'utf8')) as SettleManifest;
  }, 60_000);
  afterAll(() => cleanup());

  it('writes the day the seller payouts left: one statement per currency, debits and the account charge, from a zero opening', () => {
    const { manifest, file } = statement(today, 'today');
    expect(fs.existsSync(file)).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toContain('camt.053');
    expect(manifest).toMatchObject({
      bank: 'sim',
      date: today,
      format: 'camt053',
      delayDays: 1,
      windowDays: 1,
      injected: [],
      skipped: [],
    });
    expect(manifest.statements).toEqual([
      {
        statementId: `SIMB-${today.replaceAll('-', '')}-EUR`,
        account: simBankIban('EUR' as Currency),
        currency: 'EUR',
        opening: { amount: '0.00', currency: 'EUR', amountMinor: '0' },
        closing: { amount: '-8.70', currency: 'EUR', amountMinor: '-870' },
        entryCount: 2,
      },
      {
        statementId: `SIMB-${today.replaceAll('-', '')}-USD`,
        account: simBankIban('USD' as Currency),
        currency: 'USD',
        opening: { amount: '0.00', currency: 'USD', amountMinor: '0' },
        closing: { amount: '-70.00', currency: 'USD', amountMinor: '-7000' },
        entryCount: 3,
      },
    ]);
  });

  it('credits the payouts psp settle wrote on the next business day, opening where the day closed', () => {
    const arrival = arrivalDay(today, 1);
    const { manifest } = statement(arrival, 'arrival');
    const usd = manifest.statements.find((s) => s.currency === 'USD');
    const payout = BigInt(settled.batches.find((b) => b.currency === 'USD')?.payoutMinor ?? '0');
    expect(payout).toBeGreaterThan(0n);
    expect(usd).toMatchObject({ opening: { amountMinor: '-7000' }, entryCount: 2 });
    expect(BigInt(usd?.closing.amountMinor ?? '0')).toBe(-7000n + payout - 150n);
  });

  it('injects the seven discrepancies, each with its reference and line, and lists them in the manifest', () => {
    const { manifest, stdout } = statement(arrivalDay(today, 1), 'injected', [
      '--inject-discrepancies',
      '7',
      '--seed',
      '3',
    ]);
    expect(manifest.skipped).toEqual([]);
    expect(manifest.injected.map((i) => [i.kind, i.expectedClass])).toEqual(
      [
        'payout_not_received',
        'unknown_credit',
        'unknown_debit',
        'amount_mismatch',
        'bank_fee',
        'balance_mismatch',
        'duplicate',
      ].map((kind) => [kind, kind]),
    );
    const batches = settled.batches.map((b) => b.batchId);
    expect(batches).toContain(manifest.injected[0]?.reference);
    expect(manifest.injected[0]?.line).toBeNull();
    expect(manifest.injected.slice(1).every((i) => typeof i.line === 'number' && i.line > 0)).toBe(
      true,
    );
    expect(stdout).toMatch(/injected duplicate: SIMB\d{8}(USD|EUR)\d{6}/);
  });

  it('refuses to write over the books, the PSP state or its own manifest, an unknown format, and writes nothing then', () => {
    const refused = [
      [['--format', 'camt053', '--out', db], /--out .*books\.db is the database/],
      [
        ['--format', 'camt053', '--out', path.join(dir, 'books.psp-sim.db')],
        /is the PSP state file/,
      ],
      [
        [
          '--format',
          'camt053',
          '--out',
          path.join(dir, 'same.xml'),
          '--manifest',
          path.join(dir, 'same.xml'),
        ],
        /same\.xml/,
      ],
      [
        ['--format', 'ofx', '--out', path.join(dir, 'x.ofx')],
        /--format: "ofx" is not one of camt053, mt940, bai2, csv/,
      ],
      [
        ['--format', 'camt053', '--out', path.join(dir, 'late.xml'), '--delay-days', '31'],
        /--delay-days: 31/,
      ],
    ] as const;
    for (const [args, message] of refused) {
      const result = run('bank', 'statement', '--date', today, ...args);
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(fs.existsSync(path.join(dir, 'x.ofx'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'late.xml'))).toBe(false);
    expect(
      run(
        'bank',
        'statement',
        '--date',
        today,
        '--format',
        'camt053',
        '--out',
        path.join(dir, 'y.xml'),
        '--psp-state',
        path.join(dir, 'none.db'),
      ).stderr,
    ).toMatch(/no simulated PSP state at .*none\.db/);
  });
});
