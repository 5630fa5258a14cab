// Bank statement stage (issue 16): a camt.053 of N seller payouts (N debits and the day's account
// charge) matched against those payouts. Seeded (not measured) as the payout stage does, through
// the real CLI: N sellers with one captured and delivered order each, then `payops payout run`.
// Then the simulated bank writes the day's statement (`payops bank statement`, timed on its own),
// and the measured work is the real `payops reconcile bank` process: its wall time and its own
// peak RSS. Every payout must be matched and nothing left open; then the same file again
// (recognised by its bytes) and `payops check`. Target: < 5 s and < 300 MB for 100,000 entries.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import {
  BIN,
  GENERATE_EVENTS,
  ROOT,
  loadAverage,
  measureNode,
  round,
  runNode,
} from './measure.mjs';

const TARGET = { seconds: 5, peakRssMb: 300 };

export default async function bankStage({ quick, sellers, log }) {
  const n = sellers ?? (quick ? 5_000 : 100_000);
  const load = [loadAverage()];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payops-bench-bank-'));
  try {
    const db = path.join(dir, 'bench.db');
    seedPayouts({ n, dir, db, log });
    const day = new Date().toISOString().slice(0, 10);
    const file = path.join(dir, `statement-${day}.xml`);

    log(
      `bank: payops bank statement --date ${day} --format camt053 (${n} debits and the account charge)`,
    );
    const statement = measureNode(
      [BIN, 'bank', 'statement', '--date', day, '--format', 'camt053', '--out', file, '--db', db],
      { profile: 'bank-statement' },
    );

    log(`bank: payops reconcile bank (${n} entries against ${n} payouts)`);
    const run = measureNode(
      [BIN, 'reconcile', 'bank', file, '--db', db, '--non-interactive', '--json'],
      { profile: 'reconcile-bank' },
    );
    const matched = matchedPayouts(db);
    const summary = JSON.parse(run.stdout);
    const open = openItems(db);
    if (
      matched !== n ||
      open !== 0 ||
      summary.openCount !== 0 ||
      summary.runs[0]?.status !== 'reconciled'
    )
      throw new Error(
        `expected ${n} payouts matched and nothing open, got ${matched} matched and ${open} open: ${run.stdout.slice(0, 2000)}`,
      );

    log('bank: the same statement again (recognised by its bytes; nothing changes)');
    const again = measureNode([
      BIN,
      'reconcile',
      'bank',
      file,
      '--db',
      db,
      '--non-interactive',
      '--json',
    ]);
    if (matchedPayouts(db) !== n || JSON.parse(again.stdout).runs[0]?.status !== 'already_imported')
      throw new Error(`the second import was not recognised: ${again.stdout.slice(0, 1000)}`);

    log('bank: payops check');
    const check = measureNode([BIN, 'check', '--db', db, '--json']);
    if (!JSON.parse(check.stdout).ok)
      throw new Error(
        `payops check failed after the bank reconciliation: ${check.stdout.slice(0, 2000)}`,
      );
    load.push(loadAverage());
    const entries = n + 1;
    return {
      stage: 'bank',
      n,
      entries,
      seconds: round(run.seconds),
      entriesPerSecond: Math.round(entries / run.seconds),
      peakRssMb: run.peakRssMb,
      target: TARGET,
      meets: {
        seconds: run.seconds < TARGET.seconds,
        peakRssMb: run.peakRssMb !== null && run.peakRssMb < TARGET.peakRssMb,
      },
      fileMb: round(fs.statSync(file).size / 2 ** 20, 1),
      statement: { seconds: round(statement.seconds), peakRssMb: statement.peakRssMb },
      again: { seconds: round(again.seconds), peakRssMb: again.peakRssMb },
      check: { seconds: round(check.seconds), peakRssMb: check.peakRssMb },
      load,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** N sellers with one captured and delivered order each, paid out by the sim payout PSP (not measured). */
function seedPayouts({ n, dir, db, log }) {
  const events = path.join(dir, 'checkouts.ndjson');
  const deliveries = path.join(dir, 'deliveries.ndjson');
  log(`bank: ${n} sellers, one captured and delivered order each, paid out (setup, not measured)`);
  runNode([
    GENERATE_EVENTS,
    '--events',
    String(n),
    '--max-orders',
    '1',
    '--sellers',
    String(n),
    '--sellers-in-turn',
    '--no-declines',
    '--seed',
    '2',
    '--out',
    events,
  ]);
  runNode([
    path.join(ROOT, 'scripts', 'generate-deliveries.mjs'),
    '--events',
    events,
    '--every',
    '1',
    '--out',
    deliveries,
  ]);
  runNode([BIN, 'init', '--db', db]);
  runNode([BIN, 'payin', 'run', events, '--db', db, '--json']);
  runNode([BIN, 'payin', 'run', deliveries, '--db', db, '--json']);
  const paid = JSON.parse(runNode([BIN, 'payout', 'run', '--db', db, '--json'])).execution
    ?.succeeded;
  if (paid !== n) throw new Error(`expected ${n} payouts sent, got ${paid}`);
}

/** Seller payouts with their `bank` match, read from the books (the run's JSON is the match helper's to shape). */
function matchedPayouts(db) {
  return count(
    db,
    "SELECT COUNT(DISTINCT payout_ref) AS n FROM bank_matches WHERE payout_kind = 'seller_payout' AND part = 'bank'",
  );
}

function openItems(db) {
  return count(db, "SELECT COUNT(*) AS n FROM recon_items WHERE psp = 'bank' AND status = 'open'");
}

function count(file, sql) {
  const db = new Sqlite(file, { readonly: true, fileMustExist: true });
  try {
    return Number(db.prepare(sql).get().n);
  } finally {
    db.close();
  }
}
