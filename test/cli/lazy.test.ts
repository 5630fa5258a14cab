import { describe, expect, it } from 'vitest';
import { lazy } from '../../src/cli/lazy.js';

describe('lazy', () => {
  it('loads nothing until first asked, then once, however often and however concurrently asked', async () => {
    let loads = 0;
    const load = lazy(async () => {
      loads++;
      return { answer: 42 };
    });
    expect(loads).toBe(0);
    const [first, second] = await Promise.all([load(), load()]);
    expect(await load()).toBe(first);
    expect(second).toBe(first);
    expect(loads).toBe(1);
  });

  it('a failed load is the same failure every time (a broken module is not loaded twice)', async () => {
    let loads = 0;
    const load = lazy(async () => {
      loads++;
      throw new Error('no such module');
    });
    await expect(load()).rejects.toThrow('no such module');
    await expect(load()).rejects.toThrow('no such module');
    expect(loads).toBe(1);
  });
});
