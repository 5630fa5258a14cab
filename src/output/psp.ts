import { z } from 'zod';
import type { SettlementManifest } from '../psp/sim/settlement.js';
import { countSchema, daySchema, moneyJson, moneyJsonSchema } from './contract.js';

/**
 * `psp settle --json`: the file written and the discrepancies injected into it. (The `--manifest`
 * file keeps its own test-harness shape with minor units; this is the contract on stdout.)
 */
export const pspSettleSchema = z.strictObject({
  psp: z.literal('sim'),
  date: daySchema,
  seed: z.string(),
  file: z.string(),
  rows: countSchema,
  batches: z.array(
    z.strictObject({
      batchId: z.string(),
      payout: moneyJsonSchema.nullable(),
      rowsNet: moneyJsonSchema,
      difference: moneyJsonSchema.nullable(),
    }),
  ),
  injected: z.array(
    z.strictObject({
      kind: z.string(),
      expectedClass: z.string(),
      pspReference: z.string(),
      merchantReference: z.string().nullable(),
      batchId: z.string(),
      line: countSchema.nullable(),
      /** How much more the file's rows say the batch paid than it did. */
      overstatedNet: moneyJsonSchema,
      detail: z.string(),
    }),
  ),
  skipped: z.array(z.strictObject({ kind: z.string(), reason: z.string() })),
});

export function pspSettleJson(manifest: SettlementManifest): z.input<typeof pspSettleSchema> {
  const money = (minor: string, currency: Parameters<typeof moneyJson>[1]) =>
    moneyJson(BigInt(minor), currency);
  return {
    psp: manifest.psp,
    date: manifest.date,
    seed: manifest.seed,
    file: manifest.file,
    rows: manifest.rows,
    batches: manifest.batches.map((b) => ({
      batchId: b.batchId,
      payout: b.payoutMinor === null ? null : money(b.payoutMinor, b.currency),
      rowsNet: money(b.rowsNetMinor, b.currency),
      difference: b.differenceMinor === null ? null : money(b.differenceMinor, b.currency),
    })),
    injected: manifest.injected.map(({ overstatedNetMinor, currency, ...rest }) => ({
      ...rest,
      overstatedNet: money(overstatedNetMinor, currency),
    })),
    skipped: manifest.skipped,
  };
}
