import { spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LeaseOwner,
  type ProcessProbe,
  formatLeaseOwner,
  ownerState,
  parseLeaseOwner,
  probeProcess,
  thisProcessOwner,
} from '../../../src/work/leases/lease-owner.js';
import { judgeLeases } from '../../../src/work/leases/leases.js';

const SELF: LeaseOwner = {
  host: 'web-1',
  bootId: 'b0e1d2c3-0000-4000-8000-000000000001',
  pid: 100,
  startTicks: '5000',
  run: 'aaaaaaaa',
};
const owner = (fields: Partial<LeaseOwner>) =>
  formatLeaseOwner({ ...SELF, run: 'bbbbbbbb', ...fields });
/** A host where pid 200 runs, started at tick 7000, and nothing else but us. */
const probe: ProcessProbe = (pid) =>
  pid === 200
    ? { alive: true, startTicks: '7000' }
    : pid === 100
      ? { alive: true, startTicks: '5000' }
      : { alive: false };

describe('lease owner: host, boot, pid, start time', () => {
  it('round-trips through the lease_owner text, host names percent-encoded', () => {
    for (const sample of [
      SELF,
      { ...SELF, host: "odd host (1)/é!'*", bootId: null, startTicks: null },
    ]) {
      expect(parseLeaseOwner(formatLeaseOwner(sample))).toEqual(sample);
    }
    expect(formatLeaseOwner(SELF)).toBe(
      'host=web-1 boot=b0e1d2c3-0000-4000-8000-000000000001 pid=100 start=5000 run=aaaaaaaa',
    );
  });

  it.each([
    ['null', null],
    ['the format of payops before issue 14', 'web-1:4242:ab12cd34'],
    ['an empty host', 'host= boot=- pid=1 start=1 run=aaaaaaaa'],
    ['pid 0', 'host=a boot=- pid=0 start=1 run=aaaaaaaa'],
    ['a pid beyond 32 bits', 'host=a boot=- pid=9999999999 start=1 run=aaaaaaaa'],
    ['a negative pid', 'host=a boot=- pid=-5 start=1 run=aaaaaaaa'],
    ['a start time with letters', 'host=a boot=- pid=5 start=12x run=aaaaaaaa'],
    ['a field missing', 'host=a boot=- pid=5 run=aaaaaaaa'],
    ['fields out of order', 'pid=5 host=a boot=- start=1 run=aaaaaaaa'],
    ['a space in the host', 'host=a b boot=- pid=5 start=1 run=aaaaaaaa'],
    ['a broken percent escape', 'host=%E0%A4 boot=- pid=5 start=1 run=aaaaaaaa'],
    ['trailing text', 'host=a boot=- pid=5 start=1 run=aaaaaaaa; DROP TABLE orders'],
    ['a newline', 'host=a boot=- pid=5 start=1 run=aaaaaaaa\n'],
  ])('refuses %s as an owner: unrecognized, so only its expiry frees the lease', (_name, text) => {
    expect(parseLeaseOwner(text)).toBeUndefined();
    expect(ownerState(text, SELF, probe)).toBe('unrecognized');
  });

  it('a dead pid on this host: gone', () => {
    expect(ownerState(owner({ pid: 300 }), SELF, probe)).toBe('gone');
  });

  it('a pid reused by a process started at another time: gone', () => {
    expect(ownerState(owner({ pid: 200, startTicks: '6999' }), SELF, probe)).toBe('gone');
  });

  it('the same pid and start time: alive (this process included)', () => {
    expect(ownerState(owner({ pid: 200, startTicks: '7000' }), SELF, probe)).toBe('alive');
    expect(ownerState(formatLeaseOwner(SELF), SELF, probe)).toBe('alive');
  });

  it('another host: remote, whatever its pid', () => {
    expect(ownerState(owner({ host: 'web-2', pid: 300 }), SELF, probe)).toBe('remote');
  });

  it('an earlier boot of this host: gone, even where the pid and start time match again', () => {
    expect(
      ownerState(
        owner({ bootId: 'b0e1d2c3-0000-4000-8000-000000000002', pid: 200, startTicks: '7000' }),
        SELF,
        probe,
      ),
    ).toBe('gone');
  });

  it('without a start time (off Linux): alive while the pid exists', () => {
    expect(ownerState(owner({ pid: 200, startTicks: null }), SELF, probe)).toBe('alive');
    expect(ownerState(owner({ pid: 300, startTicks: null }), SELF, probe)).toBe('gone');
  });
});

