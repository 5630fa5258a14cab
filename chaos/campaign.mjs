// The chaos campaign's day, through the real binary: waves of checkouts charged through
// `payops psp serve` with wire faults on, while `payops webhooks listen` applies its events;
// deliveries, payout runs, refunds, chargebacks; four payops processes on one database at once;
// SIGKILLs at random moments of each, the PSP server killed and restarted now and then; at the
// end the PSP's settlement files, reconciled, then the simulated bank's statements of those days
// (killed again). The end checks are in checks.mjs.
import fs from 'node:fs';
import path from 'node:path';
import { checkBooks } from './checks.mjs';
import { writeWave } from './day.mjs';
import { FULL_RUN_KILLS, KillPlan } from './kill-plan.mjs';
import { Operator, sleep } from './operator.mjs';
import { Processes } from './processes.mjs';
import { Random } from './random.mjs';

export const WEBHOOK_SECRET = 'whsec_chaos_campaign_0123456789';
const LEASE_MS = 2_000;
const PSP_FAULTS =
  'timeout=0.03,5xx=0.04,429=0.03,reset=0.02,lost=0.04,decline=0.02,pending=0.08,dispute=0.02,webhook-duplicate=0.15,webhook-delay=0.15';
/** The campaign's share of overtime: waves added while kills of the day's moments remain. */
const MAX_OVERTIME_WAVES = 12;
/** Discrepancies injected per settlement file: one of each kind `psp settle` knows. */
export const INJECTED_PER_FILE = 6;
const MAX_CHECKS_PER_RUSH = 6;
/** Business days between the PSP's payout and its credit at the simulated bank; the bank runs' window too. */
const BANK_DELAY_DAYS = 1;
const BANK_CLASSES = new Set([
  'payout_not_received',
  'unknown_credit',
  'unknown_debit',
  'bank_fee',
  'balance_mismatch',
]);

/**
 * @param {{ root: string, dir: string, seed: string, kills: number, waves: number, events: number, maxMinutes: number, progress: (text: string) => void }} options
 */
