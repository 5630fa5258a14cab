import { type LeaseOwner, type ProcessProbe, ownerState } from '../work/leases/lease-owner.js';

/**
 * What a person is told about a run: `finished`; `running` while its process lives (or runs on
 * another host, which cannot be probed from here: `running?`); `interrupted` when the row still
 * says running but its process is gone (killed, crashed, host rebooted) and never finished it.
 */
export type RunState = 'finished' | 'running' | 'running?' | 'interrupted';

export function runState(
  row: { status: 'running' | 'finished'; owner: string },
  self: LeaseOwner,
  probe: ProcessProbe,
): RunState {
  if (row.status === 'finished') return 'finished';
  const state = ownerState(row.owner, self, probe);
  if (state === 'gone') return 'interrupted';
  if (state === 'alive') return 'running';
  return 'running?';
}
