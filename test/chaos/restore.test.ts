import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

interface RestoreOutcome {
  figures: {
    restore: {
      checkouts: number;
      behindSaid: boolean;
      doubleChargesOrPayouts: number;
      checkProblems: number;
    };
  };
  discrepancies: string[];
}

// The restore-from-backup scenario of `npm run chaos` (chaos/restore.mjs) on a small day: a backup
// restored, the clock 25 h on, the same files again; nothing charged, refunded or paid out twice.
describe('the chaos restore-from-backup scenario, short', () => {
  it('finds the restored book behind its mark and sends nothing twice', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payops-chaos-restore-'));
    try {
      const scenario = (await import(path.join(REPO_ROOT, 'chaos', 'restore.mjs'))) as {
        runRestoreScenario: (options: object) => Promise<RestoreOutcome>;
      };
      const outcome = await scenario.runRestoreScenario({
        root: REPO_ROOT,
        dir,
        seed: '7',
        events: 15,
      });
      expect(outcome.discrepancies).toEqual([]);
      expect(outcome.figures.restore).toMatchObject({
        behindSaid: true,
        doubleChargesOrPayouts: 0,
        checkProblems: 0,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