export async function runCampaign(options) {
  const started = Date.now();
  const random = new Random(options.seed);
  const money = await import(path.join(options.root, 'dist', 'money', 'index.js'));
  const discrepancies = [];
  const discrepancy = (text) => {
    discrepancies.push(text);
    options.progress(`DISCREPANCY: ${text}`);
  };
  const files = {
    db: path.join(options.dir, 'books.db'),
    pspState: path.join(options.dir, 'psp.db'),
    record: path.join(options.dir, 'webhook-deliveries.ndjson'),
    log: path.join(options.dir, 'chaos.log'),
  };
  const processes = new Processes({
    bin: path.join(options.root, 'bin', 'payops'),
    cwd: options.dir,
    env: {
      ...process.env,
      NO_COLOR: '1',
      PAYOPS_DB: '',
      PAYOPS_FAILPOINTS: '',
      PAYOPS_WEBHOOK_SECRET: WEBHOOK_SECRET,
    },
    logFile: files.log,
    commandTimeoutMs: 180_000,
  });
  const plan = new KillPlan(options.kills, random.fork('kills'));
  const operator = new Operator({
    processes,
    plan,
    random: random.fork('operator'),
    db: files.db,
    pspState: files.pspState,
    leaseMs: LEASE_MS,
    discrepancy,
    progress: options.progress,
  });
  const books = ['--db', files.db];
  const pspFlags = () => [
    '--psp',
    'http',
    '--psp-url',
    operator.psp.url,
    '--psp-timeout-ms',
    '400',
    '--concurrency',
    '8',
  ];
  const execution = () => [
    ...books,
    ...pspFlags(),
    '--retry-base-ms',
    '20',
    '--retry-cap-ms',
    '300',
    '--max-attempts',
    '60',
    '--batch-size',
    '20',
    '--lease-ms',
    String(LEASE_MS),
  ];
  /** @type {import('./day.mjs').Wave[]} */
  const waves = [];
  const rush = { rounds: 0, maxProcesses: 0, shortBusyTimeouts: 0, shortLeases: 0, liveChecks: 0 };
  const days = new Set([new Date().toISOString().slice(0, 10)]);
  let midDayChecks = 0;

  // Occasions left per category, so the kill budget is spread over the whole day (and over every failpoint first).
  const occasions = {
    payin: options.waves,
    retry: options.waves * 3,
    payout: options.waves * 3,
    refund: options.waves,
    reconcile: 1,
    bank: 1,
  };
  const killsFor = (category, kind = category) => {
    const quota = plan.killsAt(kind, occasions[category] ?? 1);
    occasions[category] = Math.max(1, (occasions[category] ?? 1) - 1);
    return quota;
  };
  /** One command run to its end by the operator, with this category's share of kills. */
  const step = (
    kind,
    category,
    args,
    { accept = [0, 6], inputs = [], kills = killsFor(category, kind) } = {},
  ) => operator.command({ kind, category, args, accept, inputs, kills });
  /** `payin run` of event files (checkouts, deliveries or refunds), resumed after every kill. */
  const payin = (kind, category, inputs, options = {}) =>
    step(kind, category, ['payin', 'run', ...inputs, ...execution()], {
      accept: [0, 3, 6],
      inputs,
      ...options,
    });
  const drain = () => operator.drain({ execution, killsFor });

  /** Runs `work` while disruptions fire at random moments: the PSP killed and restarted, the listener killed. */
  const disrupted = async (
    work,
    { pspRestart = 0.25, listenerKill = 0.35, withinMs = 3_000 } = {},
  ) => {
    const timers = [];
    if (random.chance(pspRestart))
      timers.push(
        setTimeout(
          () =>
            operator
              .restartPsp()
              .catch((error) => discrepancy(`psp serve could not be restarted: ${error.message}`)),
          random.int(100, withinMs),
        ),
      );
    if (random.chance(listenerKill))
      timers.push(setTimeout(() => operator.killListener(), random.int(100, withinMs)));
    try {
      return await work();
    } finally {
      for (const timer of timers) clearTimeout(timer);
      await operator.pspRestarting;
    }
  };

  /**
   * Rush hour: pay-in of a new file, the retry queue and a payout run at once, while the listener
   * applies webhooks: four payops processes on one database (and the PSP server, killed and
   * restarted during the first rush and often later). Now and then one of the three is killed.
   * Some rounds are harsher: the three wait only 20 ms for the database instead of 5 s (the
   * documented "database is locked" error, and the resume after it, happen for real); or their
   * leases (300 ms) are shorter than their work, so live processes recover each other's orders
   * and send them again with the same keys; or a `chargebacks sync` joins them. Meanwhile an
   * operator runs `payops check` again and again: the books must be consistent at every commit.
   */
  const rushHour = (checkouts) =>
    disrupted(
      async () => {
        rush.rounds++;
        const busy = rush.rounds === 2 || random.chance(0.3) ? ['--busy-timeout', '20'] : [];
        const lease = random.chance(0.3) ? ['--lease-ms', '300'] : [];
        if (busy.length > 0) rush.shortBusyTimeouts++;
        if (lease.length > 0) rush.shortLeases++;
        const flags = [...execution(), ...busy, ...lease];
        processes.startPeak();
        // The first rush always loses its pay-in early (a timed kill in every run); later ones, now and then, any of the three.
        const candidates = [0, 1, 2].filter(
          (index) => plan.remaining(['payin', 'retry', 'payout'][index]) > 0,
        );
        const first = rush.rounds === 1 && candidates.includes(0);
        const victim = first
          ? 0
          : candidates.length > 0 && random.chance(0.5)
            ? random.pick(candidates)
            : -1;
        const kill = (index, kind) =>
          index !== victim
            ? {}
            : {
                killAfterMs: first
                  ? random.int(300, 700)
                  : random.int(300, Math.max(600, plan.durations.get(kind) ?? 2_500)),
              };
        let running = true;
        const workers = Promise.all([
          operator.run(['payin', 'run', checkouts, ...flags], kill(0, 'payin')),
          sleep(300).then(() =>
            operator.run(['retry', 'run', '--wait', ...flags], kill(1, 'retry')),
          ),
          sleep(150).then(() =>
            operator.run(['payout', 'run', '--wait', ...flags], kill(2, 'payout')),
          ),
        ]).finally(() => (running = false));
        const chargebacks = random.chance(0.5)
          ? sleep(random.int(200, 1_500)).then(() =>
              operator.run(['chargebacks', 'sync', ...books, ...pspFlags(), ...busy]),
            )
          : undefined;
        const checks = (async () => {
          for (let round = 0; round < MAX_CHECKS_PER_RUSH && running; round++) {
            await sleep(random.int(100, 600));
            const check = await operator.run(
              ['check', ...books, '--psp', 'http', '--psp-state', files.pspState, '--json'],
              {},
              { booksProcess: false },
            );
            rush.liveChecks++;
            // Leases may be expired here (killed processes): that check alone may fail mid-rush.
            const broken = failedChecks(
              check.stdout,
              (name) => name !== 'nothing stuck in executing',
            );
            if (broken) discrepancy(`payops check in the middle of a rush: ${broken}`);
            else if (check.code !== 0 && check.code !== 5)
              discrepancy(
                `payops check in the middle of a rush exited ${check.code}: ${check.stderr.trim().split('\n')[0]}`,
              );
          }
        })();
        const results = await workers;
        ['payin', 'retry', 'payout'].forEach((category, index) => {
          const result = results[index];
          if (result.killedBy) {
            plan.killed(
              category,
              result.args.slice(0, 2).join(' '),
              result.killedBy,
              'in the rush',
            );
            options.progress(
              `kill ${plan.kills.length}: ${result.args.slice(0, 2).join(' ')} in the rush; resuming`,
            );
          } else {
            // A busy error here is resumed by the operator's next steps (the same pay-in, the queues).
            operator.verdict({ args: result.args, accept: [0, 6] }, result);
          }
        });
        if (chargebacks) {
          const result = await chargebacks;
          // 6: a dispute waits for its order's capture or a refund in flight (a later sync books it).
          operator.verdict({ args: result.args, accept: [0, 6] }, result);
        }
        await checks;
        rush.maxProcesses = Math.max(rush.maxProcesses, processes.peak);
      },
      { pspRestart: rush.rounds === 0 ? 1 : 0.5, withinMs: 1_200 },
    );

  try {
    fs.mkdirSync(options.dir, { recursive: true });
    const init = await operator.run(['init', ...books]);
    if (init.code !== 0) throw new Error(`payops init failed: ${init.stderr}`);
    const listener = await operator.startListener([...books, '--record', files.record]);
    await operator.startPsp([
      '--state',
      files.pspState,
      '--seed',
      String(random.int(1, 1_000_000)),
      '--faults',
      PSP_FAULTS,
      '--slow-ms',
      '700',
      '--settle-after-ms',
      '800',
      '--retry-after-s',
      '1',
      '--webhook-url',
      listener.url,
    ]);

    // Part b of a wave is charged in its rush; its deliveries and refunds come with the next wave.
    let carried;
    for (let number = 1; number <= options.waves + MAX_OVERTIME_WAVES; number++) {
      const overtime = number > options.waves;
      const left = plan.remainingTotal() - plan.remaining('reconcile') - plan.remaining('bank');
      if (overtime && left === 0) break;
      if (Date.now() - started > options.maxMinutes * 60_000) {
        discrepancy(
          `the day ran past --max-minutes ${options.maxMinutes} before wave ${number}: ending it there`,
        );
        break;
      }
      if (overtime)
        options.progress(
          `overtime wave ${number}: kills still to place ${JSON.stringify(plan.budget)}`,
        );
      const wave = writeWave({
        root: options.root,
        dir: options.dir,
        wave: number,
        events: options.events,
        random: random.fork(`wave${number}`),
        money,
      });
      waves.push(wave);
      options.progress(`wave ${number}`);
      const both = (field) => [wave.a[field], ...(carried ? [carried[field]] : [])];

      // Morning: a file of checkouts, charged (killed now and then, the PSP restarted under it).
      await disrupted(() => payin('payin', 'payin', [wave.a.checkouts], { accept: [0, 6] }));
      await drain();
      // Half of the deliveries, paid out at once; then refunds, some of orders already paid out
      // (the seller's payable goes negative); then the other half of the deliveries.
      await payin('deliveries', 'payout', both('deliveries1'));
      await disrupted(() => step('payout', 'payout', ['payout', 'run', ...execution()]));
      await drain();
      await disrupted(() => payin('refund', 'refund', both('refunds')));
      await drain();
      await payin('deliveries', 'payout', both('deliveries2'));
      // Afternoon rush: the second file with the retry queue and the payout of those deliveries.
      await rushHour(wave.b.checkouts);
      await payin('payin', 'payin', [wave.b.checkouts], { accept: [0, 6], kills: 0 });
      await drain();
      if (random.chance(0.4))
        await step('chargebacks', 'retry', ['chargebacks', 'sync', ...books, ...pspFlags()], {
          accept: [0, 6],
        });
      await maybeMidDayCheck();
      days.add(new Date().toISOString().slice(0, 10));
      carried = wave.b;
    }

    // End of the day: the last deliveries and refunds, a payout run; the PSP settles its pending
    // charges and decides its disputes; the operator catches up with what webhooks did not bring.
    options.progress(
      'end of the day: last deliveries, refunds and payouts; pending charges and disputes',
    );
    if (carried) {
      await payin('deliveries', 'payout', [carried.deliveries1, carried.deliveries2]);
      await payin('refund', 'refund', [carried.refunds]);
      await drain();
    }
    await step('payout', 'payout', ['payout', 'run', ...execution()]);
    await drain();
    await sleep(1_500); // past --settle-after-ms and a dispute tick of the server
    await drain();
    // Every order is final by now: no dispute may still wait for its order's capture.
    await step('chargebacks', 'retry', ['chargebacks', 'sync', ...books, ...pspFlags()], {
      accept: [0],
    });
    await drain();
    await operator.stopServers();
    await checkBooks(operator, files, discrepancy, 'at the end of the day, before reconciliation');
    days.add(new Date().toISOString().slice(0, 10));
    const reconciliation = await reconcile({
      operator,
      plan,
      random,
      options,
      books,
      files,
      days: [...days].sort(),
      step,
      discrepancy,
    });
    reconciliation.bank = await reconcileBank({
      operator,
      plan,
      options,
      books,
      files,
      days: [...days].sort(),
      step,
      discrepancy,
    });
    const { belowGoal, coverageGoal, byFailpoint } = plan.summary();
    if (options.kills >= FULL_RUN_KILLS && belowGoal.length > 0) {
      discrepancy(
        `the kill plan left failpoints below ${coverageGoal} kills: ${belowGoal.map((name) => `${name} ${byFailpoint[name]}`).join(', ')}`,
      );
    }

    return {
      files,
      waves,
      discrepancies,
      reconciliation,
      figures: {
        seed: options.seed,
        kills: plan.summary(),
        pspRestarts: operator.pspRestarts,
        listenerRestarts: operator.listenerRestarts,
        commands: operator.commands,
        lockedErrorsResumed: operator.lockedErrors,
        rerunAtOnce: operator.rerun,
        pspUnreachableResumed: operator.pspUnreachable,
        rush: {
          rounds: rush.rounds,
          maxPayopsProcessesAtOnce: rush.maxProcesses,
          roundsWithShortBusyTimeout: rush.shortBusyTimeouts,
          roundsWithShortLeases: rush.shortLeases,
          liveChecks: rush.liveChecks,
        },
        midDayChecks,
        seconds: Math.round((Date.now() - started) / 100) / 10,
      },
    };
  } finally {
    await processes.killAll();
  }

  /** Now and then, `payops check` while the listener and the PSP keep working (as from cron). */
  async function maybeMidDayCheck() {
    if (!random.chance(0.5)) return;
    midDayChecks++;
    const result = await operator.run([
      'check',
      ...books,
      '--psp',
      'http',
      '--psp-state',
      files.pspState,
      '--json',
    ]);
    if (result.code !== 0)
      discrepancy(
        `payops check mid-day exited ${result.code}: ${failedChecks(result.stdout) || result.stderr.trim().split('\n')[0]}`,
      );
  }
}

