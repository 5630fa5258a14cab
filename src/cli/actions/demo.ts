import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bankInTransit,
  bankOperating,
  payoutsInTransit,
  sellerPending,
} from '../../postings/index.js';
import type { CliContext } from '../context.js';
import { arrivalDay } from '../../bank/sim/index.js';
import { SimEngine } from '../../psp/sim/engine.js';
import { PspServer } from '../../psp/http/server.js';
import { parseFaults } from '../../psp/sim/faults.js';
import { DEFAULT_FEE_RULE } from '../../psp/fee-rule.js';
import { UsageError, PayopsError } from '../../errors.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));

type Step = (
  title: string,
  args: string[],
  expectedCodes?: readonly number[],
  note?: string,
) => Promise<void>;

/**
 * The bank leg: the simulated bank's statements of today (the seller payouts leave) and of the day
 * the PSP's payout arrives (one discrepancy of every class written in), reconciled against the
 * payouts; then the three legs side by side and where the money is.
 */
async function bankSteps(step: Step, directory: string, today: string): Promise<void> {
  const arrival = arrivalDay(today, 1);
  const left = path.join(directory, `bank-${today}.xml`);
  const arrived = path.join(directory, `bank-${arrival}.sta`);
  await step(
    "The simulated bank's camt.053 statement of today: the seller payouts left, the account charge",
    ['bank', 'statement', '--date', today, '--format', 'camt053', '--out', left],
  );
  await step(
    'Reconcile it: each debit clears its seller payout, the charge is booked under the fee cap, the balances agree with the books',
    ['reconcile', 'bank', left, '--window-days', '1', '--non-interactive'],
    [0, 4],
  );
  await step(
    `The MT940 statement of ${arrival}, when the PSP's payouts arrive; seven bank discrepancies written in`,
    [
      'bank',
      'statement',
      '--date',
      arrival,
      '--format',
      'mt940',
      '--out',
      arrived,
      '--inject-discrepancies',
      '7',
      '--seed',
      '5',
    ],
  );
  await step(
    'Reconcile it: payouts received, and every discrepancy in its class (unknown money waits in suspense, never revenue)',
    ['reconcile', 'bank', arrived, '--window-days', '1', '--non-interactive'],
    [0, 4],
    'items left open for review',
  );
  await step(
    'Three legs per payout, those not settled yet: what the books, the PSP and the bank say',
    ['reconcile', 'payouts', '--open'],
  );
  await step('The bank accounts: operating follows the statement; what is still in transit', [
    'ledger',
    'balance',
    '--account',
    'assets:bank',
  ]);
}

/**
 * The same protocol through real sockets: the demo serves the simulated PSP on loopback itself
 * (what `payops psp serve` runs), charges a few checkouts through it with the `http` adapter while
 * it answers 503s and loses responses, and stops it. Seeded, so every run shows the same thing.
 */
async function httpSteps(
  step: Step,
  context: CliContext,
  directory: string,
  events: string,
): Promise<void> {
  const state = path.join(directory, 'psp-http.db');
  const faults = parseFaults('5xx=0.2,lost=0.2');
  const engine = new SimEngine({
    stateFile: state,
    seed: '7',
    faults,
    feeRule: DEFAULT_FEE_RULE,
    clock: Date.now,
  });
  const server = new PspServer({
    engine,
    seed: '7',
    faults,
    slowMs: 1_000,
    retryAfterS: 1,
    settleEveryMs: 500,
    log: context.err,
  });
  try {
    const url = await server.listen(0);
    context.out(
      `\n${context.color.bold("# The PSP over HTTP: payops' own PSP server on loopback, answering 503s and losing responses")}\n${context.color.cyan(`$ payops psp serve --state ${state} --faults 5xx=0.2,lost=0.2 --seed 7 &   # ${url}`)}`,
    );
    const http = [
      '--psp',
      'http',
      '--psp-url',
      url,
      '--retry-base-ms',
      '50',
      '--retry-cap-ms',
      '200',
      '--max-attempts',
      '10',
    ];
    await step(
      'Charge through it: the http adapter, a keep-alive client with timeouts and an idempotency key per order',
      ['payin', 'run', events, ...http],
      [0, 6],
      'some answers were 503 or never came',
    );
    await step(
      'Retry with the same keys: the server replays the answers it lost, and charges nothing twice',
      ['retry', 'run', '--wait', ...http],
    );
    await step("The server's own state file proves each order was charged at most once", [
      'check',
      '--psp',
      'http',
      '--psp-state',
      state,
    ]);
  } finally {
    await server.close();
    engine.close();
  }
}

