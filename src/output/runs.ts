import { z } from 'zod';
import { countSchema, instantSchema, moneyJsonSchema } from './contract.js';

/** `runs list|show --json` and `config show --json`. */
const txIdSchema = z.string().regex(/^\d+$/);

const runSchema = z.strictObject({
  id: countSchema,
  command: z.string(),
  /** `running?`: started on another host, which payops cannot ask. */
  state: z.enum(['running', 'running?', 'finished', 'interrupted']),
  exitCode: z.number().int().nullable(),
  startedAt: instantSchema,
  finishedAt: instantSchema.nullable(),
  durationMs: z.number().int().nullable(),
  osUser: z.string(),
  host: z.string(),
  owner: z.string(),
  cwd: z.string(),
  payopsVersion: z.string(),
  argv: z.array(z.string()),
  inputs: z.array(
    z.strictObject({
      path: z.string(),
      bytes: countSchema,
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
  /** Journal transaction ids (strings of digits): the run posted those after `afterTxId` up to `upToTxId`. */
  ledgerRange: z.strictObject({ afterTxId: txIdSchema, upToTxId: txIdSchema }),
  transactions: countSchema,
  /** Money posted per ledger kind and currency. */
  moved: z.array(
    z.strictObject({ kind: z.string(), transactions: countSchema, amount: moneyJsonSchema }),
  ),
  /** Runs whose time overlapped this one's: the ledger range is shared with them. */
  overlappingRuns: z.array(countSchema),
});

export const runsListSchema = z.strictObject({
  dateBasis: z.literal('occurred'),
  since: instantSchema.nullable(),
  runs: z.array(runSchema),
});
export const runsShowSchema = runSchema.extend({ dateBasis: z.literal('occurred') });

export const configShowSchema = z.strictObject({
  file: z.string().nullable(),
  settings: z.array(
    z.strictObject({
      key: z.string(),
      value: z.string().nullable(),
      source: z.enum(['flag', 'environment', 'file', 'default']),
      from: z.string().nullable(),
    }),
  ),
});