function failedChecks(stdout, counts = () => true) {
  try {
    return JSON.parse(stdout)
      .results.filter((result) => !result.ok && counts(result.name))
      .map((result) => `${result.name}: ${result.details.join('; ')}`)
      .join(' | ');
  } catch {
    return '';
  }
}

/**
 * The PSP's settlement file of every day the run touched, with known discrepancies injected,
 * reconciled with kills; what stays open must be exactly what was injected. Then the operator
 * decides every item, and nothing may stay open.
 */
async function reconcile({
  operator,
  plan,
  random,
  books,
  files,
  days,
  step,
  discrepancy,
  options,
}) {
  const settled = [];
  for (const day of days) {
    const file = path.join(options.dir, `settlement-${day}.csv`);
    const manifestFile = path.join(options.dir, `settlement-${day}.manifest.json`);
    const result = await operator.run([
      'psp',
      'settle',
      ...books,
      '--psp-state',
      files.pspState,
      '--date',
      day,
      '--out',
      file,
      '--inject-discrepancies',
      String(INJECTED_PER_FILE),
      '--seed',
      String(random.int(1, 1_000_000)),
      '--manifest',
      manifestFile,
    ]);
    if (result.code !== 0) {
      discrepancy(`psp settle --date ${day} exited ${result.code}: ${result.stderr.trim()}`);
      continue;
    }
    settled.push({ day, file, manifest: JSON.parse(fs.readFileSync(manifestFile, 'utf8')) });
  }
  // Each kill rolls the whole import back (one file, one transaction): the same file again starts over.
  for (const [index, { file }] of settled.entries()) {
    const kills = Math.ceil(plan.remaining('reconcile') / (settled.length - index));
    await step(
      'reconcile',
      'reconcile',
      [
        'reconcile',
        'run',
        file,
        ...books,
        '--psp',
        'http',
        '--grace-days',
        '0',
        '--non-interactive',
        '--json',
      ],
      { accept: [0, 4], kills },
    );
  }
  const openAfterRuns = await openItems(operator, books, discrepancy);
  // Decide every item: rows as proposed (a capture never settled is written off), then batches.
  for (const pass of ['rows', 'batches']) {
    for (const item of await openItems(operator, books, discrepancy)) {
      if ((item.class === 'batch_total_mismatch') !== (pass === 'batches')) continue;
      const action = item.class === 'missing_external' ? 'write-off' : 'proposed';
      await step(
        'reconcile-decide',
        'reconcile',
        ['reconcile', 'decide', item.itemId, action, ...books],
        { accept: [0], kills: 0 },
      );
    }
  }
  const openAfterDecisions = await openItems(operator, books, discrepancy);
  return { settled, openAfterRuns, openAfterDecisions };
}

