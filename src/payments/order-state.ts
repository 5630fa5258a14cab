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

const ALLOWED: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
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
  if (!ALLOWED[from].includes(to)) {
    throw new InvariantError(`order ${orderId}: illegal transition ${from} → ${to}`);
  }
}

export function isOrderStatus(value: string): value is OrderStatus {
  return (ORDER_STATUSES as readonly string[]).includes(value);
}

/** States in which an order still needs work from payops (not from the PSP or a person). */
export const OPEN_STATUSES: readonly OrderStatus[] = ['created', 'executing', 'retry_scheduled'];

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

const TRANSFER_ALLOWED: Readonly<Record<TransferStatus, readonly TransferStatus[]>> = {
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
  if (!TRANSFER_ALLOWED[from].includes(to))
    throw new InvariantError(`${kind} ${id}: illegal transition ${from} → ${to}`);
}
