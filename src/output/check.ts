import { z } from 'zod';

/** `check --json`: every invariant with what was checked or what is wrong. */
export const checkSchema = z.strictObject({
  ok: z.boolean(),
  results: z.array(
    z.strictObject({ name: z.string(), ok: z.boolean(), details: z.array(z.string()) }),
  ),
  /** Not wrong, but still work (e.g. captured at the PSP, retry pending). */
  notes: z.array(z.string()),
  /** A check that could not run is said, never passed over: it must not read as a pass. */
  skipped: z.array(z.strictObject({ check: z.string(), reason: z.string() })),
});
