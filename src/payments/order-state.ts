import { InvariantError } from '../errors.js';

/** DESIGN.md §4. Every transition is recorded with its time and cause; anything else throws. */
export const ORDER_STATUSES = ['created', 'executing', 'succeeded', 'pending', 'failed', 'retry_scheduled', 'dead_lettered'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const ALLOWED: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  created: ['executing'],
  // executing → retry_scheduled also covers a lease that expired under a crashed process.
  executing: ['succeeded', 'pending', 'failed', 'retry_scheduled', 'dead_lettered'],
  pending: ['succeeded', 'failed'],
  retry_scheduled: ['executing'],
  // Only an operator's `dlq requeue` takes an order out of the dead letters.
  dead_lettered: ['executing'],
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
