import type { ExecutionOptions } from '../payments/payin.js';
import type { PaymentServiceProvider } from '../psp/port.js';
import type { CliContext } from './context.js';
import type { ExecutionFlags } from './psp-options.js';

/** Turns execution flags into the executor's options; the caller closes the PSP. */
export async function executionFrom(context: CliContext, flags: ExecutionFlags, onBatch?: (done: number) => void): Promise<ExecutionOptions & { psp: PaymentServiceProvider }> {
  const { createPsp } = await import('../psp/factory.js');
  const { makeRetryPolicy } = await import('../payments/retry-policy.js');
  const { systemClock } = await import('../time.js');
  const retry = makeRetryPolicy(flags);
  const psp = createPsp({ psp: flags.psp, dbPath: context.dbPath, pspState: flags.pspState, seed: flags.seed, faults: flags.faults, feeRule: flags.feeRule, pspUrl: flags.pspUrl });
  return {
    psp,
    retry,
    clock: systemClock,
    batchSize: flags.batchSize,
    leaseMs: flags.leaseMs,
    wait: flags.wait,
    onBatch,
  };
}

/** "USD 12.50, EUR 3.00" from per-currency minor-unit sums. */
export async function formatTotals(totals: Map<string, bigint>): Promise<string> {
  const { formatAmount } = await import('../money/index.js');
  if (totals.size === 0) return 'none';
  return [...totals].map(([currency, minor]) => `${currency} ${formatAmount(minor, currency as never)}`).join(', ');
}

export async function totalsJson(totals: Map<string, bigint>): Promise<{ currency: string; amount: string }[]> {
  const { formatAmount } = await import('../money/index.js');
  return [...totals].map(([currency, minor]) => ({ currency, amount: formatAmount(minor, currency as never) }));
}
