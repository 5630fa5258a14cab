import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, expectCheckPasses, payops, tempDir } from '../helpers/cli.js';

const DAY = path.join(REPO_ROOT, 'fixtures', 'events', 'day.ndjson');
const ORDERS_IN_DAY = 597;
/** Orders of the day whose payment token the PSP declines. */
const DECLINED_IN_DAY = 9;
const FINAL = { succeeded: ORDERS_IN_DAY - DECLINED_IN_DAY, failed: DECLINED_IN_DAY };
/** A bound on every poll of these tests: far beyond what the machine needs, never a timing assertion. */
const POLL_LIMIT_MS = 60_000;

interface Held {
  table: string;
  count: number;
  state: string;
  ownerDescription: string;
  leaseExpiresAt: string | null;
}

function pspRequestCounts(stateFile: string): number[] {
  const db = new Sqlite(stateFile, { readonly: true });
  const rows = db.prepare('SELECT count FROM sim_requests').all() as { count: number }[];
  db.close();
  return rows.map((row) => row.count);
}

function processState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

async function until(what: string, done: () => boolean): Promise<void> {
  const started = Date.now();
  while (!done()) {
    if (Date.now() - started > POLL_LIMIT_MS) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Issue 14 item 8, through the real binary: a SIGKILLed `payin run` left its orders `executing`
 * under a five-minute lease, and the next run said "succeeded 0" and exited 0.
 */
describe('leases after a crash and beside a live process (end to end)', () => {
  let dir: string;
  let db: string;
  let input: string;
  let cleanup: () => void;
  let owner: ChildProcess | undefined;
  const run = (...args: string[]) => payops([...args, '--db', db]);
  const orderStatuses = () => {
    const books = new Sqlite(db, { readonly: true });
    const rows = books
      .prepare('SELECT status, COUNT(*) AS n FROM orders GROUP BY status')
      .all() as { status: string; n: number }[];
    books.close();
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  };

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    db = path.join(dir, 'books.db');
    input = path.join(dir, 'day.ndjson');
    fs.copyFileSync(DAY, input);
    expect(payops(['init', '--db', db]).code).toBe(0);
  });
  afterEach(() => {
    owner?.kill('SIGKILL');
    owner = undefined;
    cleanup();
  });

  /** `payin run` of the day, stopped (SIGSTOP, alive) right after its first claim: it holds a batch of leases. */
  const startHoldingOwner = async (): Promise<number> => {
    owner = spawn(
      process.execPath,
      [BIN, 'payin', 'run', input, '--db', db, '--batch-size', '100'],
      {
        env: {
          ...process.env,
          NO_COLOR: '1',
          PAYOPS_DB: '',
          PAYOPS_FAILPOINTS: 'executor.after-claim=1:stop',
        },
        stdio: 'ignore',
      },
    );
    const pid = owner.pid as number;
    await until('the first payin run to stop after its claim', () => processState(pid) === 'T');
    expect(orderStatuses().executing).toBe(100);
    return pid;
  };

  it.each(['executor.after-claim', 'executor.after-psp-call', 'executor.before-record-commit'])(
    'a payin run killed at %s, run again at once: recovers its orders at once, charges nothing twice, exits 0',
    (point) => {
      const killed = payops(['payin', 'run', input, '--db', db, '--batch-size', '100'], {
        env: { PAYOPS_FAILPOINTS: `${point}=2` },
      });
      expect(killed.code).toBe(-1); // killed by SIGKILL
      expect(orderStatuses().executing).toBe(100); // the second batch, under the dead process's five-minute lease
      // check says so before the lease runs out: nobody is working on them.
      const checked = run('check', '--json');
      expect(checked.code).toBe(5);
      const leases = (
        JSON.parse(checked.stdout) as {
          results: { name: string; ok: boolean; details: string[] }[];
        }
      ).results.find((r) => r.name === 'nothing stuck in executing');
      expect(leases?.ok).toBe(false);
      expect(leases?.details[0]).toMatch(
        /^ord_\S+ was left executing by pid \d+ on this host, which is gone \(run `payops retry run`: it is recovered at once\)$/,
      );

      const again = run('payin', 'run', input, '--batch-size', '100', '--json');
      expect(again.stderr).toBe('');
      expect(again.code).toBe(0);
      const summary = JSON.parse(again.stdout) as {
        orders: { recoveredLeases: number };
        held: Held[];
        queue: Record<string, number>;
      };
      expect(summary.orders.recoveredLeases).toBe(100);
      expect(summary.held).toEqual([]);
      expect(summary.queue).toMatchObject({
        ...FINAL,
        executing: 0,
        created: 0,
        retryScheduled: 0,
      });
      expect(
        pspRequestCounts(path.join(dir, 'books.psp-sim.db')).filter((count) => count !== 1),
      ).toEqual(
        point === 'executor.after-claim' ? [] : Array(100).fill(2), // the recovered batch sent again with the same keys: charged once
      );
      expectCheckPasses(db);
    },
  );

  it('a run beside a live process that holds leases reports them and exits 6; once that process is killed, the next run takes them over at once', async () => {
    const pid = await startHoldingOwner();

    const beside = run('retry', 'run', '--json');
    expect(beside.code).toBe(6);
    const held = (JSON.parse(beside.stdout) as { held: Held[] }).held;
    expect(held).toEqual([
      expect.objectContaining({
        table: 'orders',
        count: 100,
        state: 'alive',
        ownerDescription: `pid ${pid} on this host (alive)`,
      }),
    ]);
    const text = run('payin', 'run', input);
    expect(text.code).toBe(6);
    expect(text.stdout).toMatch(
      new RegExp(
        `^held      100 orders leased to pid ${pid} on this host \\(alive\\) until \\S+: not executed by this run; \`payops retry run --wait\` waits for them$`,
        'm',
      ),
    );
    const during = orderStatuses();
    expect(during.executing).toBe(100);
    expect((during.succeeded ?? 0) + (during.failed ?? 0)).toBe(ORDERS_IN_DAY - 100);

    owner?.kill('SIGKILL');
    await until('the holding process to be gone', () => processState(pid) === undefined);
    const after = run('retry', 'run');
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/succeeded 100.*recovered 100 from crashed runs/);
    expect(orderStatuses()).toEqual(FINAL);
    expectCheckPasses(db);
  });

  it('retry run --wait says on stderr what it waits for, and finishes once the owner is gone', async () => {
    const pid = await startHoldingOwner();
    const waiter = spawn(process.execPath, [BIN, 'retry', 'run', '--wait', '--db', db], {
      env: { ...process.env, NO_COLOR: '1', PAYOPS_DB: '' },
    });
    let stderr = '';
    let stdout = '';
    waiter.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    waiter.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => waiter.once('close', resolve));
    try {
      await until('retry run --wait to say what it waits for', () =>
        stderr.includes('waiting for'),
      );
      expect(stderr).toMatch(
        new RegExp(
          `^payops: waiting for 100 orders leased to pid ${pid} on this host \\(alive\\) until \\S+: until their leases expire or their owners exit$`,
          'm',
        ),
      );
      owner?.kill('SIGKILL');
      expect(await exited).toBe(0);
    } finally {
      waiter.kill('SIGKILL');
    }
    expect(stdout).toMatch(/recovered 100 from crashed runs/);
    expect(orderStatuses()).toEqual(FINAL);
  });
});