/**
 * The bank leg, after the PSP's: the simulated bank's statement of every settlement day (the
 * seller payouts leave, the account charge) and of the day after (the PSP's payout arrives), in
 * camt.053 and MT940 in turn, each run through `payops reconcile bank` with the bank category's
 * kills (SIGKILL at random moments, at bank.after-import and bank.after-posting): one statement is
 * one transaction, so every kill rolls it back and the same file again starts over, until it
 * completes. Nothing is injected into the statements: what stays open is a discrepancy.
 */
async function reconcileBank({ operator, plan, books, files, days, step, discrepancy, options }) {
  const started = Date.now();
  const { arrivalDay } = await import(path.join(options.root, 'dist', 'bank', 'sim', 'index.js'));
  const dates = [...new Set(days.flatMap((day) => [day, arrivalDay(day, BANK_DELAY_DAYS)]))].sort();
  const statements = [];
  for (const [index, date] of dates.entries()) {
    const format = index % 2 === 0 ? 'camt053' : 'mt940';
    const file = path.join(options.dir, `bank-${date}.${format === 'camt053' ? 'xml' : 'sta'}`);
    const manifestFile = path.join(options.dir, `bank-${date}.manifest.json`);
    const result = await operator.run([
      'bank',
      'statement',
      ...books,
      '--psp-state',
      files.pspState,
      '--date',
      date,
      '--format',
      format,
      '--out',
      file,
      '--delay-days',
      String(BANK_DELAY_DAYS),
      '--manifest',
      manifestFile,
    ]);
    if (result.code !== 0) {
      discrepancy(`bank statement --date ${date} exited ${result.code}: ${result.stderr.trim()}`);
      continue;
    }
    statements.push({
      date,
      format,
      file,
      manifest: JSON.parse(fs.readFileSync(manifestFile, 'utf8')),
    });
  }
  for (const [index, { file }] of statements.entries()) {
    const kills = Math.ceil(plan.remaining('bank') / (statements.length - index));
    const result = await step(
      'reconcile-bank',
      'bank',
      [
        'reconcile',
        'bank',
        file,
        ...books,
        '--window-days',
        String(BANK_DELAY_DAYS),
        '--non-interactive',
        '--json',
      ],
      { accept: [0], kills },
    );
    if (result === undefined) discrepancy(`reconcile bank ${path.basename(file)} never completed`);
  }
  const open = (await openItems(operator, books, discrepancy)).filter(
    (item) => item.bank !== undefined || BANK_CLASSES.has(item.class),
  );
  for (const item of open)
    discrepancy(
      `the bank leg left open ${item.class} ${item.itemId}: nothing was injected into the statements`,
    );
  return { statements, open: open.length, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

async function openItems(operator, books, discrepancy) {
  const result = await operator.run(['reconcile', 'review', '--json', ...books]);
  if (![0, 4].includes(result.code ?? -1)) {
    discrepancy(`reconcile review exited ${result.code}: ${result.stderr.trim()}`);
    return [];
  }
  return JSON.parse(result.stdout);
}
