import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BANK_SOURCE } from '../../src/bank/accounts.js';
import {
  bankOperating as BANK_OPERATING_ACCOUNT,
  bankInTransit as bankInTransitAccount,
  payoutsInTransit as PAYOUTS_IN_TRANSIT_ACCOUNT,
} from '../../src/postings/index.js';
import { BANK_POSTINGS_CHECK_NAME, IN_TRANSIT_CHECK_NAME } from '../../src/check/check.js';
import { IN_TRANSIT_QUERIES } from '../../src/check/store.js';
import { openDatabase } from '../../src/db/index.js';
import { Ledger } from '../../src/ledger/index.js';
import { ingest } from '../../src/intake/intake.js';
import { SqliteIntakeStore } from '../../src/intake/sqlite-intake-store.js';
import { runPayouts } from '../../src/work/executors/payout-run.js';
import { payops, tempDir } from '../helpers/cli.js';
import { tempDatabase } from '../helpers/db.js';
import { TestBook, USD, capture, lined, payout } from '../reconcile/book.js';
import { checkBooks } from '../helpers/check.js';
import { sqliteBook } from '../../src/book/sqlite-book.js';

/**
 * Issue 16 item 4: `payops check` proves the money in transit. A book whose batch po_1 (34.40 USD)
 * was settled into assets:bank:in-transit:sim and whose seller payout (24.00 USD) waits on
 * liabilities:payouts:in-transit is copied for each test, tampered with raw SQL (or a stray
 * posting), and checked through the real binary: exit 5, naming the account.
 */
const SIM_TRANSIT = bankInTransitAccount('sim');
const TRANSIT_CHECK =
  'money in transit: each in-transit account holds what was sent less what bank statements cleared';
const BANK_POSTINGS_CHECK =
  'every bank entry posted on the operating account, every bank match on its in-transit account, for exactly its amount';

interface CheckJson {
  ok: boolean;
  results: { name: string; ok: boolean; details: string[] }[];
}

let dir: string;
let cleanup: () => void;
let original: string;
let payoutId: string;

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('payops-transit-'));
  const made = tempDatabase();
  const book = new TestBook(made.db, path.dirname(made.file));
  await book.charge([
    ['ord_1', '25.00'],
    ['ord_2', '10.00'],
  ]);
  const rows = [capture('ord_1', 2500n), capture('ord_2', 1000n)];
  await book.reconcile('day.csv', lined([...rows, payout('po_1', rows)]));
  const delivered = path.join(path.dirname(made.file), 'delivered.ndjson');
  fs.writeFileSync(
    delivered,
    `${JSON.stringify({ eventId: 'po_ev_1', type: 'pay_out', occurredAt: '2026-11-23T12:00:00Z', orderId: 'ord_1', seller: { id: 'seller_7', name: 'Acme', account: { iban: 'DE89370400440532013000' } } })}\n`,
  );
  await ingest(new SqliteIntakeStore(made.db), [delivered], { psp: 'sim' });
  const sent = await runPayouts(sqliteBook(made.db), {
    psp: book.psp,
    retry: { baseMs: 1_000, capMs: 8_000, maxAttempts: 1 },
    clock: book.clock,
  });
  expect(sent.execution.succeeded).toBe(1);
  payoutId = made.db.prepare('SELECT payout_id FROM payouts').pluck().get() as string;
  made.db.close();
  original = path.join(dir, 'books.db');
  fs.copyFileSync(made.file, original);
  made.cleanup();
});
afterAll(() => cleanup());

let copies = 0;
/** A copy of the book, changed by `tamper` (a raw connection: no service runs), then `payops check --json`. */
function checkCopy(tamper: (db: Sqlite.Database) => void): {
  code: number;
  report: CheckJson;
  stderr: string;
} {
  const copy = path.join(dir, `copy-${++copies}.db`);
  fs.copyFileSync(original, copy);
  const raw = new Sqlite(copy).defaultSafeIntegers(true);
  try {
    tamper(raw);
  } finally {
    raw.close();
  }
  const result = payops(['check', '--json', '--db', copy]);
  return {
    code: result.code,
    report: JSON.parse(result.stdout) as CheckJson,
    stderr: result.stderr,
  };
}

function named(report: CheckJson, name: string) {
  return report.results.find((result) => result.name === name);
}

const NOW = '2026-11-25T08:00:00.000Z';