export type DemoFlags = { keep?: boolean };

/** `explicitDb`: the --db given on the command line (the demo never reuses $PAYOPS_DB's book). */
export async function demo(
  context: CliContext,
  options: DemoFlags,
  explicitDb: string | undefined,
  run: (argv: string[]) => Promise<number>,
): Promise<void> {
  const directory = explicitDb ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'payops-demo-'));
  const db = explicitDb ?? path.join(directory as string, 'demo.db');
  if (explicitDb && fs.existsSync(explicitDb)) {
    throw new UsageError(`demo database ${explicitDb} already exists`, {
      hint: 'the demo starts from an empty database: pass a new path',
    });
  }
  const step = async (
    title: string,
    args: string[],
    expectedCodes: readonly number[] = [0],
    note?: string,
  ): Promise<void> => {
    context.out(
      `\n${context.color.bold(`# ${title}`)}\n${context.color.cyan(`$ payops ${args.map((arg) => (/\s/.test(arg) ? `"${arg}"` : arg)).join(' ')}`)}`,
    );
    const code = await run(['node', 'payops', ...args, '--db', db]);
    if (!expectedCodes.includes(code)) {
      throw new PayopsError(`demo step "${title}" failed with exit code ${code}`, 1);
    }
    if (note) context.out(context.color.dim(`(exit ${code}: ${note})`));
  };
  const events = (name: string) => path.join(FIXTURES, 'events', name);
  try {
    await payinSteps(step, db, events);
    await payoutSteps(step, db, events);
    const today = new Date().toISOString().slice(0, 10);
    await settlementSteps(step, path.dirname(db), today);
    await bankSteps(step, path.dirname(db), today);
    await bookSteps(step);
    await httpSteps(step, context, path.dirname(db), events('small.json'));
    await manualEntrySteps(step);
    context.out(
      `\n${context.color.green('demo complete')}${options.keep || explicitDb ? `: database kept at ${db}` : ''}`,
    );
  } finally {
    if (directory && !options.keep) fs.rmSync(directory, { recursive: true, force: true });
  }
}

// A realistic day: the simulated PSP times out, fails, rate-limits, loses responses and declines.
const FAULTS = [
  '--faults',
  'timeout=0.03,5xx=0.03,429=0.02,lost=0.02,decline=0.02,pending=0.02',
  '--seed',
  '7',
  '--retry-base-ms',
  '50',
  '--retry-cap-ms',
  '400',
];

/** Pay-in with faults on, the retry queue, duplicates, bad lines and deliveries. */
async function payinSteps(step: Step, db: string, events: (name: string) => string): Promise<void> {
  await step('Create the database (owner-only file, WAL, full durability)', ['init']);
  await step(
    'Charge a day of checkouts through the simulated PSP, faults on',
    ['payin', 'run', events('day.ndjson'), ...FAULTS],
    [0, 6],
    'some orders wait in the retry queue',
  );
  await step(
    'Work the retry queue until only final states remain (same idempotency keys)',
    ['retry', 'run', '--wait', ...FAULTS],
    [0, 6],
  );
  await step('Settle orders the PSP left pending', ['orders', 'sync', '--seed', '7']);
  await step(
    'The same file again: every event is a duplicate, nothing is charged twice',
    ['payin', 'run', events('day.ndjson'), '--seed', '7'],
    [0, 6],
  );
  await step(
    'Bad input is reported by file, line and field; good lines still go through',
    [
      'payin',
      'run',
      events('bad-lines.ndjson'),
      '--seed',
      '7',
      '--rejects',
      path.join(path.dirname(db), 'bad-lines.rejects.ndjson'),
    ],
    [3],
    'input rejected',
  );
  await step("One order's whole story", ['orders', 'show', 'ord_00000001']);
  await step(
    "Deliveries: each pay_out event makes that order's seller share payable (undelivered or declined orders are refused)",
    [
      'payin',
      'run',
      events('deliveries.ndjson'),
      '--seed',
      '7',
      '--rejects',
      path.join(path.dirname(db), 'deliveries.rejects.ndjson'),
    ],
    [0, 3],
    'deliveries of declined orders refused',
  );
}

