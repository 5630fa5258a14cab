import { describe, expect, it } from 'vitest';
import { runState } from '../../src/runs/status.js';
import { type LeaseOwner, formatLeaseOwner } from '../../src/work/leases/lease-owner.js';

const self: LeaseOwner = {
  host: 'ops-1',
  bootId: 'b00a',
  pid: 100,
  startTicks: '5',
  run: 'aaaaaaaa',
};
const owner = (changes: Partial<LeaseOwner>) =>
  formatLeaseOwner({ ...self, pid: 4242, startTicks: '77', run: 'bbbbbbbb', ...changes });

describe('runState', () => {
  it('a finished row is finished whatever its owner', () => {
    expect(runState({ status: 'finished', owner: owner({}) }, self, () => ({ alive: false }))).toBe(
      'finished',
    );
  });

  it('a running row whose process is gone is interrupted', () => {
    expect(runState({ status: 'running', owner: owner({}) }, self, () => ({ alive: false }))).toBe(
      'interrupted',
    );
  });

  it('a running row whose pid now belongs to a later process is interrupted', () => {
    expect(
      runState({ status: 'running', owner: owner({}) }, self, () => ({
        alive: true,
        startTicks: '999',
      })),
    ).toBe('interrupted');
  });

  it('a running row of a live process is running; of another host, running?', () => {
    expect(
      runState({ status: 'running', owner: owner({}) }, self, () => ({
        alive: true,
        startTicks: '77',
      })),
    ).toBe('running');
    expect(
      runState({ status: 'running', owner: owner({ host: 'ops-2' }) }, self, () => ({
        alive: false,
      })),
    ).toBe('running?');
  });

  it('a running row of an earlier boot of this host is interrupted', () => {
    expect(
      runState({ status: 'running', owner: owner({ bootId: 'b000' }) }, self, () => ({
        alive: true,
        startTicks: '77',
      })),
    ).toBe('interrupted');
  });
});