/** A statement file of one entry, as the bank leg records it; returns the entry's id and its run. */
function bankEntry(
  db: Sqlite.Database,
  entry: { direction: 'credit' | 'debit'; amountMinor: bigint; txId: bigint | null; line?: number },
): { entryId: bigint; runId: bigint } {
  const runId = db
    .prepare(`INSERT INTO recon_runs (psp, file_sha256, file_name, file_bytes, format, grace_days, rules, run_by, started_at, finished_at)
              VALUES (?, ?, 'statement.xml', 1, 'camt053', 3, '{}', 'tester', ?, ?) RETURNING id`)
    .pluck()
    .get(
      BANK_SOURCE,
      `sha-${entry.line ?? 2}-${entry.amountMinor}-${entry.direction}`,
      NOW,
      NOW,
    ) as bigint;
  const credits = entry.direction === 'credit' ? entry.amountMinor : 0n;
  const debits = entry.direction === 'debit' ? entry.amountMinor : 0n;
  const statementId = db
    .prepare(`INSERT INTO bank_statements (run_id, line, statement_ref, account, currency, opening_minor, opening_date, closing_minor, closing_date, credits_minor, debits_minor, entry_count, skipped_count)
              VALUES (?, 1, 'STMT-1', 'DE89370400440532013000', 'USD', 0, '2026-11-24', ?, '2026-11-24', ?, ?, 1, 0) RETURNING id`)
    .pluck()
    .get(runId, credits - debits, credits, debits) as bigint;
  const entryId = db
    .prepare(`INSERT INTO bank_entries (statement_id, run_id, line, direction, amount_minor, currency, booking_date, account_servicer_ref, bank_charge, reversal, transactions, fingerprint, class, tx_id)
              VALUES (?, ?, ?, ?, ?, 'USD', '2026-11-24', ?, 0, 0, '[]', ?, 'matched', ?) RETURNING id`)
    .pluck()
    .get(
      statementId,
      runId,
      entry.line ?? 2,
      entry.direction,
      entry.amountMinor,
      `REF-${entry.line ?? 2}`,
      `fp-${entry.line ?? 2}`,
      entry.txId,
    ) as bigint;
  return { entryId, runId };
}

function bankMatch(
  db: Sqlite.Database,
  match: {
    kind: 'psp_payout' | 'seller_payout';
    entryId: bigint | null;
    psp: string;
    ref: string;
    amountMinor: bigint;
    txId: bigint | null;
    runId: bigint | null;
  },
): void {
  db.prepare(
    `INSERT INTO bank_matches (payout_kind, part, entry_id, psp, payout_ref, currency, amount_minor, tx_id, run_id, created_at) VALUES (?, ?, ?, ?, ?, 'USD', ?, ?, ?, ?)`,
  ).run(
    match.kind,
    match.entryId === null ? 'difference' : 'bank',
    match.entryId,
    match.psp,
    match.ref,
    match.amountMinor,
    match.txId,
    match.runId,
    NOW,
  );
}

/** Posts through the ledger itself (the hash chain stays intact: only the in-transit proofs can see what is wrong). */
type Posting = [key: string, kind: string, legs: [account: string, debitMinor: bigint][]];

function post(file: string, [key, kind, legs]: Posting): bigint {
  const db = openDatabase(file);
  try {
    const { txId } = new Ledger(db).post({
      idempotencyKey: key,
      kind,
      description: key,
      effectiveAt: '2026-11-24T23:59:59.999Z',
      entries: legs.map(([account, debitMinor]) => ({
        account,
        currency: USD,
        direction: debitMinor > 0n ? 'debit' : 'credit',
        amountMinor: debitMinor > 0n ? debitMinor : -debitMinor,
      })),
    });
    return BigInt(txId);
  } finally {
    db.close();
  }
}

/** Like checkCopy, with a posting made through the ledger before the raw tampering. */
function checkCopyWithPosting(
  posting: Posting,
  tamper: (db: Sqlite.Database, txId: bigint) => void,
) {
  const copy = path.join(dir, `copy-${++copies}.db`);
  fs.copyFileSync(original, copy);
  const txId = post(copy, posting);
  const raw = new Sqlite(copy).defaultSafeIntegers(true);
  try {
    tamper(raw, txId);
  } finally {
    raw.close();
  }
  const result = payops(['check', '--json', '--db', copy]);
  return {
    code: result.code,
    report: JSON.parse(result.stdout) as CheckJson,
    stderr: result.stderr,
  };
}

