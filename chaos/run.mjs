#!/usr/bin/env node
// The chaos campaign (issue #7): a realistic day through the real binary, SIGKILLs at random
// moments of every flow, four payops processes on one database at once, then every end check.
//   npm run chaos                                   # the full run: --kills 200 --waves 8 --events 150
//   node chaos/run.mjs --seed 7 --kills 20 --waves 2 --events 25 --json   # the short run of `npm test`
// Bounded: every command has a deadline, every loop a limit, and past --max-minutes (60) no new
// wave starts (that is a discrepancy too).
// Seeded: the same seed draws the same day, the same kill plan and the same PSP faults; where a
// timed kill lands also depends on the machine. Exit 0 only when there is no discrepancy.
// Progress goes to stderr, the figures to stdout; the work directory (books, PSP state, inputs,
// chaos.log with every command run) is kept when anything is wrong, or with --keep.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runCampaign } from './campaign.mjs';
import { endChecks } from './checks.mjs';
import { killEveryChild } from './processes.mjs';
import { runRestoreScenario } from './restore.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE =
  'usage: node chaos/run.mjs [--seed S] [--kills N] [--waves N] [--events N] [--max-minutes M] [--dir DIR] [--keep] [--json] [--quiet] [--help]';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    kills: { type: 'string', default: '200' },
    waves: { type: 'string', default: '8' },
    events: { type: 'string', default: '150' },
    'max-minutes': { type: 'string', default: '60' },
    dir: { type: 'string' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(
    `${USAGE}\nA full run (--kills 200 or more) must kill at every failpoint at least 5 times; the report lists the kills per failpoint.`,
  );
  process.exit(0);
}
const wholeNumber = (name, minimum) => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < minimum) {
    console.error(
      `--${name}: "${values[name]}" is not a whole number of at least ${minimum}\n${USAGE}`,
    );
    process.exit(2);
  }
  return value;
};
const options = {
  kills: wholeNumber('kills', 0),
  waves: wholeNumber('waves', 1),
  events: wholeNumber('events', 1),
  maxMinutes: wholeNumber('max-minutes', 1),
};
if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js'))) {
  console.error('dist/ is not built: run `npm run build` first (npm run chaos does)');
  process.exit(2);
}

const dir = values.dir
  ? path.resolve(values.dir)
  : fs.mkdtempSync(path.join(os.tmpdir(), 'payops-chaos-'));
fs.mkdirSync(dir, { recursive: true });
const progress = (text) => {
  if (!values.quiet) process.stderr.write(`chaos: ${text}\n`);
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killEveryChild();
    console.error(
      `chaos: ${signal}: every payops process it started was killed; work directory kept: ${dir}`,
    );
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}
progress(
  `seed ${values.seed}, ${options.kills} kills, ${options.waves} waves of ${options.events} checkouts; work in ${dir}`,
);

let campaign;
let checks;
let restore;
try {
  campaign = await runCampaign({ root: ROOT, dir, seed: values.seed, ...options, progress });
  progress('end checks');
  const money = await import(path.join(ROOT, 'dist', 'money', 'index.js'));
  const { Operator } = await import('./operator.mjs');
  const { Processes } = await import('./processes.mjs');
  const { WEBHOOK_SECRET } = await import('./campaign.mjs');
  const processes = new Processes({
    bin: path.join(ROOT, 'bin', 'payops'),
    cwd: dir,
    logFile: path.join(dir, 'checks.log'),
    commandTimeoutMs: 600_000,
    env: {
      ...process.env,
      NO_COLOR: '1',
      PAYOPS_DB: '',
      PAYOPS_FAILPOINTS: '',
      PAYOPS_WEBHOOK_SECRET: WEBHOOK_SECRET,
    },
  });
  checks = await endChecks({ operator: new Operator({ processes }), campaign, money });
  restore = await runRestoreScenario({
    root: ROOT,
    dir,
    seed: values.seed,
    events: Math.min(options.events, 50),
    progress,
  });
} catch (error) {
  console.error(
    `chaos: the campaign itself failed: ${error.stack ?? error}\nchaos: work directory kept: ${dir}`,
  );
  process.exit(1);
}

