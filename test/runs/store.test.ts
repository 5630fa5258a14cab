import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.js';
import { Ledger } from '../../src/ledger/index.js';
import { toCurrency } from '../../src/money/index.js';
import { findRun, listRuns } from '../../src/runs/report.js';
import { SqliteRunsStore } from '../../src/runs/sqlite-runs-store.js';
import { RunStore } from '../../src/runs/store.js';
import type { LeaseOwner } from '../../src/work/leases/lease-owner.js';
import { tempDatabase } from '../helpers/db.js';

const USD = toCurrency('USD');
const EUR = toCurrency('EUR');
const self: LeaseOwner = {
  host: 'ops-1',
  bootId: 'b00a',
  pid: 100,
  startTicks: '5',
  run: 'aaaaaaaa',
};
const deadOwner = 'host=ops-1 boot=b00a pid=4242 start=77 run=bbbbbbbb';

function post(
  db: Database,
  key: string,
  kind: string,
  currency: typeof USD,
  amountMinor: bigint,
): void {
  new Ledger(db).post({
    idempotencyKey: key,
    kind,
    description: key,
    effectiveAt: '2026-11-23T10:00:00Z',
    entries: [
      { account: 'assets:bank:operating', currency, direction: 'debit', amountMinor },
      { account: 'equity:opening', currency, direction: 'credit', amountMinor },
    ],
  });
}

function start(store: RunStore, command: string, startedAt: string): number {
  return store.start({
    command,
    argv: [command],
    osUser: 'ops',
    host: 'ops-1',
    owner: deadOwner,
    cwd: '/srv',
    payopsVersion: '0.1.0',
    inputs: [],
    startedAt,
  });
}

describe('runs: money moved comes from the ledger range of each run', () => {
  let db: Database;
  let cleanup: () => void;
  beforeEach(() => {
    ({ db, cleanup } = tempDatabase());
  });
  afterEach(() => cleanup());

  it("sums, per kind and currency, only the transactions posted between the run's start and finish", async () => {
    post(db, 'before', 'manual', USD, 999n);
    const store = new RunStore(db);
    const id = start(store, 'payin run', '2026-11-23T22:00:00.000Z');
    post(db, 'a', 'payin.capture', USD, 1_000n);
    post(db, 'b', 'payin.capture', USD, 250n);
    post(db, 'c', 'payin.capture', EUR, 70n);
    store.finish(id, 0, '2026-11-23T22:01:00.000Z');
    post(db, 'after', 'manual', USD, 5n);

    const view = await findRun(new SqliteRunsStore(db), id, self, () => ({ alive: false }));
    expect(view?.state).toBe('finished');
    expect(view?.transactions).toBe(3);
    expect(view?.moved).toEqual([
      { kind: 'payin.capture', currency: 'EUR', transactions: 1, amountMinor: 70n },
      { kind: 'payin.capture', currency: 'USD', transactions: 2, amountMinor: 1_250n },
    ]);
  });

  it('a run that never finished is interrupted once its process is gone, and its range stops where the next run began', async () => {
    const store = new RunStore(db);
    const crashed = start(store, 'payout run', '2026-11-23T22:00:00.000Z');
    post(db, 'p1', 'payout.sent', USD, 400n);
    const next = start(store, 'retry run', '2026-11-23T23:00:00.000Z');
    post(db, 'r1', 'payin.capture', USD, 10n);
    store.finish(next, 0, '2026-11-23T23:00:05.000Z');

    const [newest, oldest] = await listRuns(new SqliteRunsStore(db), {}, self, () => ({
      alive: false,
    }));
    expect(newest?.row.id).toBe(next);
    expect(oldest?.row.id).toBe(crashed);
    expect(oldest?.state).toBe('interrupted');
    expect(oldest?.row.exitCode).toBeNull();
    expect(oldest?.moved).toEqual([
      { kind: 'payout.sent', currency: 'USD', transactions: 1, amountMinor: 400n },
    ]);
    expect(oldest?.overlappingRuns).toEqual([next]);
  });

  it('--since bounds the start time and --limit the count, newest first', async () => {
    const store = new RunStore(db);
    for (const day of ['21', '22', '23'])
      store.finish(
        start(store, 'payin run', `2026-11-${day}T22:00:00.000Z`),
        0,
        `2026-11-${day}T22:00:01.000Z`,
      );
    expect(
      (await listRuns(new SqliteRunsStore(db), { sinceIso: '2026-11-22T00:00:00.000Z' }, self)).map(
        (view) => view.row.startedAt.slice(0, 10),
      ),
    ).toEqual(['2026-11-23', '2026-11-22']);
    expect(await listRuns(new SqliteRunsStore(db), { limit: 1 }, self)).toHaveLength(1);
  });

  it("the runs table is outside the ledger chain: writing it leaves ledger verify's rows untouched", () => {
    post(db, 'x', 'manual', USD, 1n);
    const before = db
      .prepare('SELECT hash FROM ledger_transactions ORDER BY id DESC LIMIT 1')
      .pluck()
      .get();
    const store = new RunStore(db);
    store.finish(
      start(store, 'payin run', '2026-11-23T22:00:00.000Z'),
      3,
      '2026-11-23T22:00:01.000Z',
    );
    expect(
      db.prepare('SELECT hash FROM ledger_transactions ORDER BY id DESC LIMIT 1').pluck().get(),
    ).toBe(before);
    expect(
      db
        .prepare("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'runs'")
        .pluck()
        .get(),
    ).toBe(0n);
  });
});
