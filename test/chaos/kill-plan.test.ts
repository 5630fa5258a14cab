import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// biome-ignore format: @ts-expect-error covers one line, so the import stays on one
// @ts-expect-error: the chaos harness is plain JavaScript (ES modules without types)
import { ALL_FAILPOINTS, FAILPOINTS, KillPlan, MIN_KILLS_PER_FAILPOINT } from '../../chaos/kill-plan.mjs';
// @ts-expect-error: the chaos harness is plain JavaScript
import { Random } from '../../chaos/random.mjs';
import { REPO_ROOT } from '../helpers/cli.js';

function failpointsInSource(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return failpointsInSource(file);
    return [...fs.readFileSync(file, 'utf8').matchAll(/\bfailpoint\('([a-z.-]+)'\)/g)].map(
      (match) => match[1] as string,
    );
  });
}

/**
 * Issue 14: a 200-kill run with --seed 9 killed 41 times at intake.after-batch and never at
 * payout.before-record-commit. The plan now covers every failpoint at least 5 times first.
 */
describe('the chaos kill plan', () => {
  it('knows every failpoint of src/', () => {
    expect(ALL_FAILPOINTS).toEqual(
      [...new Set(failpointsInSource(path.join(REPO_ROOT, 'src')))].sort(),
    );
  });

  it('aims at the least-covered failpoint a command passes until each has its kills, in a full run', () => {
    const plan = new KillPlan(200, new Random('9'));
    const work = { charges: 100, refunds: 40, payouts: 40 };
    for (let round = 0; round < 40; round++) {
      for (const kind of Object.keys(FAILPOINTS)) {
        const armed = plan.arm(kind, work) as { failpoint?: string };
        if (armed.failpoint) plan.killed(kind, kind, 'failpoint', armed.failpoint);
      }
    }
    const { byFailpoint, belowGoal } = plan.summary() as {
      byFailpoint: Record<string, number>;
      belowGoal: string[];
    };
    expect(belowGoal).toEqual([]);
    for (const name of ALL_FAILPOINTS as string[])
      expect(byFailpoint[name], name).toBeGreaterThanOrEqual(MIN_KILLS_PER_FAILPOINT);
  });

  it('keeps a category budget for its uncovered failpoints: a delivery run cannot reach the payout ones and gets no kill', () => {
    const plan = new KillPlan(200, new Random('9'));
    for (let kill = 0; kill < MIN_KILLS_PER_FAILPOINT; kill++)
      plan.killed('payout', 'payin run', 'failpoint', 'intake.after-batch=1');
    while (plan.remaining('payout') > 15)
      plan.killed('payout', 'payin run', 'timer', 'after 300 ms');
    expect(plan.killsAt('deliveries', 10)).toBe(0); // 15 left, 3 payout failpoints × 5 still wanted
    expect(plan.killsAt('payout', 10)).toBeGreaterThanOrEqual(MIN_KILLS_PER_FAILPOINT);
  });

  it('gives the bank leg its own budget: its two failpoints first, then SIGKILLs at random moments of the run', () => {
    const plan = new KillPlan(200, new Random('3'));
    expect(FAILPOINTS['reconcile-bank'].map(([name]: [string]) => name)).toEqual([
      'bank.after-import',
      'bank.after-posting',
    ]);
    expect(plan.remaining('bank')).toBeGreaterThan(2 * MIN_KILLS_PER_FAILPOINT);
    for (let kill = 0; kill < 2 * MIN_KILLS_PER_FAILPOINT; kill++) {
      const armed = plan.arm('reconcile-bank') as { failpoint?: string };
      expect(armed.failpoint).toMatch(/^bank\.after-(import|posting)=1$/);
      plan.killed('bank', 'reconcile bank', 'failpoint', armed.failpoint);
    }
    expect(plan.summary().belowGoal).not.toContain('bank.after-import');
    expect(plan.summary().belowGoal).not.toContain('bank.after-posting');
    plan.ranFor('reconcile-bank', 900);
    plan.ranFor('reconcile-bank', 390);
    const later = Array.from(
      { length: 40 },
      () => plan.arm('reconcile-bank') as { killAfterMs?: number },
    );
    const timed = later.flatMap((armed) =>
      armed.killAfterMs === undefined ? [] : [armed.killAfterMs],
    );
    expect(timed.length).toBeGreaterThan(0);
    // Aimed within the shortest run seen: a statement's rerun is as quick as that, and a later kill would miss.
    for (const ms of timed) expect(ms).toBeLessThanOrEqual(390);
  });
});