/** Payouts, refunds after them, chargebacks, and the reports that show them. */
async function payoutSteps(
  step: Step,
  db: string,
  events: (name: string) => string,
): Promise<void> {
  await step('What a payout run would pay, without paying', [
    'payout',
    'run',
    '--dry-run',
    '--currency',
    'EUR',
  ]);
  await step(
    'Pay every seller once for everything payable (faults on; same keys on retry)',
    ['payout', 'run', '--wait', ...FAULTS],
    [0, 6],
  );
  await step(
    'Refunds after the payout: the seller share comes back from payable (negative until recovered); one asks for more than was captured',
    [
      'payin',
      'run',
      events('refunds.ndjson'),
      '--seed',
      '7',
      '--rejects',
      path.join(path.dirname(db), 'refunds.rejects.ndjson'),
    ],
    [0, 3],
    'the over-refund is refused',
  );
  await step('Chargebacks the PSP lost: booked once each, seller share clawed back like a refund', [
    'chargebacks',
    'sync',
    '--faults',
    'dispute=0.01',
    '--seed',
    '7',
  ]);
  await step('Sellers: pending, payable, paid out, negative balances; accounts masked', [
    'report',
    'sellers',
  ]);
  await step('The day in ten seconds', ['report', 'daily']);
}

/** The PSP's settlement file of today, reconciled with its rules; what is left for a person. */
async function settlementSteps(step: Step, directory: string, today: string): Promise<void> {
  const settlement = path.join(directory, `settlement-${today}.csv`);
  const rules = path.join(FIXTURES, 'reconcile', 'rules.json');
  await step(
    "The simulated PSP's settlement file for today, six discrepancies written in (its payouts stay the truth)",
    [
      'psp',
      'settle',
      '--date',
      today,
      '--out',
      settlement,
      '--inject-discrepancies',
      '6',
      '--seed',
      '3',
    ],
  );
  await step(
    'What reconciling it would do, rules included, without writing anything',
    ['reconcile', 'run', settlement, '--rules', rules, '--dry-run', '--non-interactive'],
    [0, 4],
  );
  await step(
    'Reconcile: every row and record in one class, matched rows settled by payout batch, rules applied',
    ['reconcile', 'run', settlement, '--rules', rules, '--non-interactive'],
    [0, 4],
    'items left open for review',
  );
  await step(
    'The same file again changes nothing',
    ['reconcile', 'run', settlement, '--non-interactive'],
    [0, 4],
  );
  await step(
    'What is left for a person, biggest money first (no terminal here: nothing is asked)',
    ['reconcile', 'review', '--non-interactive'],
    [0, 4],
  );
  await step('Classes, payout bridges and who decided what', ['reconcile', 'report']);
  await step(
    "Money in transit to the bank: the PSP's settled payouts, until a bank statement shows them arrive",
    ['ledger', 'balance', '--account', bankInTransit('sim')],
  );
  await step('Seller payouts sent, until a bank statement shows them leave the operating account', [
    'ledger',
    'balance',
    '--account',
    payoutsInTransit,
  ]);
}

/** What the books say: dead letters, balances, statements, one seller, every invariant. */
async function bookSteps(step: Step): Promise<void> {
  await step('Dead letters, if any order used up its retries', ['dlq', 'list'], [0, 6]);
  await step('What we hold, owe and earn', ['ledger', 'balance', '--depth', '2']);
  await step('The income statement: platform fees earned, PSP and chargeback fees spent, net', [
    'report',
    'income',
    '--period',
    'monthly',
  ]);
  await step('The balance sheet, and the check that it balances', [
    'report',
    'balance-sheet',
    '--depth',
    '3',
  ]);
  await step('One seller, entry by entry', [
    'ledger',
    'history',
    sellerPending('seller_13'),
    '--limit',
    '5',
  ]);
  await step("Every invariant: ledger, wallets, orders, postings, and the PSP's own record", [
    'check',
  ]);
}

/** Entries an operator posts, a reversal, and the checks once more. */
async function manualEntrySteps(step: Step): Promise<void> {
  await step('Entries you post yourself are balanced, idempotent and hash-chained too', [
    'ledger',
    'post',
    '--file',
    path.join(FIXTURES, 'ledger', 'operator-entries.ndjson'),
  ]);
  await step('A mistake is corrected by a reversal, never an edit', [
    'ledger',
    'reverse',
    '--key',
    'bank-charges-2026-11-23-again',
    '--reason',
    'entered twice',
  ]);
  await step(
    'The operating bank account as of the end of the 23rd (the reversal is effective today)',
    ['ledger', 'balance', '--account', bankOperating, '--as-of', '2026-11-23'],
  );
  await step('Every invariant once more, after the manual entries', ['check']);
}
