import { z } from 'zod';
import { type MoneyJson, moneyJson, moneyJsonSchema } from '../money/json.js';

/**
 * The building blocks of every `--json` output (docs/OUTPUT.md, stable from 0.2.0): money as
 * `moneyJson`, instants as ISO 8601 UTC, ids and hashes whole, keys camelCase. A command's schema
 * is built from these and the command parses its view with it before printing, so the printed
 * JSON and the documented contract cannot drift apart.
 */
export { moneyJson, moneyJsonSchema, type MoneyJson };

/** An instant: ISO 8601 in UTC with a Z, as payops stores it (e.g. 2026-11-23T09:00:00.000Z). */
export const instantSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/);
/** A UTC day, YYYY-MM-DD. */
export const daySchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
export const currencySchema = z.string().regex(/^[A-Z]{3}$/);
export const countSchema = z.number().int().nonnegative();
/** Retries scheduled or dead letters grouped by reason, most frequent first. */
export const reasonsSchema = z.array(z.strictObject({ reason: z.string(), count: countSchema }));

/** Every order of this PSP by status, after a run. */
export const orderQueueSchema = z.strictObject({
  created: countSchema,
  executing: countSchema,
  succeeded: countSchema,
  pending: countSchema,
  failed: countSchema,
  retryScheduled: countSchema,
  deadLettered: countSchema,
  needsAttention: countSchema,
});

/** The order statuses as the store counts them, in the contract's keys. */
export function orderQueueJson(
  queue: Readonly<
    Record<
      | 'created'
      | 'executing'
      | 'succeeded'
      | 'pending'
      | 'failed'
      | 'retry_scheduled'
      | 'dead_lettered'
      | 'needs_attention',
      number
    >
  >,
): z.input<typeof orderQueueSchema> {
  return {
    created: queue.created,
    executing: queue.executing,
    succeeded: queue.succeeded,
    pending: queue.pending,
    failed: queue.failed,
    retryScheduled: queue.retry_scheduled,
    deadLettered: queue.dead_lettered,
    needsAttention: queue.needs_attention,
  };
}
/** A SHA-256 hash, whole (64 hex digits): never shortened in JSON. */
export const hashSchema = z.string().regex(/^[0-9a-f]{64}$/);
/** Money per currency (a run's totals): one entry per currency, in the order met. */
export const moneyTotalsSchema = z.array(moneyJsonSchema);

/** Per-currency sums of minor units as the money list of the contract. */
export function moneyTotals(totals: ReadonlyMap<string, bigint>): MoneyJson[] {
  return [...totals].map(([currency, minor]) => moneyJson(minor, currency as never));
}

/** Work another process holds under its lease (DESIGN.md §5), one entry per owner and table. */
export const heldSchema = z.array(
  z.strictObject({
    table: z.string(),
    count: countSchema,
    state: z.string(),
    owner: z.string().nullable(),
    ownerDescription: z.string(),
    leaseExpiresAt: instantSchema.nullable(),
  }),
);

/** The book was behind its high-water mark (restored from a backup); null when it was not. */
export const bookBehindSchema = z
  .strictObject({
    reason: z.string(),
    distance: z.enum(['known', 'unknown']),
    lookUps: z.string().regex(/^\d+$/).nullable(),
  })
  .nullable();

export function bookBehindJson(
  notice: { reason: string; distance: 'known' | 'unknown'; lookUps: bigint | null } | null,
): z.infer<typeof bookBehindSchema> {
  return notice === null
    ? null
    : {
        reason: notice.reason,
        distance: notice.distance,
        lookUps: notice.lookUps === null ? null : notice.lookUps.toString(),
      };
}

/**
 * The one way a command prints JSON: the view is checked against its schema first (a view that
 * breaks the contract is a programmer error and fails loudly), then written with two-space indent.
 */
export function contractJson<S extends z.ZodType>(schema: S, view: z.input<S>): string {
  return JSON.stringify(schema.parse(view), null, 2);
}