describe('the process probe on this machine', () => {
  let sleeper: ReturnType<typeof spawn>;
  beforeAll(() => {
    sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
  });
  afterAll(() => {
    sleeper.kill('SIGKILL');
  });

  it('sees this process alive with its start time, as thisProcessOwner records it', () => {
    const me = thisProcessOwner();
    expect(me.pid).toBe(process.pid);
    expect(probeProcess(process.pid)).toEqual({ alive: true, startTicks: me.startTicks });
    expect(ownerState(formatLeaseOwner(me), me, probeProcess)).toBe('alive');
  });

  it('tells a live child from the same pid with another start time, and from the child once it has exited', () => {
    const me = thisProcessOwner();
    const child = probeProcess(sleeper.pid as number);
    expect(child.alive).toBe(true);
    const childOwner = formatLeaseOwner({
      ...me,
      pid: sleeper.pid as number,
      startTicks: child.alive ? child.startTicks : null,
    });
    expect(ownerState(childOwner, me, probeProcess)).toBe('alive');
    if (me.startTicks !== null) {
      const reused = formatLeaseOwner({
        ...me,
        pid: sleeper.pid as number,
        startTicks: `${BigInt(me.startTicks) + 123456789n}`,
      });
      expect(ownerState(reused, me, probeProcess)).toBe('gone');
    }
    const exited = spawnSync(
      process.execPath,
      ['-e', 'process.stdout.write(String(process.pid))'],
      { encoding: 'utf8' },
    );
    expect(
      ownerState(
        formatLeaseOwner({ ...me, pid: Number(exited.stdout), startTicks: null }),
        me,
        probeProcess,
      ),
    ).toBe('gone');
  });
});

describe('judgeLeases', () => {
  const at = '2026-11-23T10:00:00.000Z';
  const later = '2026-11-23T10:05:00.000Z';
  it('recovers expired leases and those of gone owners; groups the held ones by owner with their latest expiry', () => {
    const rows = [
      { id: 1n, leaseOwner: owner({ pid: 300 }), leaseExpiresAt: later },
      { id: 2n, leaseOwner: owner({ pid: 200, startTicks: '7000' }), leaseExpiresAt: later },
      {
        id: 3n,
        leaseOwner: owner({ pid: 200, startTicks: '7000' }),
        leaseExpiresAt: '2026-11-23T10:06:00.000Z',
      },
      { id: 4n, leaseOwner: owner({ host: 'web-2' }), leaseExpiresAt: later },
      { id: 5n, leaseOwner: 'garbage', leaseExpiresAt: '2026-11-23T09:59:59.000Z' },
      { id: 6n, leaseOwner: 'garbage', leaseExpiresAt: later },
    ];
    const verdicts = judgeLeases('orders', rows, at, { self: SELF, probe });
    expect(verdicts.recover.map(({ row, cause }) => [row.id, cause.split(';')[0]])).toEqual([
      [1n, 'lease owner pid 300 on this host is gone'],
      [5n, 'lease expired'],
    ]);
    expect(
      verdicts.held.map(({ state, count, leaseExpiresAt }) => [state, count, leaseExpiresAt]),
    ).toEqual([
      ['alive', 2, '2026-11-23T10:06:00.000Z'],
      ['remote', 1, later],
      ['unrecognized', 1, later],
    ]);
  });
});
