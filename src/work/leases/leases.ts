import {
  type LeaseOwner,
  type OwnerState,
  type ProcessProbe,
  describeOwner,
  ownerState,
  probeProcess,
} from './lease-owner.js';

/** The three tables whose rows are claimed under a lease. */
export type LeasedTable = 'orders' | 'refunds' | 'payouts';

/** A row in `executing`, with its lease. */
export interface LeasedRow {
  id: bigint;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
}

/** Who judges leases: this process (its host, boot, pid) and how it sees other processes. */
export interface LeaseJudge {
  self: LeaseOwner;
  probe?: ProcessProbe;
}

/** Work under a lease this process may not take: its owner is alive here, on another host, or unrecognized. */
export interface HeldGroup {
  table: LeasedTable;
  /** The `lease_owner` text as stored. */
  owner: string | null;
  /** `recoverable`: the lease ran out or its owner is gone, and no run has recovered it yet. */
  state: Exclude<OwnerState, 'gone'> | 'recoverable';
  /** For a person: "pid 4242 on this host (alive)". */
  ownerDescription: string;
  count: number;
  /** The latest expiry among these leases: by then every one of them can be recovered. */
  leaseExpiresAt: string | null;
}

export interface LeaseVerdicts<Row extends LeasedRow> {
  /** Rows to put back in the retry queue now, each with why (`cause` for its transition, `error` for its last error). */
  recover: { row: Row; cause: string; error: string }[];
  held: HeldGroup[];
}

/**
 * Pure but for the probe: which rows in `executing` can be recovered now (the lease expired, or
 * its owner process is gone from this host) and which are held by someone else (reported).
 * One probe per distinct owner.
 */
export function judgeLeases<Row extends LeasedRow>(
  table: LeasedTable,
  rows: readonly Row[],
  nowIso: string,
  judge: LeaseJudge,
): LeaseVerdicts<Row> {
  const states = new Map<string | null, OwnerState>();
  const stateOf = (owner: string | null): OwnerState => {
    let state = states.get(owner);
    if (state === undefined)
      states.set(owner, (state = ownerState(owner, judge.self, judge.probe ?? probeProcess)));
    return state;
  };
  const recover: LeaseVerdicts<Row>['recover'] = [];
  const held = new Map<string | null, HeldGroup>();
  for (const row of rows) {
    if (row.leaseExpiresAt === null || row.leaseExpiresAt < nowIso) {
      recover.push({
        row,
        cause: 'lease expired; recovered for retry with the same idempotency key',
        error: 'lease expired: the process executing it stopped',
      });
      continue;
    }
    const state = stateOf(row.leaseOwner);
    if (state === 'gone') {
      recover.push({
        row,
        cause: `lease owner ${describeOwner(row.leaseOwner, state)} is gone; recovered for retry with the same idempotency key`,
        error: 'the process executing it is gone',
      });
      continue;
    }
    const group: HeldGroup = held.get(row.leaseOwner) ?? {
      table,
      owner: row.leaseOwner,
      state,
      ownerDescription: describeOwner(row.leaseOwner, state),
      count: 0,
      leaseExpiresAt: null,
    };
    group.count++;
    if (group.leaseExpiresAt === null || row.leaseExpiresAt > group.leaseExpiresAt)
      group.leaseExpiresAt = row.leaseExpiresAt;
    held.set(row.leaseOwner, group);
  }
  return { recover, held: [...held.values()] };
}

/**
 * What of this table is still in `executing` at one PSP (`executing`: its rows there, read by
 * lease-store.ts), grouped by owner: held by a live, remote or unrecognized owner, or
 * (`recoverable`) left by one that is gone or whose lease ran out and not recovered yet. Work
 * nobody is doing is reported, never silence.
 */
export function heldIn(
  table: LeasedTable,
  executing: readonly LeasedRow[],
  nowIso: string,
  judge: LeaseJudge,
): HeldGroup[] {
  const verdicts = judgeLeases(table, executing, nowIso, judge);
  const recoverable: HeldGroup[] =
    verdicts.recover.length === 0
      ? []
      : [
          {
            table,
            owner: null,
            state: 'recoverable',
            ownerDescription:
              'a process that is gone or whose lease ran out (the next run recovers them)',
            count: verdicts.recover.length,
            leaseExpiresAt: null,
          },
        ];
  return [...verdicts.held, ...recoverable];
}

/** "12 orders leased to pid 4242 on this host (alive) until 2026-…Z; 3 payouts leased to pid 7 on host b until …" */
export function describeHeld(groups: readonly HeldGroup[]): string {
  return groups
    .map(
      (group) =>
        `${group.count} ${group.count === 1 ? group.table.slice(0, -1) : group.table} leased to ${group.ownerDescription}${group.leaseExpiresAt ? ` until ${group.leaseExpiresAt}` : ''}`,
    )
    .join('; ');
}

/** The earliest moment one of these groups may change by itself: the earliest lease expiry. */
export function earliestExpiry(groups: readonly HeldGroup[]): string | undefined {
  return groups
    .map((group) => group.leaseExpiresAt)
    .filter((at): at is string => at !== null)
    .sort()[0];
}
