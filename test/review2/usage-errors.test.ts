import { describe, expect, it } from 'vitest';
import { payops } from '../helpers/cli.js';

/**
 * Review 2, item 6: `payops help bogus` exits 2 with one `payops:` line, but the line says "a
 * command is needed" (as for a bare `payops`) instead of naming the unknown command, as
 * `payops bogus` does.
 */
describe('review2: help for an unknown command', () => {
  it('names the unknown command in its one payops: line', () => {
    const result = payops(['help', 'bogus']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^payops: unknown command 'bogus'/);
  });

  it('refuses `payops help payin bogus` like `payops payin bogus` (exit 2), not print help with exit 0', () => {
    const result = payops(['help', 'payin', 'bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^payops: unknown command 'bogus'/);
  });
});