describe('payops check: money in transit (issue 16)', () => {
  it('passes on a book with a settled batch and a sent payout in transit, saying what each account holds', () => {
    const { code, report } = checkCopy(() => {});
    expect(report.results.filter((result) => !result.ok)).toEqual([]);
    expect(code).toBe(0);
    expect(named(report, TRANSIT_CHECK)).toEqual({
      name: TRANSIT_CHECK,
      ok: true,
      details: [`${SIM_TRANSIT} USD 34.40, ${PAYOUTS_IN_TRANSIT_ACCOUNT} USD 24.00`],
    });
    expect(named(report, BANK_POSTINGS_CHECK)).toEqual({
      name: BANK_POSTINGS_CHECK,
      ok: true,
      details: ['0 bank entries posted, 0 bank matches'],
    });
  });

  it('passes once the bank received the PSP payout and the seller payout left, each posted and matched', () => {
    const received = checkCopyWithPosting(
      [
        'bank.received:sim:po_1:USD',
        'bank.payout-received',
        [
          [BANK_OPERATING_ACCOUNT, 3440n],
          [SIM_TRANSIT, -3440n],
        ],
      ],
      (db, txId) => {
        const { entryId, runId } = bankEntry(db, { direction: 'credit', amountMinor: 3440n, txId });
        bankMatch(db, {
          kind: 'psp_payout',
          entryId,
          psp: 'sim',
          ref: 'po_1',
          amountMinor: 3440n,
          txId,
          runId,
        });
      },
    );
    expect(received.report.results.filter((result) => !result.ok)).toEqual([]);
    expect(named(received.report, TRANSIT_CHECK)?.details).toEqual([
      `${SIM_TRANSIT} USD 0.00, ${PAYOUTS_IN_TRANSIT_ACCOUNT} USD 24.00`,
    ]);
    const left = checkCopyWithPosting(
      [
        'bank.left:1',
        'bank.payout-left',
        [
          [PAYOUTS_IN_TRANSIT_ACCOUNT, 2400n],
          [BANK_OPERATING_ACCOUNT, -2400n],
        ],
      ],
      (db, txId) => {
        const { entryId, runId } = bankEntry(db, { direction: 'debit', amountMinor: 2400n, txId });
        bankMatch(db, {
          kind: 'seller_payout',
          entryId,
          psp: 'sim',
          ref: payoutId,
          amountMinor: 2400n,
          txId,
          runId,
        });
      },
    );
    expect(left.report.results.filter((result) => !result.ok)).toEqual([]);
    expect(left.code).toBe(0);
    expect(named(left.report, BANK_POSTINGS_CHECK)?.details).toEqual([
      '1 bank entries posted, 1 bank matches',
    ]);
  });

  it('fails naming the PSP in-transit account when a bank match clears a payout the ledger never moved out of transit', () => {
    const { code, report } = checkCopy((db) =>
      bankMatch(db, {
        kind: 'psp_payout',
        entryId: null,
        psp: 'sim',
        ref: 'po_1',
        amountMinor: 3440n,
        txId: null,
        runId: null,
      }),
    );
    expect(code).toBe(5);
    expect(named(report, TRANSIT_CHECK)).toMatchObject({
      ok: false,
      details: [
        `${SIM_TRANSIT} USD holds 34.40; settlements put 34.40 on it and bank matches cleared 34.40 of it, so it should hold 0.00`,
      ],
    });
  });

  it('fails naming the PSP in-transit account when a posting nothing explains moved money out of transit', () => {
    const { code, report } = checkCopyWithPosting(
      [
        'forged-1',
        'manual',
        [
          [BANK_OPERATING_ACCOUNT, 1000n],
          [SIM_TRANSIT, -1000n],
        ],
      ],
      () => {},
    );
    expect(code).toBe(5);
    expect(named(report, TRANSIT_CHECK)?.details).toEqual([
      `${SIM_TRANSIT} USD holds 24.40; settlements put 34.40 on it and bank matches cleared 0.00 of it, so it should hold 34.40`,
    ]);
  });

  it('fails naming the payouts in-transit account when a seller payout is matched without leaving the books', () => {
    const { code, report } = checkCopy((db) =>
      bankMatch(db, {
        kind: 'seller_payout',
        entryId: null,
        psp: 'sim',
        ref: payoutId,
        amountMinor: 2400n,
        txId: null,
        runId: null,
      }),
    );
    expect(code).toBe(5);
    expect(named(report, TRANSIT_CHECK)?.details).toEqual([
      `${PAYOUTS_IN_TRANSIT_ACCOUNT} USD holds 24.00; payouts sent put 24.00 on it and bank matches cleared 24.00 of it, so it should hold 0.00`,
    ]);
  });

  it('fails naming the account when a bank match says more than its transaction moved out of transit', () => {
    const { code, report } = checkCopyWithPosting(
      [
        'bank.received:sim:po_1:USD',
        'bank.payout-received',
        [
          [BANK_OPERATING_ACCOUNT, 3440n],
          [SIM_TRANSIT, -3440n],
        ],
      ],
      (db, txId) => {
        const { entryId, runId } = bankEntry(db, { direction: 'credit', amountMinor: 3440n, txId });
        bankMatch(db, {
          kind: 'psp_payout',
          entryId,
          psp: 'sim',
          ref: 'po_1',
          amountMinor: 3500n,
          txId,
          runId,
        });
      },
    );
    expect(code).toBe(5);
    expect(named(report, BANK_POSTINGS_CHECK)?.details).toEqual([
      expect.stringMatching(
        new RegExp(
          `^tx \\d+ moved 34\\.40 USD out of ${SIM_TRANSIT}; its bank matches \\(psp_payout sim po_1\\) say 35\\.00$`,
        ),
      ),
    ]);
  });

  it('fails naming the operating account when a bank entry was posted the wrong way round', () => {
    const { code, report } = checkCopyWithPosting(
      [
        'bank.received:sim:po_1:USD',
        'bank.payout-received',
        [
          [BANK_OPERATING_ACCOUNT, 3440n],
          [SIM_TRANSIT, -3440n],
        ],
      ],
      (db, txId) => {
        const { entryId, runId } = bankEntry(db, { direction: 'debit', amountMinor: 3440n, txId });
        bankMatch(db, {
          kind: 'psp_payout',
          entryId,
          psp: 'sim',
          ref: 'po_1',
          amountMinor: 3440n,
          txId,
          runId,
        });
      },
    );
    expect(code).toBe(5);
    expect(named(report, BANK_POSTINGS_CHECK)?.details).toEqual([
      expect.stringMatching(
        new RegExp(
          `^statement\\.xml:2 \\(bank entry \\d+, debit 34\\.40 USD\\): tx \\d+ moved 34\\.40 into ${BANK_OPERATING_ACCOUNT}, not -34\\.40$`,
        ),
      ),
    ]);
  });

  it('fails naming the entry when a bank entry lost the transaction that posted it (only a duplicate of another file is never posted)', () => {
    const { code, report } = checkCopy((db) => {
      bankEntry(db, { direction: 'credit', amountMinor: 3440n, txId: null, line: 7 });
    });
    expect(code).toBe(5);
    expect(named(report, BANK_POSTINGS_CHECK)?.details).toEqual([
      expect.stringMatching(
        new RegExp(
          `^statement\\.xml:7 \\(bank entry \\d+, credit 34\\.40 USD, matched\\) was never posted on ${BANK_OPERATING_ACCOUNT}$`,
        ),
      ),
    ]);
  });

  it('passes on a book reconciled before the bank leg: its settlement went straight to operating, nothing is in transit', async () => {
    const made = tempDatabase();
    try {
      const book = new TestBook(made.db, path.dirname(made.file));
      await book.charge([['ord_1', '25.00']]);
      // What a settlement posted before issue 16 looked like: the net straight to the operating account.
      const { txId } = new Ledger(made.db).post({
        idempotencyKey: 'settlement.batch:sim:po_old:USD:s1',
        kind: 'settlement.batch',
        description: 'Payout po_old from sim: 1 matched rows, 24.70 USD',
        effectiveAt: '2026-11-23T23:59:59.000Z',
        entries: [
          {
            account: BANK_OPERATING_ACCOUNT,
            currency: USD,
            direction: 'debit',
            amountMinor: 2470n,
          },
          {
            account: 'assets:psp:sim:receivable',
            currency: USD,
            direction: 'credit',
            amountMinor: 2470n,
          },
        ],
      });
      made.db
        .prepare(
          `INSERT INTO recon_settlements (psp, batch_id, currency, kind, net_minor, tx_id, created_at, posted_at) VALUES ('sim', 'po_old', 'USD', 'record', 2470, ?, ?, ?)`,
        )
        .run(txId, NOW, NOW);
      const report = await checkBooks(made.db);
      expect(report.results.filter((result) => !result.ok)).toEqual([]);
      expect(
        report.results.find((result) => result.name === IN_TRANSIT_CHECK_NAME)?.details,
      ).toEqual(['nothing in transit']);
      expect(
        report.results.find((result) => result.name === BANK_POSTINGS_CHECK_NAME)?.details,
      ).toEqual(['0 bank entries posted, 0 bank matches']);
    } finally {
      made.cleanup();
    }
  });

  it('never scans the ledger entries: each query reads entries by account or by transaction', () => {
    const made = tempDatabase();
    try {
      for (const [name, sql] of Object.entries(IN_TRANSIT_QUERIES)) {
        const parameters = sql.includes('?')
          ? [1, 'x', 'USD']
          : [
              Object.fromEntries(
                ['prefix', 'payouts']
                  .filter((key) => sql.includes(`:${key}`))
                  .map((key) => [key, 'x']),
              ),
            ];
        const plan = (
          made.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...parameters) as { detail: string }[]
        )
          .map((row) => row.detail)
          .join(' | ');
        expect(plan, name).not.toMatch(/SCAN (e|ledger_entries)\b/);
      }
    } finally {
      made.cleanup();
    }
  });
});