const discrepancies = [
  ...campaign.discrepancies,
  ...checks.discrepancies,
  ...restore.discrepancies,
];
const report = {
  ...campaign.figures,
  ...checks.figures,
  ...restore.figures,
  discrepancies: discrepancies.length,
  discrepancyList: discrepancies,
  command: `node chaos/run.mjs --seed ${values.seed} --kills ${options.kills} --waves ${options.waves} --events ${options.events}`,
  machine: `${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} at the end, Node ${process.version}`,
};
process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : render(report));
const keep = values.keep || discrepancies.length > 0 || values.dir;
if (keep) progress(`work directory kept: ${dir} (chaos.log lists every command)`);
else fs.rmSync(dir, { recursive: true, force: true });
process.exit(discrepancies.length > 0 ? 1 : 0);

function render(report) {
  const kills = report.kills;
  const lines = [
    `chaos run, seed ${report.seed}: ${report.seconds} s`,
    `kills survived   ${kills.survived} of ${kills.requested} requested (${Object.entries(
      kills.byCategory,
    )
      .map(([category, n]) => `${category} ${n}`)
      .join(', ')}; ` +
      `failpoints ${kills.byMethod.failpoint}, timed ${kills.byMethod.timer}; ${kills.missed} aimed kills missed: the command finished first)`,
    `failpoints       ${Object.entries(kills.byFailpoint)
      .map(([name, n]) => `${name} ${n}`)
      .join(', ')}` +
      (kills.coverageGoal === 0
        ? ' (a short run: no coverage goal)'
        : kills.belowGoal.length > 0
          ? ` (below ${kills.coverageGoal}: ${kills.belowGoal.join(', ')})`
          : ` (each at least ${kills.coverageGoal} times)`),
    `rerun at once    ${report.rerunAtOnce.afterKill} commands run again straight after a kill found ${report.rerunAtOnce.leftExecuting} rows left executing by the killed run; recovered at once ${report.rerunAtOnce.recoveredAtOnce}`,
    `servers          psp serve killed and restarted ${report.pspRestarts} times; webhooks listen restarted ${report.listenerRestarts} times`,
    `concurrency      ${report.rush.rounds} rush rounds (${report.rush.roundsWithShortBusyTimeout} with --busy-timeout 20, ${report.rush.roundsWithShortLeases} with --lease-ms 300), up to ${report.rush.maxPayopsProcessesAtOnce} payops processes on the books at once; ` +
      `${report.lockedErrorsResumed} "database is locked" errors, each resumed`,
    `commands         ${report.commands} payops commands; \`payops check\` ${report.midDayChecks} times between waves and ${report.rush.liveChecks} times in the middle of a rush`,
    `orders           ${report.orders.total} (${report.orders.succeeded} succeeded, ${report.orders.failed} failed, ${report.orders.released} released); ${report.refunds} refunds, ${report.payouts} payouts, ${report.chargebacks} chargebacks`,
    'money moved',
    ...Object.entries(report.moneyMoved).map(
      ([currency, sums]) =>
        `  ${currency}  ${Object.entries(sums)
          .map(([field, amount]) => `${field} ${amount}`)
          .join(', ')}`,
    ),
    `webhooks         ${Object.entries(report.webhooks)
      .map(([outcome, n]) => `${outcome} ${n}`)
      .join(', ')}`,
    `reconciliation   ${report.reconciliation.files} settlement files, ${report.reconciliation.injected} discrepancies injected; open after the runs ${report.reconciliation.openAfterRuns} ` +
      `(${report.reconciliation.explainedByInjection} explained by the injections); open after decisions ${report.reconciliation.openAfterDecisions}`,
    `bank leg         ${report.bank.statements} statements (${report.bank.formats.join(', ')}) in ${report.bank.runs} runs, one per file; ${report.bank.sellerPayoutsMatched} seller payouts and ${report.bank.pspPayoutsMatched} PSP payouts matched once; open after the runs ${report.bank.openAfterRuns}; ${report.bank.seconds} s`,
    `restore          a backup restored a day later, the same files run again: ${report.restore.checkouts} checkouts, ${report.restore.doubleChargesOrPayouts} double charges or payouts`,
    `discrepancies    ${report.discrepancies}`,
    ...report.discrepancyList.map((text) => `  - ${text}`),
    `command          ${report.command}`,
    `machine          ${report.machine}`,
  ];
  return `${lines.join('\n')}\n`;
}
