import type { Database } from '../db/index.js';

export interface InputDigest {
  path: string;
  bytes: number;
  sha256: string;
}

export interface RunStart {
  command: string;
  argv: readonly string[];
  osUser: string;
  host: string;
  owner: string;
  cwd: string;
  payopsVersion: string;
  inputs: readonly InputDigest[];
  startedAt: string;
}

export interface RunRow extends Omit<RunStart, 'argv' | 'inputs'> {
  id: number;
  argv: string[];
  inputs: InputDigest[];
  finishedAt: string | null;
  status: 'running' | 'finished';
  exitCode: number | null;
  txBefore: bigint;
  txAfter: bigint | null;
}

/** Transactions of one kind in one currency: how many, and the debits they posted (their size). */
export interface MovedLine {
  kind: string;
  currency: string;
  transactions: number;
  amountMinor: bigint;
}

const MAX_LIST = 10_000;

interface RawRun {
  id: bigint;
  command: string;
  argv: string;
  os_user: string;
  host: string;
  owner: string;
  cwd: string;
  payops_version: string;
  inputs: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  exit_code: bigint | null;
  tx_before: bigint;
  tx_after: bigint | null;
}

/** The one owner of the `runs` table. Never touches the ledger's tables except to read them. */
export class RunStore {
  constructor(private readonly db: Database) {}

  highestTxId(): bigint {
    return (
      (this.db
        .prepare('SELECT COALESCE(MAX(id), 0) FROM ledger_transactions')
        .pluck()
        .get() as bigint) ?? 0n
    );
  }

  start(run: RunStart): number {
    const result = this.db
      .prepare(
        `INSERT INTO runs (command, argv, os_user, host, owner, cwd, payops_version, inputs, started_at, status, tx_before)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', (SELECT COALESCE(MAX(id), 0) FROM ledger_transactions))`,
      )
      .run(
        run.command,
        JSON.stringify(run.argv),
        run.osUser,
        run.host,
        run.owner,
        run.cwd,
        run.payopsVersion,
        JSON.stringify(run.inputs),
        run.startedAt,
      );
    return Number(result.lastInsertRowid);
  }

  finish(id: number, exitCode: number, finishedAt: string): void {
    this.db
      .prepare(
        `UPDATE runs SET status = 'finished', exit_code = ?, finished_at = ?,
           tx_after = MAX(tx_before, (SELECT COALESCE(MAX(id), 0) FROM ledger_transactions))
         WHERE id = ? AND status = 'running'`,
      )
      .run(exitCode, finishedAt, id);
  }

  /** Newest first; `sinceIso` bounds the start time (inclusive). */
  list(options: { sinceIso?: string; limit?: number } = {}): RunRow[] {
    const limit = Math.min(options.limit ?? MAX_LIST, MAX_LIST);
    const rows = this.db
      .prepare('SELECT * FROM runs WHERE started_at >= ? ORDER BY started_at DESC, id DESC LIMIT ?')
      .all(options.sinceIso ?? '', limit) as RawRun[];
    return rows.map(checkedRun);
  }

  get(id: number): RunRow | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RawRun | undefined;
    return row === undefined ? undefined : checkedRun(row);
  }

  /**
   * The last ledger transaction a run may have posted: its own tx_after once finished; for one
   * that never finished, the last before the next run started (or the book's last).
   */
  upperTxId(run: RunRow): bigint {
    if (run.txAfter !== null) return run.txAfter;
    const next = this.db
      .prepare('SELECT MIN(tx_before) FROM runs WHERE id > ?')
      .pluck()
      .get(run.id) as bigint | null;
    return next ?? this.highestTxId();
  }

  /** Per kind and currency, the transactions with ids in (after, upTo] and the sum of their debits. */
  movedBetween(after: bigint, upTo: bigint): MovedLine[] {
    const rows = this.db
      .prepare(
        `SELECT t.kind AS kind, a.currency AS currency, COUNT(DISTINCT t.id) AS transactions, SUM(e.amount_minor) AS amount_minor
         FROM ledger_transactions t
         JOIN ledger_entries e ON e.tx_id = t.id AND e.direction = 'debit'
         JOIN ledger_accounts a ON a.id = e.account_id
         WHERE t.id > ? AND t.id <= ?
         GROUP BY t.kind, a.currency ORDER BY t.kind, a.currency`,
      )
      .all(after, upTo) as {
      kind: string;
      currency: string;
      transactions: bigint;
      amount_minor: bigint;
    }[];
    return rows.map((row) => ({
      kind: row.kind,
      currency: row.currency,
      transactions: Number(row.transactions),
      amountMinor: row.amount_minor,
    }));
  }

  /** Other runs whose time overlapped this one's: their postings may fall in its range. */
  overlapping(run: RunRow): number[] {
    const end = run.finishedAt ?? '9999';
    return (
      this.db
        .prepare(
          "SELECT id FROM runs WHERE id <> ? AND started_at <= ? AND COALESCE(finished_at, '9999') >= ? ORDER BY id",
        )
        .pluck()
        .all(run.id, end, run.startedAt) as bigint[]
    ).map(Number);
  }
}

function checkedRun(row: RawRun): RunRow {
  if (row.status !== 'running' && row.status !== 'finished')
    throw new Error(`runs row ${row.id}: status "${row.status}"`);
  return {
    id: Number(row.id),
    command: row.command,
    argv: parseStrings(row.argv, row.id),
    osUser: row.os_user,
    host: row.host,
    owner: row.owner,
    cwd: row.cwd,
    payopsVersion: row.payops_version,
    inputs: parseInputs(row.inputs, row.id),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    status: row.status,
    exitCode: row.exit_code === null ? null : Number(row.exit_code),
    txBefore: row.tx_before,
    txAfter: row.tx_after,
  };
}

function parseStrings(text: string, id: bigint): string[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw new Error(`runs row ${id}: argv is not a list of strings`);
  return value as string[];
}

function parseInputs(text: string, id: bigint): InputDigest[] {
  const value: unknown = JSON.parse(text);
  const ok =
    Array.isArray(value) &&
    value.every(
      (item) =>
        typeof item?.path === 'string' &&
        typeof item?.bytes === 'number' &&
        typeof item?.sha256 === 'string',
    );
  if (!ok) throw new Error(`runs row ${id}: inputs are not a list of digests`);
  return value as InputDigest[];
}
