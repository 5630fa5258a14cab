import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

interface ChaosReport {
  discrepancies: number;
  discrepancyList: string[];
  kills: {
    requested: number;
    survived: number;
    byCategory: Record<string, number>;
    byMethod: { failpoint: number; timer: number };
  };
  pspRestarts: number;
  rush: { rounds: number; maxPayopsProcessesAtOnce: number };
  orders: { total: number; succeeded: number; failed: number; released: number };
  refunds: number;
  payouts: number;
  reconciliation: {
    files: number;
    injected: number;
    openAfterRuns: number;
    explainedByInjection: number;
    openAfterDecisions: number;
  };
  bank: {
    statements: number;
    formats: string[];
    runs: number;
    sellerPayoutsMatched: number;
    pspPayoutsMatched: number;
    openAfterRuns: number;
  };
}

/** Runs the chaos harness (chaos/run.mjs) on the built binary and returns its exit code and report. */
function chaos(
  args: string[],
): Promise<{ code: number | null; report: ChaosReport; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(REPO_ROOT, 'chaos', 'run.mjs'), ...args, '--json'],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => {
      try {
        resolve({ code, report: JSON.parse(stdout) as ChaosReport, stderr });
      } catch {
        reject(
          new Error(`the chaos harness printed no report (exit ${code}):\n${stderr.slice(-4000)}`),
        );
      }
    });
  });
}

// The short form of `npm run chaos`: a small day, one seed, ~20 SIGKILLs spread over every flow,
// rush rounds with four payops processes on one database, the PSP server killed and restarted,
// then the PSP's settlement and the simulated bank's statements reconciled under kills.
describe('the chaos campaign, short', () => {
  it('survives SIGKILLs at random moments of every flow and four processes at once, with no discrepancy', async () => {
    const { code, report, stderr } = await chaos([
      '--seed',
      '7',
      '--kills',
      '20',
      '--waves',
      '2',
      '--events',
      '25',
      '--quiet',
    ]);
    expect(report.discrepancyList, stderr.slice(-2000)).toEqual([]);
    expect(code).toBe(0);
    expect(report.kills.survived).toBeGreaterThanOrEqual(20);
    for (const category of ['payin', 'retry', 'payout', 'refund', 'webhook', 'reconcile', 'bank'])
      expect(report.kills.byCategory[category], category).toBeGreaterThan(0);
    expect(report.kills.byMethod.failpoint).toBeGreaterThan(0);
    expect(report.kills.byMethod.timer).toBeGreaterThan(0);
    expect(report.pspRestarts).toBeGreaterThan(0);
    expect(report.rush.rounds).toBeGreaterThanOrEqual(2);
    expect(report.rush.maxPayopsProcessesAtOnce).toBeGreaterThanOrEqual(4);
    expect(report.orders.succeeded).toBeGreaterThan(0);
    expect(report.orders.released).toBeGreaterThan(0);
    expect(report.refunds).toBeGreaterThan(0);
    expect(report.payouts).toBeGreaterThan(0);
    expect(report.reconciliation.injected).toBeGreaterThan(0);
    expect(report.reconciliation.explainedByInjection).toBe(report.reconciliation.openAfterRuns);
    expect(report.reconciliation.openAfterDecisions).toBe(0);
    // The bank leg: the settlement day's statement and the arrival day's, in both formats, each imported once.
    expect(report.bank.statements).toBeGreaterThanOrEqual(2);
    expect(report.bank.formats).toEqual(['camt053', 'mt940']);
    expect(report.bank.runs).toBe(report.bank.statements);
    expect(report.bank.sellerPayoutsMatched).toBe(report.payouts);
    expect(report.bank.pspPayoutsMatched).toBeGreaterThan(0);
    expect(report.bank.openAfterRuns).toBe(0);
  }, 170_000);
});
