import { type Command, Option } from 'commander';
import { nonNegativeInteger, positiveInteger } from './options.js';

export interface PspFlags {
  psp: string;
  pspUrl?: string;
  pspState?: string;
  seed?: string;
  faults?: string;
  feeRule?: string;
  pspTimeoutMs?: number;
  concurrency?: number;
}

export interface ExecutionFlags extends PspFlags {
  retryBaseMs?: number;
  retryCapMs?: number;
  maxAttempts?: number;
  batchSize?: number;
  leaseMs?: number;
  wait?: boolean;
}

/** --psp: also from $PAYOPS_PSP or the config file's "psp" (src/config: flags beat environment beat file). */
export function pspOption(): Option {
  return new Option(
    '--psp <name>',
    'payment service provider (default: $PAYOPS_PSP, else the config file, else sim; stripe: the key comes from STRIPE_API_KEY)',
  )
    .choices(['sim', 'http', 'stripe'])
    .default('sim');
}

/** --psp-url: also from $PAYOPS_PSP_URL or the config file's "pspUrl". */
export function pspUrlOption(): Option {
  return new Option(
    '--psp-url <url>',
    'base URL of the PSP (http: required; stripe: optional; default: $PAYOPS_PSP_URL, else the config file)',
  );
}

/** The flags every command that talks to a PSP takes. */
export function addPspOptions(command: Command): Command {
  return command
    .addOption(pspOption())
    .addOption(pspUrlOption())
    .option(
      '--psp-timeout-ms <ms>',
      'how long one PSP request may take before its outcome counts as unknown (http default 10000, stripe 30000)',
      positiveInteger,
    )
    .option(
      '--concurrency <n>',
      'PSP requests in flight at once (http default 16, stripe 8)',
      positiveInteger,
    )
    .option(
      '--psp-state <file>',
      "the simulated PSP's own state file (default: <db>.psp-sim.db beside the database)",
    )
    .option('--seed <seed>', "seed of the simulated PSP's faults and outcomes", '0')
    .option(
      '--faults <spec>',
      'simulated fault rates, e.g. timeout=0.05,5xx=0.02,429=0.01,reset=0.01,lost=0.01,decline=0.03,pending=0.02',
    )
    .option('--fee-rule <rule>', 'the simulated PSP\'s fee, e.g. "2.9%+0.30"');
}

/** The flags of commands that execute orders: retry policy, batch size, lease. */
export function addExecutionOptions(command: Command): Command {
  return addPspOptions(command)
    .option('--retry-base-ms <ms>', 'first retry delay; doubles each attempt', positiveInteger)
    .option('--retry-cap-ms <ms>', 'longest retry delay', positiveInteger)
    .option('--max-attempts <n>', 'attempts before an order is dead-lettered', positiveInteger)
    .option('--batch-size <n>', 'orders per database transaction', positiveInteger)
    .option(
      '--lease-ms <ms>',
      'how long a claimed order is ours before another process may recover it',
      nonNegativeInteger,
    )
    .option(
      '--wait',
      'keep retrying until nothing is scheduled (only final states and dead letters remain)',
    );
}
