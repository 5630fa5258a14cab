// Scaling stage: the pay-in run at growing sizes (100,000, 1,000,000 and 3,000,000 orders in full
// mode), each on a fresh book. Linear means the time per order stays the same as the book grows;
// flat memory means the peak RSS does. Both are judged largest against smallest: within 25%.
// The pay-in stage's run is reused for its size when the suite ran it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadAverage, round } from './measure.mjs';
import { runPayin } from './payin.mjs';

const TOLERANCE = 1.25;

export default async function scalingStage({ quick, scale, log, previous = [] }) {
  const sizes = scale ?? (quick ? [10_000, 20_000, 40_000] : [100_000, 1_000_000, 3_000_000]);
  const load = [loadAverage()];
  const points = [];
  for (const n of sizes) {
    const reused = previous.find((result) => result.stage === 'payin' && result.n === n);
    if (reused) {
      log(`scaling: ${n} orders: the pay-in stage's run`);
      points.push({ n, seconds: reused.seconds, peakRssMb: reused.peakRssMb, reused: 'payin' });
      continue;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'payops-bench-scaling-'));
    try {
      const run = runPayin({ n, dir, log, profile: `scaling-${n}` });
      points.push({ n, seconds: round(run.seconds), peakRssMb: run.peakRssMb, dbMb: run.dbMb });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  load.push(loadAverage());
  for (const point of points) {
    point.perSecond = Math.round(point.n / point.seconds);
    point.usPerOrder = round((point.seconds * 1e6) / point.n, 1);
  }
  const first = points[0];
  const last = points[points.length - 1];
  const timeGrowth = round(last.usPerOrder / first.usPerOrder, 2);
  const memoryGrowth = round(last.peakRssMb / first.peakRssMb, 2);
  return {
    stage: 'scaling',
    n: last.n,
    seconds: last.seconds,
    perSecond: last.perSecond,
    peakRssMb: Math.max(...points.map((point) => point.peakRssMb)),
    points,
    timePerOrderGrowth: timeGrowth,
    peakRssGrowth: memoryGrowth,
    target: { timePerOrderGrowth: TOLERANCE, peakRssGrowth: TOLERANCE },
    meets: { linear: timeGrowth <= TOLERANCE, flatMemory: memoryGrowth <= TOLERANCE },
    load,
  };
}
