import { type Currency, formatAmount, moneyJson, toCurrency } from '../money/index.js';
import {
  type LeaseOwner,
  type ProcessProbe,
  probeProcess,
  thisProcessOwner,
} from '../work/leases/lease-owner.js';
import { type RunState, runState } from './status.js';
import type { ListFilter, RunRecord, RunsStore } from './runs-store.js';
import type { MovedLine, RunRow } from './store.js';

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

export async function listRuns(
  store: RunsStore,
  filter: ListFilter,
  self: LeaseOwner = thisProcessOwner(),
  probe: ProcessProbe = probeProcess,
): Promise<RunView[]> {
  return (await store.list(filter)).map((record) => viewOf(record, self, probe));
}

export async function findRun(
  store: RunsStore,
  id: number,
  self: LeaseOwner = thisProcessOwner(),
  probe: ProcessProbe = probeProcess,
): Promise<RunView | undefined> {
  const record = await store.find(id);
  return record === undefined ? undefined : viewOf(record, self, probe);
}

function viewOf(record: RunRecord, self: LeaseOwner, probe: ProcessProbe): RunView {
  const { row, upToTxId: upTo } = record;
  return {
    row,
    state: runState(row, self, probe),
    durationMs:
      row.finishedAt === null ? null : Date.parse(row.finishedAt) - Date.parse(row.startedAt),
    txRange: { after: row.txBefore, upTo },
    moved: record.moved,
    transactions: Number(upTo - row.txBefore),
    overlappingRuns: record.overlappingRuns,
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
