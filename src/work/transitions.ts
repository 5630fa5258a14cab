import { InvariantError } from '../errors.js';
import type { WorkStatus } from './kind.js';

/** A state machine as data (DESIGN.md §4): from each status, where it may go. */
export type TransitionTable = Readonly<Partial<Record<WorkStatus, readonly WorkStatus[]>>>;

/** Throws a typed error naming the item when `from → to` is not in the table. */
export function assertAllowed(
  table: TransitionTable,
  noun: string,
  id: string,
  from: WorkStatus,
  to: WorkStatus,
): void {
  if (!(table[from]?.includes(to) ?? false))
    throw new InvariantError(`${noun} ${id}: illegal transition ${from} → ${to}`);
}
