// The restore-from-backup scenario of the chaos run (issue 14 item 1): an operator restores a copy
// of the books taken before some pay-in, refunds and payouts, a day passes (the PSP forgets its
// idempotency keys after 24 h), and the same event files are run again in the same order. payops
// must find the book behind its high-water mark and look every send up at the PSP first:
// `payops check` against the PSP's own record then finds no order charged twice and no payout or
// refund sent twice. Runs on its own books in `<dir>/restore`, through the real binary.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeWave } from './day.mjs';
import { Random } from './random.mjs';

const DAY_AND_AN_HOUR_MS = 25 * 60 * 60 * 1000;
const COMMAND_TIMEOUT_MS = 600_000;

/**
 * @param {{ root: string, dir: string, seed: string, events: number, progress?: (text: string) => void }} options
 * @returns {Promise<{ figures: { restore: object }, discrepancies: string[] }>}
 */
export async function runRestoreScenario({ root, dir, seed, events, progress = () => {} }) {
  const work = path.join(dir, 'restore');
  fs.mkdirSync(work, { recursive: true });
  const books = path.join(work, 'books.db');
  const backup = path.join(work, 'backup.db');
  const log = path.join(work, 'restore.log');
  const money = await import(path.join(root, 'dist', 'money', 'index.js'));
  const wave = writeWave({
    root,
    dir: work,
    wave: 1,
    events,
    random: new Random(`${seed}:restore`),
    money,
  });
  const discrepancies = [];
  const payops = (args, env = {}) => {
    const result = spawnSync(
      process.execPath,
      [path.join(root, 'bin', 'payops'), ...args, '--db', books],
      {
        encoding: 'utf8',
        timeout: COMMAND_TIMEOUT_MS,
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: '1', PAYOPS_DB: '', PAYOPS_FAILPOINTS: '', ...env },
      },
    );
    fs.appendFileSync(
      log,
      `payops ${args.join(' ')}${env.PAYOPS_TEST_CLOCK_OFFSET_MS ? ' (clock +25 h)' : ''} -> ${result.status ?? result.signal}\n${result.stderr}`,
    );
    // 0, or 3 (some refunds refused: an order declined or already refunded) and 6 (retries left) are outcomes of the day, not of the scenario.
    if (![0, 3, 6].includes(result.status ?? -1))
      discrepancies.push(
        `restore: payops ${args.join(' ')} exited ${result.status ?? result.signal}: ${result.stderr.trim().split('\n').pop()}`,
      );
    return result;
  };
  // What runs after the backup, then again after the restore: the same files, in the same order.
  const afterBackup = (env) => [
    payops(['payin', 'run', wave.b.checkouts], env),
    payops(['payin', 'run', wave.a.deliveries1], env),
    payops(['payin', 'run', wave.b.deliveries1], env),
    payops(['payout', 'run'], env),
    payops(['payin', 'run', wave.a.refunds], env),
    payops(['payin', 'run', wave.b.refunds], env),
  ];

  progress('restore: pay-in, a backup, more pay-in, refunds and payouts');
  payops(['init']);
  payops(['payin', 'run', wave.a.checkouts]);
  copyBooks(books, backup);
  afterBackup({});
  const before = checkJson(payops(['check', '--json']));

  progress('restore: the backup restored, the clock 25 h later, the same files again');
  restoreBooks(backup, books);
  const later = { PAYOPS_TEST_CLOCK_OFFSET_MS: String(DAY_AND_AN_HOUR_MS) };
  const rerun = afterBackup(later);
  const behindSaid = rerun.some((result) => result.stderr.includes('the book is behind its mark'));
  if (!behindSaid)
    discrepancies.push('restore: no command said that the restored book is behind its mark');
  const after = checkJson(payops(['check', '--json'], later));
  const doubles = after.problems.filter((line) => /charged \d+ times|sent \d+ times/.test(line));
  for (const problem of after.problems)
    discrepancies.push(`restore: check after the rerun: ${problem}`);
  for (const problem of before.problems)
    discrepancies.push(`restore: check before the restore: ${problem}`);
  return {
    figures: {
      restore: {
        checkouts: events * 2,
        behindSaid,
        doubleChargesOrPayouts: doubles.length,
        checkProblems: after.problems.length,
      },
    },
    discrepancies,
  };
}

/** The books' file alone: the process that wrote it has exited, so its WAL is in the file. */
function copyBooks(books, backup) {
  if (fs.existsSync(`${books}-wal`) && fs.statSync(`${books}-wal`).size > 0)
    throw new Error(`restore: ${books}-wal is not empty: the backup would miss commits`);
  fs.copyFileSync(books, backup);
}

function restoreBooks(backup, books) {
  for (const suffix of ['-wal', '-shm']) fs.rmSync(`${books}${suffix}`, { force: true });
  fs.copyFileSync(backup, books);
}

function checkJson(result) {
  try {
    const report = JSON.parse(result.stdout);
    return {
      problems: report.results
        .filter((check) => !check.ok)
        .flatMap((check) => check.details.map((detail) => `${check.name}: ${detail}`)),
    };
  } catch {
    return {
      problems: [`payops check printed no report (exit ${result.status}): ${result.stderr.trim()}`],
    };
  }
}
