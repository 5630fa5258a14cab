import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectCheckPasses, payops, tempDir } from '../helpers/cli.js';
import type { MoneyJson } from '../helpers/money-json.js';

const MAX_MINOR = 2n ** 63n - 1n;
const RECEIVABLE = 'assets:psp:sim:receivable';

function payIn(
  eventId: string,
  currency: string,
  orders: [orderId: string, sellerId: string, amount: string][],
): string {
  return JSON.stringify({
    eventId,
    type: 'pay_in',
    occurredAt: '2026-11-23T09:00:00Z',
    currency,
    payer: { id: 'buyer_1' },
    paymentToken: 'tok_visa',
    orders: orders.map(([orderId, sellerId, amount]) => ({ orderId, sellerId, amount })),
  });
}

/** Sets the stored balance of the USD receivable (as a hand posting of 2^63−1 once could); returns the one it had. */
function setReceivable(db: string, balanceMinor: bigint): bigint {
  const sqlite = new Sqlite(db);
  sqlite.defaultSafeIntegers(true);
  try {
    const before = sqlite
      .prepare("SELECT balance_minor FROM ledger_accounts WHERE name = ? AND currency = 'USD'")
      .pluck()
      .get(RECEIVABLE) as bigint;
    sqlite
      .prepare("UPDATE ledger_accounts SET balance_minor = ? WHERE name = ? AND currency = 'USD'")
      .run(balanceMinor, RECEIVABLE);
    return before;
  } finally {
    sqlite.close();
  }
}

/** How many charges the simulated PSP made per order (its own record). */
function chargesPerOrder(stateFile: string): Record<string, number> {
  const sqlite = new Sqlite(stateFile, { readonly: true });
  const rows = sqlite
    .prepare(
      "SELECT merchant_reference, COUNT(*) AS n FROM sim_charges WHERE status = 'succeeded' GROUP BY merchant_reference ORDER BY merchant_reference",
    )
    .all() as { merchant_reference: string; n: number }[];
  sqlite.close();
  return Object.fromEntries(rows.map((row) => [row.merchant_reference, row.n]));
}

describe('payops attention (end to end): a PSP success payops cannot record', () => {
  let dir: string;
  let db: string;
  let cleanup: () => void;
  const run = (...args: string[]) => payops([...args, '--db', db]);
  const write = (name: string, ...lines: string[]): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  };

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    db = path.join(dir, 'books.db');
    expect(payops(['init', '--db', db]).code).toBe(0);
    expect(
      run(
        'payin',
        'run',
        write('first.ndjson', payIn('chk_0', 'USD', [['ord_0', 'seller_7', '1.00']])),
      ).code,
    ).toBe(0);
  });
  afterEach(() => cleanup());

  it('leaves charged orders in needs_attention (exit 6), check reports them, resolve books each once after the cause is removed', () => {
    const original = setReceivable(db, MAX_MINOR - 100n);
    const day = write(
      'day.ndjson',
      payIn('chk_1', 'USD', [
        ['ord_1', 'seller_7', '25.00'],
        ['ord_2', 'seller_9', '10.00'],
      ]),
      payIn('chk_2', 'EUR', [['ord_3', 'seller_7', '5.00']]),
    );
    const payin = run('payin', 'run', day, '--json');
    expect(payin.code).toBe(6);
    const summary = JSON.parse(payin.stdout) as {
      orders: { succeeded: number; needsAttention: number };
      queue: Record<string, number>;
    };
    expect(summary.orders).toMatchObject({ succeeded: 1, needsAttention: 2 });
    expect(summary.queue).toMatchObject({ executing: 0, needsAttention: 2, succeeded: 2 });
    expect(payin.stderr).toContain(
      '2 PSP answers could not be recorded and wait in needs_attention',
    );

    const listed = run('orders', 'list', '--status', 'needs_attention', '--json');
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { orderId: string }[]).map((o) => o.orderId)).toEqual([
      'ord_1',
      'ord_2',
    ]);

    const check = run('check', '--json');
    expect(check.code).toBe(5);
    const failed = (
      JSON.parse(check.stdout) as { results: { name: string; ok: boolean; details: string[] }[] }
    ).results.find((r) => r.name === 'every PSP answer recorded');
    expect(failed?.ok).toBe(false);
    expect(failed?.details[0]).toMatch(
      /^charge ord_1: the PSP answered succeeded \(\S+\) and payops could not record it: order ord_1: a debit of 25\.00 USD to assets:psp:sim:receivable, whose balance is \S+ USD, would take it beyond the largest balance payops can hold/,
    );

    // Never sent again: a retry run has nothing to do and still says work is left.
    const retry = run('retry', 'run');
    expect(retry.code).toBe(6);
    expect(retry.stdout).toContain('needs attention 2 (charges 2, refunds 0, payouts 0)');

    const list = run('attention', 'list', '--json');
    expect(list.code).toBe(6);
    expect(
      (
        JSON.parse(list.stdout) as {
          kind: string;
          itemId: string;
          answerStatus: string;
          amount: MoneyJson;
        }[]
      ).map((f) => [f.kind, f.itemId, f.answerStatus, f.amount.amount, f.amount.currency]),
    ).toEqual([
      ['charge', 'ord_1', 'succeeded', '25.00', 'USD'],
      ['charge', 'ord_2', 'succeeded', '10.00', 'USD'],
    ]);

    const refused = run('attention', 'resolve', '--all');
    expect(refused.code).toBe(6);
    expect(refused.stdout).toContain(
      'charge ord_1: refused: still cannot be booked: order ord_1: a debit of 25.00 USD to assets:psp:sim:receivable, whose balance is',
    );
    expect(refused.stdout).toContain('booked 0, already booked 0, refused 2');

    setReceivable(db, original);
    const resolved = run('attention', 'resolve', '--all');
    expect(resolved.stderr).toBe('');
    expect(resolved.code).toBe(0);
    expect(resolved.stdout).toContain('booked 2, already booked 0, refused 0');
    const again = run('attention', 'resolve', '--all');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('booked 0, already booked 0, refused 0');
    expect(run('attention', 'resolve', 'ord_1').stdout).toContain('charge ord_1: already booked');
    expect(run('attention', 'list').stdout).toContain('nothing needs attention');

    const show = JSON.parse(run('orders', 'show', 'ord_1', '--json').stdout) as {
      status: string;
      ledgerTransactions: unknown[];
    };
    expect(show.status).toBe('succeeded');
    expect(show.ledgerTransactions).toHaveLength(2);
    expectCheckPasses(db);
    expect(chargesPerOrder(path.join(dir, 'books.psp-sim.db'))).toEqual({
      ord_0: 1,
      ord_1: 1,
      ord_2: 1,
      ord_3: 1,
    });
  });

  it('refuses resolve without ids or --all, and names an id with nothing kept', () => {
    expect(run('attention', 'resolve').code).toBe(2);
    const unknown = run('attention', 'resolve', 'ord_nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'attention resolve: no PSP answer is kept for ord_nope; nothing was booked',
    );
  });
});
