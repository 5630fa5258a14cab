import { type CliContext, withBook } from '../context.js';
import { executionFrom } from '../execution.js';
import { lazy } from '../lazy.js';
import type { ExecutionFlags } from '../psp-options.js';
import { PayinExecutor } from '../../work/executors/charge.js';

/** `orders sync`: the pay-in executor and a PSP load for it alone, not for `list` or `show`. */

/** The --json contract (zod schemas): loaded only when --json is given. */
const json = lazy(async () => {
  const [{ contractJson }, { ordersSyncSchema }] = await Promise.all([
    import('../../output/contract.js'),
    import('../../output/orders.js'),
  ]);
  return { contractJson, ordersSyncSchema };
});

export type OrdersSyncFlags = ExecutionFlags & { json?: boolean };

export async function ordersSync(context: CliContext, flags: OrdersSyncFlags): Promise<void> {
  const execution = await executionFrom(context, flags);
  try {
    const tally = await withBook(context, (book) =>
      new PayinExecutor(book, execution).syncPending(),
    );
    if (flags.json) {
      const { contractJson, ordersSyncSchema } = await json();
      context.out(
        contractJson(ordersSyncSchema, {
          succeeded: tally.succeeded,
          failed: tally.failed,
        }),
      );
    } else
      context.out(`pending orders settled: succeeded ${tally.succeeded}, failed ${tally.failed}`);
  } finally {
    execution.psp.close();
  }
}
