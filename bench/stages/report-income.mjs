// Report-income stage: a book of N orders (1,000,000 in full mode) written by the real pipeline,
// `payops payin run` with the sim PSP, in 12 runs a month apart (the binary's clock moved back with
// PAYOPS_TEST_CLOCK_OFFSET_MS, so captures, fees and revenue fall in 12 calendar months); then
// `payops report income --period monthly` and `payops report balance-sheet --period monthly`
// timed as whole CLI processes (Node start-up included), median of 5. Target: < 1 s for the income
// statement on 1,000,000 orders. docs/REPORTS.md records the figure.
import fs from 'node:fs';
import Sqlite from 'better-sqlite3';
import os from 'node:os';
import path from 'node:path';
import {
  BIN,
  GENERATE_EVENTS,
  loadAverage,
  measureNode,
  median,
  round,
  runNode,
} from './measure.mjs';

const MONTHS = 12;
const DAY_MS = 86_400_000;

export const REPORT_TARGET_SECONDS = 1;

export default async function reportIncomeStage({ quick, orders, log }) {
  const n = orders ?? (quick ? 24_000 : 1_000_000);
  const load = [loadAverage()];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payops-bench-report-'));
  try {
    const db = path.join(dir, 'bench.db');
    runNode([BIN, 'init', '--db', db]);
    const perMonth = Math.ceil(n / MONTHS);
    let buildSeconds = 0;
    for (let month = 0; month < MONTHS; month++) {
      const count = Math.min(perMonth, n - month * perMonth);
      if (count <= 0) break;
      const events = path.join(dir, `events-${month}.ndjson`);
      runNode([
        GENERATE_EVENTS,
        '--events',
        String(count),
        '--max-orders',
        '1',
        '--sellers',
        '1000',
        '--seed',
        String(month + 1),
        '--prefix',
        `m${month}_`,
        '--out',
        events,
      ]);
      // 30 days per step: month 0 is eleven steps back, the last run is today.
      const offsetMs = -(MONTHS - 1 - month) * 30 * DAY_MS;
      log(
        `report-income: payin run ${month + 1}/${MONTHS} (${count} orders, clock ${offsetMs / DAY_MS} days)`,
      );
      const run = measureNode([BIN, 'payin', 'run', events, '--db', db, '--json'], {
        env: { PAYOPS_TEST_CLOCK_OFFSET_MS: String(offsetMs) },
      });
      buildSeconds += run.seconds;
      fs.rmSync(events);
    }
    const counts = JSON.parse(measureNode([BIN, 'ledger', 'verify', '--json', '--db', db]).stdout);
    // Backdated entries are the ones a past balance adds one by one (src/reports/period-balances.ts).
    const book = new Sqlite(db, { readonly: true });
    const backdatedEntries = book
      .prepare('SELECT COUNT(*) FROM ledger_entries WHERE backdated = 1')
      .pluck()
      .get();
    book.close();
    log('report-income: payops report income --period monthly, whole CLI process, median of 5');
    const timed = (args) =>
      median(
        Array.from({ length: 5 }, () => measureNode([BIN, 'report', ...args, '--db', db]).seconds),
      );
    const income = timed(['income', '--period', 'monthly']);
    const incomeBounded = timed([
      'income',
      '--period',
      'monthly',
      '-b',
      '2026-01-01',
      '-e',
      '2027-01-01',
    ]);
    const balanceSheet = timed(['balance-sheet', '--period', 'monthly']);
    const sample = measureNode([BIN, 'report', 'income', '--period', 'monthly', '--db', db]).stdout;
    load.push(loadAverage());
    return {
      stage: 'report-income',
      n,
      seconds: round(income, 3),
      perSecond: null,
      target: `report income --period monthly < ${REPORT_TARGET_SECONDS} s on ${n} orders`,
      meetsTarget: income < REPORT_TARGET_SECONDS,
      incomeBoundedSeconds: round(incomeBounded, 3),
      balanceSheetSeconds: round(balanceSheet, 3),
      bookBuildSeconds: round(buildSeconds, 1),
      ordersPerSecond: round(n / buildSeconds, 0),
      transactions: counts.transactionsChecked,
      entries: counts.entriesChecked,
      accounts: counts.accountsChecked,
      backdatedEntries,
      dbMb: round(fs.statSync(db).size / 1_048_576),
      columns: sample.split('\n')[1]?.trim().split(/\s+/).length - 3,
      loadAverage: load,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
