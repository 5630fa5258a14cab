import type { QueueReadStore, QueuedWork } from './queue-read-store.js';

export type { QueuedWork } from './queue-read-store.js';

/** Every charge, refund and payout now in `status`: charges first, each kind in the order it was accepted. */
export async function queuedWork(
  store: QueueReadStore,
  status: 'retry_scheduled' | 'dead_lettered',
): Promise<QueuedWork[]> {
  const retrying = status === 'retry_scheduled';
  return (await store.queuedWork(status)).map((work) => ({
    ...work,
    nextAttemptAt: retrying ? work.nextAttemptAt : null,
  }));
}
