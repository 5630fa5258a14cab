import { InvariantError } from '../errors.js';

/** DESIGN.md §4. Every transition is recorded with its time and cause; anything else throws. */
export const ORDER_STATUSES = [
  'created',
  'executing',
  'succeeded',
  'pending',
  'failed',
  'retry_scheduled',
  'dead_lettered',
  'needs_attention',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** A state machine as data (DESIGN.md §4): from each status, where it may go. */
export type TransitionTable = Readonly<Partial<Record<OrderStatus, readonly OrderStatus[]>>>;

/** Throws a typed error naming the item when `from → to` is not in the table. */
export function assertAllowed(
  table: TransitionTable,
  noun: string,
  id: string,
  from: OrderStatus,
  to: OrderStatus,
): void {
  if (!(table[from]?.includes(to) ?? false))
    throw new InvariantError(`${noun} ${id}: illegal transition ${from} → ${to}`);
}

export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  created: ['executing'],
  // executing → retry_scheduled also covers a lease that expired under a crashed process.
  // executing → needs_attention: the PSP answered and payops could not record it (the answer is kept).
  executing: [
    'succeeded',
    'pending',
    'failed',
    'retry_scheduled',
    'dead_lettered',
    'needs_attention',
  ],
  pending: ['succeeded', 'failed'],
  retry_scheduled: ['executing'],
  // Only an operator's `dlq requeue` takes an order out of the dead letters.
  dead_lettered: ['executing'],
  // Only `attention resolve` books the kept answer; never back to executing (never sent again).
  needs_attention: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
};

export function assertTransition(orderId: string, from: OrderStatus, to: OrderStatus): void {
  assertAllowed(ORDER_TRANSITIONS, 'order', orderId, from, to);
}

export function isOrderStatus(value: string): value is OrderStatus {
  return ORDER_STATUSES.some((status) => status === value);
}

/** Refunds and payouts: the same shape as an order's machine, without `pending`. */
export const TRANSFER_STATUSES = [
  'created',
  'executing',
  'succeeded',
  'failed',
  'retry_scheduled',
  'dead_lettered',
  'needs_attention',
] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

export const TRANSFER_TRANSITIONS: Readonly<Record<TransferStatus, readonly TransferStatus[]>> = {
  created: ['executing'],
  executing: ['succeeded', 'failed', 'retry_scheduled', 'dead_lettered', 'needs_attention'],
  retry_scheduled: ['executing'],
  dead_lettered: ['executing'],
  needs_attention: ['succeeded', 'failed'],
  succeeded: [],
  failed: [],
};

export function assertTransferTransition(
  kind: 'refund' | 'payout',
  id: string,
  from: TransferStatus,
  to: TransferStatus,
): void {
  assertAllowed(TRANSFER_TRANSITIONS, kind, id, from, to);
}

export function isTransferStatus(value: string): value is TransferStatus {
  return TRANSFER_STATUSES.some((status) => status === value);
}

/** `status` as a refund's or payout's; throws for one of an order's own (`pending`). */
export function transferStatus(status: OrderStatus): TransferStatus {
  if (status === 'pending') throw new InvariantError('refunds and payouts are never pending');
  return status;
}
