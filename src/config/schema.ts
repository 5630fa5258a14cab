import { z } from 'zod';
import { didYouMean } from '../input/names.js';

/**
 * payops.json: the defaults repeated on every call (issue 15). Every key is optional; a flag or
 * the environment beats it. Secrets are never read from it (DESIGN.md §9: only from the
 * environment), so a key that looks like one is refused rather than ignored.
 */
export const configSchema = z
  .object({
    db: z.string().min(1).max(4_096),
    psp: z.enum(['sim', 'http', 'stripe']),
    pspUrl: z
      .string()
      .max(2_048)
      .regex(/^https?:\/\/[^\s]+$/, 'expected an http:// or https:// URL'),
    rules: z.string().min(1).max(4_096),
    output: z.enum(['text', 'json', 'csv']),
    busyTimeoutMs: z.number().int().min(0).max(3_600_000),
  })
  .partial()
  .strict();

export type PayopsConfig = z.infer<typeof configSchema>;

const CONFIG_KEYS = Object.keys(configSchema.shape) as (keyof PayopsConfig)[];

const SECRET_KEY = /(key|secret|token|password|passwd|credential)/i;

/** Why the parsed JSON is not a config, as one line; undefined when it is. Secrets and unknown keys first. */
export function configProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'expected one JSON object such as {"db": "books.db"}';
  for (const key of Object.keys(value)) {
    if (SECRET_KEY.test(key))
      return `"${key}" looks like a secret, and secrets are never read from a config file: set it in the environment (e.g. STRIPE_API_KEY)`;
    if (!(CONFIG_KEYS as string[]).includes(key))
      return `unknown key "${key}"${didYouMean(key, CONFIG_KEYS)}; the keys are ${CONFIG_KEYS.join(', ')}`;
  }
  const parsed = configSchema.safeParse(value);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return `"${issue?.path.join('.') ?? '?'}": ${issue?.message ?? 'invalid'}`;
}
