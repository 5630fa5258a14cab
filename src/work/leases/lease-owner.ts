import fs from 'node:fs';
import os from 'node:os';
import { randomUUID } from 'node:crypto';

/**
 * Who holds a lease (DESIGN.md §5): the host, the process id and the process's start time, so
 * that a lease left by a process that is gone from this host is recovered at once instead of
 * when it expires, while a lease of a live or remote process is left alone (and reported).
 *
 * Stored in `lease_owner` of orders, refunds and payouts as one line:
 *   `host=web-1 boot=<boot id> pid=4242 start=918273 run=ab12cd34`
 * `start` is field 22 of /proc/<pid>/stat (clock ticks since boot), which tells a process from a
 * later one that got the same pid; `boot` (Linux's boot id) tells this boot from an earlier one,
 * whose every process is gone. `run` tells two executors of one process apart. Off Linux, `boot`
 * and `start` are `-` and only the pid is probed.
 */
export interface LeaseOwner {
  host: string;
  bootId: string | null;
  pid: number;
  startTicks: string | null;
  run: string;
}

/** What is known of a process on this host: gone, or alive with its start time (null off Linux). */
export type ProcessProbe = (
  pid: number,
) => { alive: false } | { alive: true; startTicks: string | null };

/** Where a lease's owner is: `gone` can be recovered now; the others wait for the lease's expiry. */
export type OwnerState = 'gone' | 'alive' | 'remote' | 'unrecognized';

const MAX_HOST_CHARS = 255;
const OWNER_PATTERN =
  /^host=([A-Za-z0-9%._~-]{1,765}) boot=([0-9a-f-]{1,64}|-) pid=([1-9][0-9]{0,9}) start=(0|[1-9][0-9]{0,19}|-) run=([0-9a-f]{8})$/;
const MAX_PID = 2 ** 32 - 1;

export function formatLeaseOwner(owner: LeaseOwner): string {
  return `host=${encodeHost(owner.host)} boot=${owner.bootId ?? '-'} pid=${owner.pid} start=${owner.startTicks ?? '-'} run=${owner.run}`;
}

/** Percent-encoded beyond the unreserved characters, so a host name cannot break the line apart. */
function encodeHost(host: string): string {
  return encodeURIComponent(host).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The owner a lease names, or undefined for anything else (an older payops, a hand edit, garbage). */
export function parseLeaseOwner(text: string | null): LeaseOwner | undefined {
  if (text === null || text.length > 1_000) return undefined;
  const match = OWNER_PATTERN.exec(text);
  if (!match) return undefined;
  const [, hostText, boot, pidText, start, run] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  let host: string;
  try {
    host = decodeURIComponent(hostText);
  } catch {
    return undefined;
  }
  const pid = Number(pidText);
  if (host.length === 0 || host.length > MAX_HOST_CHARS || pid > MAX_PID) return undefined;
  return {
    host,
    bootId: boot === '-' ? null : boot,
    pid,
    startTicks: start === '-' ? null : start,
    run,
  };
}

/**
 * Pure: where the owner of this lease is, seen from `self`'s host. Same host and boot, and the
 * pid is gone or now belongs to a process started at another time: `gone`. A different boot of
 * this host: `gone` (a reboot ended every process). Another host: `remote` (its processes cannot
 * be seen from here). A text that is no owner: `unrecognized`.
 */
export function ownerState(text: string | null, self: LeaseOwner, probe: ProcessProbe): OwnerState {
  const owner = parseLeaseOwner(text);
  if (!owner) return 'unrecognized';
  if (owner.host !== self.host) return 'remote';
  if (owner.bootId !== null && self.bootId !== null && owner.bootId !== self.bootId) return 'gone';
  const seen = probe(owner.pid);
  if (!seen.alive) return 'gone';
  if (owner.startTicks !== null && seen.startTicks !== null && owner.startTicks !== seen.startTicks)
    return 'gone';
  return 'alive';
}

/** A one-line description of a lease's owner for a person: "pid 4242 on this host (alive)". */
export function describeOwner(text: string | null, state: OwnerState): string {
  const owner = parseLeaseOwner(text);
  if (!owner) return `an unrecognized owner "${(text ?? '').slice(0, 80)}"`;
  if (state === 'remote') return `pid ${owner.pid} on host ${owner.host}`;
  return `pid ${owner.pid} on this host${state === 'alive' ? ' (alive)' : ''}`;
}

/**
 * Linux: field 22 of /proc/<pid>/stat, read after the last `)` (the command name may hold spaces
 * and parentheses). A zombie has exited: gone. Elsewhere, signal 0 says whether the pid exists.
 */
export const probeProcess: ProcessProbe = (pid) => {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && fs.existsSync('/proc/self/stat'))
      return { alive: false };
    return probeBySignal(pid);
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
  if (fields[0] === 'Z' || fields[0] === 'X') return { alive: false };
  return { alive: true, startTicks: fields[19] ?? null };
};

function probeBySignal(pid: number): ReturnType<ProcessProbe> {
  try {
    process.kill(pid, 0);
    return { alive: true, startTicks: null };
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
      ? { alive: true, startTicks: null }
      : { alive: false };
  }
}

function readBootId(): string | null {
  try {
    const id = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return /^[0-9a-f-]{1,64}$/.test(id) ? id : null;
  } catch {
    return null;
  }
}

let processIdentity: Omit<LeaseOwner, 'run'> | undefined;

/** This process as a lease owner, read once; each executor adds its own `run`. */
export function thisProcessOwner(): LeaseOwner {
  processIdentity ??= (() => {
    const seen = probeProcess(process.pid);
    return {
      host: os.hostname(),
      bootId: readBootId(),
      pid: process.pid,
      startTicks: seen.alive ? seen.startTicks : null,
    };
  })();
  return { ...processIdentity, run: randomUUID().slice(0, 8) };
}
