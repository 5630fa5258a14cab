import { z } from 'zod';
import type { StoredAnswer } from '../payments/attention.js';
import { instantSchema, moneyJson, moneyJsonSchema } from './contract.js';
import { amount, csvTable, text } from './csv.js';

const kindSchema = z.enum(['charge', 'refund', 'payout']);

/** `attention list|resolve --json`: kept PSP answers not booked yet, and booking them. */
export const attentionItemSchema = z.strictObject({
  kind: kindSchema,
  itemId: z.string(),
  psp: z.string(),
  answerStatus: z.enum(['succeeded', 'declined']),
  pspReference: z.string().nullable(),
  amount: moneyJsonSchema,
  pspFee: moneyJsonSchema.nullable(),
  declineReason: z.string().nullable(),
  answeredAt: instantSchema,
  /** Why payops could not record the answer. */
  error: z.string(),
});

export const attentionListSchema = z.array(attentionItemSchema);

export const attentionResolveSchema = z.array(
  z.strictObject({
    kind: kindSchema,
    itemId: z.string(),
    outcome: z.enum(['booked', 'already_booked', 'refused']),
    detail: z.string(),
  }),
);

export function attentionItemJson(a: StoredAnswer): z.input<typeof attentionItemSchema> {
  return {
    kind: a.kind,
    itemId: a.itemId,
    psp: a.psp,
    answerStatus: a.answerStatus,
    pspReference: a.pspReference,
    amount: moneyJson(a.amountMinor, a.currency),
    pspFee: a.pspFeeMinor === null ? null : moneyJson(a.pspFeeMinor, a.currency),
    declineReason: a.declineReason,
    answeredAt: a.answeredAt,
    error: a.error,
  };
}

export function attentionCsv(items: readonly StoredAnswer[]): string {
  return csvTable(
    [
      'kind',
      'item_id',
      'psp',
      'answer_status',
      'psp_reference',
      'currency',
      'amount',
      'psp_fee',
      'decline_reason',
      'answered_at',
      'error',
    ],
    items.map((a) => [
      text(a.kind),
      text(a.itemId),
      text(a.psp),
      text(a.answerStatus),
      text(a.pspReference),
      text(a.currency),
      amount(a.amountMinor, a.currency),
      amount(a.pspFeeMinor, a.currency),
      text(a.declineReason),
      text(a.answeredAt),
      text(a.error),
    ]),
  );
}
