// Payout stage: N sellers, each with one captured and delivered order (a payable balance), then
// `payops payout run`: one payout per seller through the sim payout PSP, with the pay-in protocol
// (claim under a lease, PSP call, status + posting + wallet in one transaction). Timed as the
// whole CLI process; `payops check` proves the run. Target: < 10 s for 100,000 sellers.
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

export default async function payoutStage({ quick, sellers, log }) {
  const n = sellers ?? (quick ? 5_000 : 100_000);
  const load = [loadAverage()];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payops-bench-payout-'));
  try {
    const events = path.join(dir, 'checkouts.ndjson');
    const deliveries = path.join(dir, 'deliveries.ndjson');
    const db = path.join(dir, 'bench.db');
    log(`payout: ${n} sellers, one captured and delivered order each (setup)`);
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
    // A release applies to an order captured by an earlier run.
    runNode([BIN, 'payin', 'run', events, '--db', db, '--json']);
    runNode([BIN, 'payin', 'run', deliveries, '--db', db, '--json']);

    log(`payout: payops payout run (${n} sellers, sim payout PSP, no faults)`);
    const run = measureNode([BIN, 'payout', 'run', '--db', db, '--json'], {
      profile: 'payout-run',
    });
    const summary = JSON.parse(run.stdout);
    const paid = summary.execution?.succeeded;
    if (paid !== n)
      throw new Error(`expected ${n} payouts sent, got ${JSON.stringify(summary.execution)}`);

    log('payout: payops check');
    const check = measureNode([BIN, 'check', '--db', db, '--json']);
    if (!JSON.parse(check.stdout).ok) throw new Error('payops check failed after the payout run');
    load.push(loadAverage());
    return {
      stage: 'payout',
      n,
      seconds: round(run.seconds),
      perSecond: Math.round(n / run.seconds),
      peakRssMb: run.peakRssMb,
      check: { seconds: round(check.seconds), peakRssMb: check.peakRssMb },
      target: { seconds: 10 },
      meets: { seconds: run.seconds < 10 },
      load,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
