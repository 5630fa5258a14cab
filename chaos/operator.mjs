// The operator of the chaos campaign: runs payops commands as a person would, with SIGKILLs
// aimed at them, and resumes after each (the same command again, or the retry queue), keeps the
// PSP server and the webhook listener up (killing and restarting them now and then), and works
// the queues until every order, refund and payout is final. Every loop and wait is bounded.
import fs from 'node:fs';
import os from 'node:os';
import Sqlite from 'better-sqlite3';

const LOCKED = /^payops: database .* is locked by another process/m;
/** `chargebacks sync` while the PSP server is being restarted: nothing was booked; run it again. */
const PSP_UNREACHABLE = /^payops: the PSP at .* did not list its disputes: .*nothing was booked/m;
/** Clean attempts allowed after the planned kills, for documented busy errors. */
const MAX_CLEAN_ATTEMPTS = 6;
const MAX_DRAIN_ROUNDS = 40;
const RESTART_ATTEMPTS = 8;
/** A listener that keeps dying on its own is not restarted forever. */
const MAX_LISTENER_RESTARTS = 1_000;
const STOP_TIMEOUT_MS = 30_000;
/** The tables whose work a command claims under leases, hence recovers from a killed run. */
const LEASED_TABLES_OF = {
  'payin run': ['orders', 'refunds'],
  'retry run': ['orders', 'refunds', 'payouts'],
  'payout run': ['payouts'],
};
const OWNER = /^host=(\S+) boot=\S+ pid=(\d+) start=(\d+|-) run=[0-9a-f]{8}$/;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Operator {
  /**
   * @param {{
   *   processes: import('./processes.mjs').Processes,
   *   plan: import('./kill-plan.mjs').KillPlan,
   *   random: import('./random.mjs').Random,
   *   db: string, pspState: string, leaseMs: number,
   *   discrepancy: (text: string) => void, progress: (text: string) => void,
   * }} options
   */
  constructor(options) {
    this.o = options;
    this.lockedErrors = 0;
    this.pspUnreachable = 0;
    this.commands = 0;
    this.pspRestarts = 0;
    this.listenerRestarts = 0;
    /** @type {Awaited<ReturnType<import('./processes.mjs').Processes['startServer']>> | undefined} */
    this.psp = undefined;
    this.listener = undefined;
    /** Kill-then-rerun-at-once: reruns straight after a kill, and the work killed runs left executing that they recovered. */
    this.rerun = { afterKill: 0, leftExecuting: 0, recoveredAtOnce: 0 };
  }

  // ---------------------------------------------------------------- one-shot commands

  /**
   * Runs one command to its end, the way an operator would: planned kills first (each followed
   * by the same command again), then clean attempts until it completes. A documented busy error
   * (`database … is locked`) is resumed the same way; any other unexpected exit is a discrepancy.
   * `inputs` are the event files the command reads: their work counts in where failpoints aim.
   * @param {{ kind: string, category: string, args: string[], accept: number[], kills: number, inputs?: string[] }} step
   */
  async command(step) {
    let kills = step.kills;
    let leftByKills = 0;
    for (let attempt = 0; attempt < step.kills + MAX_CLEAN_ATTEMPTS; attempt++) {
      const armed = kills > 0 ? this.o.plan.arm(step.kind, this.workload(step.inputs ?? [])) : {};
      const result = await this.run(step.args, armed);
      if (result.killedBy) {
        this.o.plan.killed(
          step.category,
          step.args.slice(0, 2).join(' '),
          result.killedBy,
          armed.failpoint ?? `after ${armed.killAfterMs} ms`,
        );
        leftByKills = Math.max(leftByKills, this.executingOfGone(step.args).length);
        kills--;
        this.o.progress(
          `kill ${this.o.plan.kills.length}: ${step.args.slice(0, 2).join(' ')} (${step.category}) by ${armed.failpoint ? `failpoint ${armed.failpoint}` : `SIGKILL after ${armed.killAfterMs} ms`}; resuming`,
        );
        continue;
      }
      if (kills > 0) {
        this.o.plan.missed();
        kills = 0; // it finished first: the rest of this step's kills wait for a later occasion
      }
      const verdict = this.verdict(step, result);
      if (verdict === 'done') {
        this.rerunRecovered(step, leftByKills);
        this.o.plan.ranFor(step.kind, result.ms);
        return result;
      }
      if (verdict === 'failed') return result;
    }
    this.o.discrepancy(
      `${step.args.slice(0, 2).join(' ')} did not complete in ${step.kills + MAX_CLEAN_ATTEMPTS} attempts`,
    );
    return undefined;
  }

  /**
   * The kill-then-rerun-at-once scenario: the command ran again straight after a kill, with no
   * wait for leases, so nothing its killed runs left `executing` may still be there: every such
   * lease names a process that is gone, and the rerun must have recovered it.
   */
  rerunRecovered(step, leftByKills) {
    const stuck = this.executingOfGone(step.args);
    if (leftByKills > 0) {
      this.rerun.afterKill++;
      this.rerun.leftExecuting += leftByKills;
      this.rerun.recoveredAtOnce += Math.max(0, leftByKills - stuck.length);
    }
    if (stuck.length > 0) {
      this.o.discrepancy(
        `${step.args.slice(0, 2).join(' ')} ran and left ${stuck.length} rows executing under leases of processes that are gone (${[...new Set(stuck.map((row) => row.table))].join(', ')}): not recovered at once`,
      );
    }
  }

  /** Rows in `executing` among the tables this command works, whose lease owner is a process gone from this host. */
  executingOfGone(args) {
    const tables = LEASED_TABLES_OF[args.slice(0, 2).join(' ')] ?? [];
    if (tables.length === 0) return [];
    const books = new Sqlite(this.o.db, { readonly: true, fileMustExist: true });
    try {
      return tables.flatMap((table) =>
        books
          .prepare(`SELECT lease_owner FROM ${table} WHERE status = 'executing'`)
          .all()
          .filter((row) => ownerGone(row.lease_owner))
          .map(() => ({ table })),
      );
    } finally {
      books.close();
    }
  }

  /**
   * Runs a command once (no resume), e.g. one of several running at once. A reader beside the
   * workers (`booksProcess: false`) is not counted among the processes working the books.
   */
  run(args, armed = {}, { booksProcess = true } = {}) {
    this.commands++;
    return this.o.processes.run(args, { ...armed, booksProcess });
  }

  /**
   * 'done' for an accepted exit code; 'again' for the documented busy error, or a PSP being
   * restarted when nothing could be queued for later (resume); 'failed'
   * (and a discrepancy) for anything else: a crash, an invariant broken, a hang.
   */
  verdict(step, result) {
    const firstLine =
      result.stderr
        .trim()
        .split('\n')
        .find((line) => line.startsWith('payops:')) ??
      result.stderr.trim().split('\n')[0] ??
      '';
    if (result.hung) {
      this.o.discrepancy(`${step.args.slice(0, 2).join(' ')} hung past its deadline`);
      return 'failed';
    }
    if (result.signal) {
      this.o.discrepancy(
        `${step.args.slice(0, 2).join(' ')} died by ${result.signal}, which the campaign did not send`,
      );
      return 'failed';
    }
    if (/payops: invariant broken/.test(result.stderr)) {
      this.o.discrepancy(`${step.args.slice(0, 2).join(' ')}: ${firstLine}`);
      return 'failed';
    }
    if (step.accept.includes(result.code ?? -1)) return 'done';
    if (result.code === 1 && LOCKED.test(result.stderr)) {
      this.lockedErrors++;
      this.o.progress(
        `${step.args.slice(0, 2).join(' ')}: database locked (the documented one-line error); resuming`,
      );
      return 'again';
    }
    if (result.code === 1 && PSP_UNREACHABLE.test(result.stderr)) {
      this.pspUnreachable++;
      return 'again';
    }
    this.o.discrepancy(`${step.args.slice(0, 2).join(' ')} exited ${result.code}: ${firstLine}`);
    return 'failed';
  }

  // ---------------------------------------------------------------- the PSP server

  /** @param {string[]} args `psp serve` arguments without --port */
  async startPsp(args) {
    this.pspArgs = args;
    this.psp = await this.startWithRetries(
      ['psp', 'serve', ...args, '--port', String(this.psp?.port ?? 0)],
      { label: 'psp serve', booksProcess: false },
    );
    this.watchPsp(this.psp);
    return this.psp;
  }

  watchPsp(server) {
    server.exited.then(({ code, signal }) => {
      if (server.expectedExit) return;
      this.o.discrepancy(`psp serve died on its own (${signal ?? `exit ${code}`})`);
    });
  }

  /** SIGKILLs the PSP server in the middle of whatever is going on, and starts it again on its port. */
  async restartPsp() {
    if (!this.psp || this.pspRestarting) return;
    this.pspRestarting = true;
    try {
      this.psp.expectedExit = true;
      await this.psp.stop('SIGKILL');
      this.pspRestarts++;
      this.o.progress(`psp serve killed (restart ${this.pspRestarts})`);
      await sleep(this.o.random.int(0, 800));
      this.psp = await this.startWithRetries(
        ['psp', 'serve', ...this.pspArgs, '--port', String(this.psp.port)],
        { label: 'psp serve', booksProcess: false },
      );
      this.watchPsp(this.psp);
    } finally {
      this.pspRestarting = false;
    }
  }

  // ---------------------------------------------------------------- the webhook listener

  /**
   * Starts `webhooks listen` (armed with a webhook failpoint while that budget lasts) and keeps
   * it up: a SIGKILL, from its failpoint or from `killListener`, is counted and followed by a
   * restart on the same port, as a supervisor would do.
   * @param {string[]} args `webhooks listen` arguments without --port
   */
  async startListener(args) {
    this.listenerArgs = args;
    const armed =
      this.o.plan.remaining('webhook') > 0 ? this.o.plan.arm('webhook').failpoint : undefined;
    const listener = await this.startWithRetries(
      ['webhooks', 'listen', ...args, '--port', String(this.listener?.port ?? 0)],
      { label: 'webhooks listen', failpoint: armed },
    );
    listener.armed = armed;
    this.listener = listener;
    listener.exited.then(({ code, signal }) => this.listenerExited(listener, code, signal));
    return listener;
  }

  async listenerExited(listener, code, signal) {
    if (listener.stopping) return;
    if (signal === 'SIGKILL') {
      const method = listener.timedKill ? 'timer' : 'failpoint';
      this.o.plan.killed(
        'webhook',
        'webhooks listen',
        method,
        listener.timedKill ? 'while events arrive' : listener.armed,
      );
      this.o.progress(
        `kill ${this.o.plan.kills.length}: webhooks listen by ${method === 'timer' ? 'SIGKILL while events arrive' : `failpoint ${listener.armed}`}; restarting it`,
      );
    } else {
      this.o.discrepancy(
        `webhooks listen died on its own (${signal ?? `exit ${code}`}): ${listener.stderr().trim().split('\n').slice(-1)[0] ?? ''}`,
      );
    }
    if (this.stoppingAll) return;
    if (this.listenerRestarts >= MAX_LISTENER_RESTARTS) {
      this.o.discrepancy(`webhooks listen was restarted ${MAX_LISTENER_RESTARTS} times; not again`);
      return;
    }
    this.listenerRestarts++;
    this.listenerStarting = this.startListener(this.listenerArgs).catch((error) =>
      this.o.discrepancy(`webhooks listen could not be restarted: ${error.message}`),
    );
    await this.listenerStarting;
  }

  /** A timed SIGKILL of the listener, if it is up and the webhook budget allows. */
  killListener() {
    const listener = this.listener;
    if (
      !listener ||
      listener.stopping ||
      listener.timedKill ||
      this.o.plan.remaining('webhook') === 0
    )
      return;
    if (listener.child.exitCode !== null || listener.child.signalCode !== null) return;
    listener.timedKill = true;
    listener.child.kill('SIGKILL');
  }

  /** Stops both servers with SIGTERM (as a deployment would) and checks they exit cleanly. */
  async stopServers() {
    this.stoppingAll = true;
    await this.listenerStarting;
    for (const [name, server] of [
      ['psp serve', this.psp],
      ['webhooks listen', this.listener],
    ]) {
      if (!server) continue;
      server.expectedExit = true;
      server.stopping = true;
      const deadline = sleep(STOP_TIMEOUT_MS).then(() => 'late');
      const stopped = await Promise.race([server.stop('SIGTERM'), deadline]);
      if (stopped === 'late') {
        this.o.discrepancy(`${name} did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM`);
        await server.stop('SIGKILL');
      } else if (stopped.code !== 0) {
        this.o.discrepancy(
          `${name} did not stop cleanly on SIGTERM (${stopped.signal ?? `exit ${stopped.code}`})`,
        );
      }
    }
  }

  async startWithRetries(args, options) {
    let lastError;
    for (let attempt = 0; attempt < RESTART_ATTEMPTS; attempt++) {
      try {
        return await this.o.processes.startServer(args, options);
      } catch (error) {
        lastError = error;
        await sleep(250 * (attempt + 1));
      }
    }
    throw lastError;
  }

  // ---------------------------------------------------------------- draining the queues

  /**
   * The work a command would find: charges, refunds and payouts waiting in the books, plus the
   * orders and refunds of its input files not in the books yet, and payouts a run would create.
   * @param {string[]} inputs
   */
  workload(inputs) {
    const books = new Sqlite(this.o.db, { readonly: true, fileMustExist: true });
    try {
      const count = (sql, ...params) => Number(books.prepare(sql).get(...params).n);
      // What killed runs left executing is recovered at once by the next command: it counts as waiting.
      const waiting = (table) =>
        count(
          `SELECT COUNT(*) AS n FROM ${table} WHERE status IN ('created', 'retry_scheduled', 'executing')`,
        );
      let newOrders = 0;
      let newRefunds = 0;
      for (const file of inputs) {
        const ids = this.idsIn(file);
        const known = (table, column, list) =>
          count(
            `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?))`,
            JSON.stringify(list),
          );
        newOrders += ids.orders.length - known('orders', 'order_id', ids.orders);
        newRefunds += ids.refunds.length - known('refunds', 'refund_id', ids.refunds);
      }
      const toCreate = count(
        "SELECT COUNT(*) AS n FROM wallets w WHERE w.payable_minor > 0 AND NOT EXISTS (SELECT 1 FROM payouts p WHERE p.seller_id = w.seller_id AND p.currency = w.currency AND p.status NOT IN ('succeeded', 'failed'))",
      );
      return {
        charges: waiting('orders') + newOrders,
        refunds: waiting('refunds') + newRefunds,
        payouts: waiting('payouts') + toCreate,
      };
    } finally {
      books.close();
    }
  }

  /** The order ids of a checkouts file and the refund ids of a refunds file (read once). */
  idsIn(file) {
    this.ids ??= new Map();
    if (!this.ids.has(file)) {
      const ids = { orders: [], refunds: [] };
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const event = JSON.parse(line);
        if (event.type === 'pay_in') ids.orders.push(...event.orders.map((order) => order.orderId));
        if (event.type === 'refund') ids.refunds.push(event.eventId);
      }
      this.ids.set(file, ids);
    }
    return this.ids.get(file);
  }

  /** Counts of what is not final yet, read from the books directly (read-only). */
  snapshot() {
    const books = new Sqlite(this.o.db, { readonly: true, fileMustExist: true });
    try {
      const byStatus = (table) =>
        Object.fromEntries(
          books
            .prepare(`SELECT status, COUNT(*) AS n FROM ${table} GROUP BY status`)
            .all()
            .map((row) => [row.status, row.n]),
        );
      // When the next piece of work becomes due: now for new work and for what killed processes
      // left executing (their leases are recovered at once: no waiting for them), else the earliest retry.
      const nextDue = books
        .prepare(`SELECT MIN(at) AS at FROM (
          SELECT CASE status WHEN 'retry_scheduled' THEN next_attempt_at ELSE '' END AS at
            FROM orders WHERE status IN ('created', 'executing', 'retry_scheduled') UNION ALL
          SELECT CASE status WHEN 'retry_scheduled' THEN next_attempt_at ELSE '' END
            FROM refunds WHERE status IN ('created', 'executing', 'retry_scheduled') UNION ALL
          SELECT CASE status WHEN 'retry_scheduled' THEN next_attempt_at ELSE '' END
            FROM payouts WHERE status IN ('created', 'executing', 'retry_scheduled'))`)
        .get().at;
      const orders = byStatus('orders');
      const refunds = byStatus('refunds');
      const payouts = byStatus('payouts');
      const open = (counts, statuses) =>
        statuses.reduce((sum, status) => sum + (counts[status] ?? 0), 0);
      const WORK = ['created', 'executing', 'retry_scheduled', 'dead_lettered'];
      return {
        orders,
        refunds,
        payouts,
        work: open(orders, WORK) + open(refunds, WORK) + open(payouts, WORK),
        pending: orders.pending ?? 0,
        deadLettered:
          open(orders, ['dead_lettered']) +
          open(refunds, ['dead_lettered']) +
          open(payouts, ['dead_lettered']),
        nextDueMs: nextDue ? Date.parse(nextDue) : 0,
      };
    } finally {
      books.close();
    }
  }

  /**
   * Works the retry queue until every charge, refund and payout is final: `retry run --wait`
   * (killed now and then; never a wait for the leases of killed processes), `orders sync` for pending
   * orders whose webhooks are slow, and `dlq requeue --all` for dead letters.
   * @param {{ execution: () => string[], killsFor: (category: string) => number }} flags
   */
  async drain(flags) {
    for (let round = 0; round < MAX_DRAIN_ROUNDS; round++) {
      const state = this.snapshot();
      if (state.work === 0 && state.pending === 0) return true;
      const dueInMs = state.nextDueMs - Date.now();
      if (dueInMs > 0) await sleep(Math.min(dueInMs + 50, 5_000));
      if (state.deadLettered > 0) {
        await this.command({
          kind: 'retry',
          category: 'retry',
          args: ['dlq', 'requeue', '--all', ...flags.execution()],
          accept: [0, 6],
          kills: 0,
        });
      }
      if (state.work > 0) {
        await this.command({
          kind: 'retry',
          category: 'retry',
          args: ['retry', 'run', '--wait', ...flags.execution()],
          accept: [0, 6],
          kills: flags.killsFor('retry', 'retry'),
        });
      } else if (state.pending > 0) {
        // Webhooks settle pending orders on their own; an operator syncs the stragglers.
        await sleep(round < 2 ? 1_000 : 200);
        if (this.snapshot().pending > 0)
          await this.command({
            kind: 'sync',
            category: 'retry',
            args: ['orders', 'sync', ...flags.execution()],
            accept: [0, 6],
            kills: round < 3 ? 0 : flags.killsFor('retry', 'sync'),
          });
      }
    }
    this.o.discrepancy(
      `the queues did not drain in ${MAX_DRAIN_ROUNDS} rounds: ${JSON.stringify(this.snapshot())}`,
    );
    return false;
  }
}

/** Whether a lease owner (`host=… pid=… start=…`) names a process of this host that is gone: no such pid, a zombie, or another start time. */
function ownerGone(text) {
  const match = OWNER.exec(text ?? '');
  if (!match || decodeURIComponent(match[1]) !== os.hostname()) return false;
  let stat;
  try {
    stat = fs.readFileSync(`/proc/${match[2]}/stat`, 'utf8');
  } catch {
    return true;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[0] === 'Z' || (match[3] !== '-' && fields[19] !== match[3]);
}
