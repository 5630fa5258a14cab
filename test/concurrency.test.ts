import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapConcurrently } from '../src/concurrency.js';

/** Resolves after `turns` ticks of the event loop: calls finish in an order the test chooses. */
const ticks = (turns: number) =>
  new Promise<void>((resolve) => {
    const step = (left: number): void => {
      if (left === 0) resolve();
      else setImmediate(() => step(left - 1));
    };
    step(turns);
  });

describe('mapConcurrently', () => {
  it('keeps the order of the items whatever order the calls finish in, and never has more than the limit in flight', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(5), { maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        async (delays, limit) => {
          let inFlight = 0;
          let most = 0;
          const results = await mapConcurrently(delays, limit, async (delay, index) => {
            inFlight++;
            most = Math.max(most, inFlight);
            await ticks(delay);
            inFlight--;
            return `${index}:${delay}`;
          });
          expect(results).toEqual(delays.map((delay, index) => `${index}:${delay}`));
          expect(most).toBeLessThanOrEqual(Math.min(limit, delays.length));
          if (delays.length > 0) expect(most).toBeGreaterThanOrEqual(1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('uses the whole limit when there is work for it', async () => {
    let inFlight = 0;
    let most = 0;
    await mapConcurrently(
      Array.from({ length: 20 }, (_, index) => index),
      4,
      async () => {
        most = Math.max(most, ++inFlight);
        await ticks(2);
        inFlight--;
      },
    );
    expect(most).toBe(4);
  });

  it('rejects with the first failure and starts no call after it; calls in flight finish', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = mapConcurrently(
      Array.from({ length: 10 }, (_, index) => index),
      3,
      async (item) => {
        started.push(item);
        await ticks(item === 1 ? 1 : 3);
        if (item === 1) throw new Error('refused: stop the command');
        finished.push(item);
        return item;
      },
    );
    await expect(run).rejects.toThrow('refused: stop the command');
    await ticks(10);
    expect(started).toEqual([0, 1, 2]);
    expect(finished.sort()).toEqual([0, 2]);
  });

  it('answers an empty list at once, and refuses a limit below one', async () => {
    expect(await mapConcurrently([], 4, async () => 1)).toEqual([]);
    await expect(mapConcurrently([1], 0, async () => 1)).rejects.toThrow(RangeError);
    await expect(mapConcurrently([1], 1.5, async () => 1)).rejects.toThrow(RangeError);
  });
});
