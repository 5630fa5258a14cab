// Pay-in stage: generate N checkout events (one order each), run `payops payin run` with the sim
// PSP (no faults) on a fresh database with full durability, and report orders/s and the peak RSS
// of the payops process; then, in the same run, its baseline: the floor of its own rows (the rows
// that run wrote, replayed through the same statements and transactions into a fresh book, with no
// application code: payin-floor.mjs); then bare better-sqlite3 inserting one plain row per order;
// then `payops check` on the book. Targets: ≥ 20,000 orders/s, < 400 MB.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BIN,
  GENERATE_EVENTS,
  ROOT,
  loadAverage,
  measureNode,
  round,
  runNode,
} from './measure.mjs';

export const PAYIN_TARGET = { perSecond: 20_000, peakRssMb: 400 };

/** One `payops payin run` of N one-order checkouts on a fresh book; used by the scaling stage too. */
export function runPayin({ n, dir, log, profile }) {
  const events = path.join(dir, 'events.ndjson');
  log(`pay-in: generating ${n} events`);
  runNode([
    GENERATE_EVENTS,
    '--events',
    String(n),
    '--max-orders',
    '1',
    '--sellers',
    '1000',
    '--seed',
    '1',
    '--out',
    events,
  ]);
  const db = path.join(dir, 'bench.db');
  runNode([BIN, 'init', '--db', db]);
  log(`pay-in: payops payin run (${n} orders, sim PSP, no faults)`);
  const run = measureNode([BIN, 'payin', 'run', events, '--db', db, '--json'], { profile });
  const summary = JSON.parse(run.stdout);
  if (summary.orders.accepted !== n || summary.orders.attempted !== n)
    throw new Error(`expected ${n} orders, got ${JSON.stringify(summary.orders)}`);
  fs.rmSync(events);
  return {
    db,
    seconds: run.seconds,
    peakRssMb: run.peakRssMb,
    dbMb: round(fs.statSync(db).size / 1_048_576),
  };
}

// What changes of design would be worth, measured on the floor (no code written for them).
const DESIGN_CUTS = [
  '--fold-fee',
  '--drop-index',
  'ledger_entries_by_tx',
  '--drop-index',
  'order_transitions_by_order',
];
const FLOOR_VARIANTS = [
  {
    what: 'with the PSP fee in the capture transaction and without the entries-by-transaction and transitions-by-order indexes',
    flags: DESIGN_CUTS,
  },
  {
    what: 'with those cuts and without the entries-by-account-time index too (as-of balances and history would scan)',
    flags: [...DESIGN_CUTS, '--drop-index', 'ledger_entries_by_account_time'],
  },
  {
    what: 'with its rows prepared on a second thread and handed over serialized, their deserializing timed (what a payops doing all its own work on the other core would still pay on the writing one)',
    flags: ['--rows-via-worker'],
  },
];

/** Replays the run's rows into a fresh book (payin-floor.mjs); only its write transactions are timed. */
function replayFloor(book, dir, flags) {
  const target = path.join(dir, 'floor.db');
  try {
    return JSON.parse(
      measureNode([
        path.join(ROOT, 'bench', 'stages', 'payin-floor.mjs'),
        book,
        target,
        BIN,
        ...flags,
      ]).stdout,
    );
  } finally {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${target}${suffix}`, { force: true });
  }
}

export default async function payinStage({ quick, orders, log }) {
  const n = orders ?? (quick ? 20_000 : 1_000_000);
  const load = [loadAverage()];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payops-bench-payin-'));
  try {
    const run = runPayin({ n, dir, log, profile: 'payin-run' });

    log(
      'pay-in: the floor of its rows (the same rows, statements and transactions, no application code)',
    );
    const floor = replayFloor(run.db, dir, []);
    const designCuts = FLOOR_VARIANTS.map(({ what, flags }) => {
      log(`pay-in: the floor ${what}`);
      const replay = replayFloor(run.db, dir, flags);
      return {
        what,
        seconds: round(replay.seconds),
        perSecond: Math.round(n / replay.seconds),
        ...(replay.deserializeSeconds === undefined
          ? {}
          : { deserializeSeconds: round(replay.deserializeSeconds) }),
      };
    });

    log('pay-in: bare better-sqlite3 (one plain row per order, same pragmas)');
    const plain = measureNode([
      path.join(ROOT, 'bench', 'stages', 'payin-baseline.mjs'),
      String(n),
      path.join(dir, 'baseline.db'),
    ]);

    log('pay-in: payops check');
    const check = measureNode([BIN, 'check', '--db', run.db, '--json'], { profile: 'payin-check' });
    if (!JSON.parse(check.stdout).ok)
      throw new Error('payops check failed after the benchmark run');
    load.push(loadAverage());

    const perSecond = Math.round(n / run.seconds);
    const floorPerSecond = Math.round(n / floor.seconds);
    return {
      stage: 'payin',
      n,
      seconds: round(run.seconds),
      perSecond,
      peakRssMb: run.peakRssMb,
      dbMb: run.dbMb,
      baseline: {
        what: "the floor of payops' rows: the rows this run wrote, through the same statements and transactions into a fresh book (same schema, indexes, triggers, pragmas), no application code; write transactions timed",
        seconds: round(floor.seconds),
        perSecond: floorPerSecond,
        meetsTarget: floorPerSecond >= PAYIN_TARGET.perSecond,
      },
      ratio: round(perSecond / floorPerSecond, 3),
      floorWithDesignCuts: designCuts,
      plainInsert: {
        what: 'bare better-sqlite3, one INSERT per order, no indexes, WAL + synchronous=FULL, 4,000 per transaction',
        seconds: round(plain.seconds),
        perSecond: Math.round(n / plain.seconds),
      },
      check: { seconds: round(check.seconds), peakRssMb: check.peakRssMb },
      target: PAYIN_TARGET,
      meets: {
        perSecond: perSecond >= PAYIN_TARGET.perSecond,
        peakRssMb: run.peakRssMb !== null && run.peakRssMb < PAYIN_TARGET.peakRssMb,
      },
      load,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
