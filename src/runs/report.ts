import { type Database, inReadSnapshot } from '../db/index.js';
import { type Currency, formatAmount, moneyJson, toCurrency } from '../money/index.js';
import {
  type LeaseOwner,
  type ProcessProbe,
  probeProcess,
  thisProcessOwner,
} from '../work/leases/lease-owner.js';
import { type RunState, runState } from './status.js';
import { type MovedLine, RunStore, type RunRow } from './store.js';

/**
 * A run as `payops runs` shows it. Money and counts come from the book, not from the command's
 * own summary: the ledger transactions with ids after the one that was last when the run started,
 * up to the one that was last when it finished, per kind and currency (their debits: the money
 * each moved). Runs of other processes on the same book at the same time post into the same
 * range: `overlappingRuns` names them, so nobody reads a shared range as one run's.
 */
export interface RunView {
  row: RunRow;
  state: RunState;
  durationMs: number | null;
  txRange: { after: bigint; upTo: bigint };
  moved: MovedLine[];
  transactions: number;
  overlappingRuns: number[];
}

export interface ListFilter {
  sinceIso?: string;
  limit?: number;
}

export function listRuns(
  db: Database,
  filter: ListFilter,
  self: LeaseOwner = thisProcessOwner(),
  probe: ProcessProbe = probeProcess,
): RunView[] {
  return inReadSnapshot(db, () => {
    const store = new RunStore(db);
    return store.list(filter).map((row) => viewOf(store, row, self, probe));
  });
}

export function findRun(
  db: Database,
  id: number,
  self: LeaseOwner = thisProcessOwner(),
  probe: ProcessProbe = probeProcess,
): RunView | undefined {
  return inReadSnapshot(db, () => {
    const store = new RunStore(db);
    const row = store.get(id);
    return row === undefined ? undefined : viewOf(store, row, self, probe);
  });
}

function viewOf(store: RunStore, row: RunRow, self: LeaseOwner, probe: ProcessProbe): RunView {
  const upTo = store.upperTxId(row);
  const moved = store.movedBetween(row.txBefore, upTo);
  return {
    row,
    state: runState(row, self, probe),
    durationMs:
      row.finishedAt === null ? null : Date.parse(row.finishedAt) - Date.parse(row.startedAt),
    txRange: { after: row.txBefore, upTo },
    moved,
    transactions: Number(upTo - row.txBefore),
    overlappingRuns: store.overlapping(row),
  };
}

/** Per currency, the debits of every transaction the run posted: "USD 120.00, EUR 3.50". */
export function volumeText(moved: readonly MovedLine[]): string {
  const totals = new Map<string, bigint>();
  for (const line of moved)
    totals.set(line.currency, (totals.get(line.currency) ?? 0n) + line.amountMinor);
  if (totals.size === 0) return '-';
  return [...totals]
    .map(([currency, minor]) => `${currency} ${formatAmount(minor, currencyOf(currency))}`)
    .join(', ');
}

export function runJson(view: RunView) {
  const { row } = view;
  return {
    id: row.id,
    command: row.command,
    state: view.state,
    exitCode: row.exitCode,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    durationMs: view.durationMs,
    osUser: row.osUser,
    host: row.host,
    owner: row.owner,
    cwd: row.cwd,
    payopsVersion: row.payopsVersion,
    argv: row.argv,
    inputs: row.inputs,
    ledgerRange: {
      afterTxId: view.txRange.after.toString(),
      upToTxId: view.txRange.upTo.toString(),
    },
    transactions: view.transactions,
    moved: view.moved.map((line) => ({
      kind: line.kind,
      transactions: line.transactions,
      amount: moneyJson(line.amountMinor, currencyOf(line.currency)),
    })),
    overlappingRuns: view.overlappingRuns,
  };
}

function currencyOf(code: string): Currency {
  return toCurrency(code);
}
