import type { Command } from 'commander';
import { contextOf, examples } from './context.js';
import { nonNegativeInteger, port, positiveInteger } from './options.js';
import { lazy } from './lazy.js';
import type { ServeFlags, SettleFlags } from './actions/psp.js';

/** The group's actions, loaded on first use: help, completion and other groups never load them. */
const actions = lazy(() => import('./actions/psp.js'));

/** `payops psp serve|settle`: payops' own PSP over HTTP, and the settlement files it writes. */
export function registerPsp(program: Command): void {
  const psp = program
    .command('psp')
    .description("payops' own PSP: the simulator served over HTTP, and its settlement files");
  pspServe(psp);
  pspSettle(psp);
}

function pspServe(psp: Command): void {
  psp
    .command('serve')
    .description(
      'serve the simulated PSP on 127.0.0.1: charges, refunds, payouts, look-ups, disputes, signed webhooks',
    )
    .option(
      '--port <port>',
      'port on 127.0.0.1 (0: any free port; the URL is printed on stderr)',
      port,
      0,
    )
    .requiredOption(
      '--state <file>',
      "the PSP's own state file (created if missing; a version-1 file is migrated in place)",
    )
    .option('--seed <seed>', 'seed of faults and outcomes', '0')
    .option(
      '--faults <spec>',
      'fault rates, e.g. timeout=0.02,5xx=0.02,429=0.01,reset=0.01,lost=0.02,decline=0.02,pending=0.05,webhook-duplicate=0.1,webhook-delay=0.1',
    )
    .option('--fee-rule <rule>', 'the PSP\'s fee, e.g. "2.9%+0.30"')
    .option(
      '--webhook-url <url>',
      'where to send signed webhook events (secret from PAYOPS_WEBHOOK_SECRET)',
    )
    .option(
      '--settle-after-ms <ms>',
      'how long a pending charge stays pending before it settles on its own',
      nonNegativeInteger,
      2_000,
    )
    .option(
      '--slow-ms <ms>',
      'how long a request struck by the timeout fault is held before it is processed',
      nonNegativeInteger,
      15_000,
    )
    .option('--retry-after-s <s>', 'Retry-After of the 429 fault, in seconds', positiveInteger, 1)
    .addHelpText(
      'after',
      `${examples(
        'payops psp serve --state psp.db --port 0',
        'payops psp serve --state psp.db --faults pending=0.1,5xx=0.02 --webhook-url http://127.0.0.1:4100/',
      )}
Webhooks are signed with PAYOPS_WEBHOOK_SECRET (from the environment only, never a flag).
Prints "payops psp: listening on http://127.0.0.1:PORT" on stderr; stops on SIGINT or SIGTERM.
`,
    )
    .action(async (flags: ServeFlags, command: Command) =>
      (await actions()).pspServe(contextOf(command), flags),
    );
}

function pspSettle(psp: Command): void {
  psp
    .command('settle')
    .description(
      "write the simulated PSP's settlement file for one UTC day (payops format), from the PSP's own books",
    )
    .requiredOption('--date <day>', 'the UTC day to settle, e.g. 2026-11-23')
    .requiredOption('--out <file>', 'where to write the settlement file')
    .option(
      '--psp-state <file>',
      "the simulated PSP's state file (default: <db>.psp-sim.db beside the database)",
    )
    .option(
      '--inject-discrepancies <n>',
      'write N discrepancies into the file (kinds in turn: missing row, extra row, changed amount, changed fee, settled charge payops failed, duplicated row)',
      nonNegativeInteger,
    )
    .option('--seed <seed>', 'which rows the discrepancies go to', '0')
    .option('--manifest <file>', 'write what was injected, as JSON')
    .option(
      '--fee-rule <rule>',
      'the fee of a charge the PSP settles though it declined it (settled_failed), e.g. "2.9%+0.30"',
    )
    .option('--json', 'print the manifest as JSON')
    .addHelpText(
      'after',
      `${examples('payops psp settle --date 2026-11-23 --out settlement-2026-11-23.csv', 'payops psp settle --date 2026-11-23 --out day.csv --inject-discrepancies 6 --seed 7 --manifest day.manifest.json')}
Captures (a pending charge counts on the day it settled), refunds and chargebacks with their fees,
then one payout row per currency: batch po_sim_YYYYMMDD_CUR. An injected discrepancy changes the
rows, never the payout, which stays what the PSP really paid out.
`,
    )
    .action(async (flags: SettleFlags, command: Command) =>
      (await actions()).pspSettle(contextOf(command), flags),
    );
}
