import { formatAmount } from '../../money/index.js';
import { startsLikeAFormula } from '../../csv-cells.js';
import type { SettlementRow } from './row.js';

/*
 * payops' own settlement file, written by the simulated PSP (`payops psp settle`) and read back by
 * reconcile/formats/payops.ts. A leaf: it imports neither psp/ nor the rest of reconcile/, so both
 * can depend on it without a folder cycle.
 */

/**
 * payops' own settlement format: what `payops psp settle` writes from the simulated PSP's state.
 * A CSV (RFC 4180, UTF-8, "\n" line ends) whose first line is exactly this header:
 *
 *   record_type,psp_reference,merchant_reference,batch_id,currency,gross,fee,net,occurred_at,available_on
 *
 * - record_type: capture | refund | chargeback | chargeback_reversal | fee | adjustment | payout
 * - amounts: signed decimal strings in major units of `currency`, with exactly the currency's
 *   number of decimals ("25.00", "-4.00", "1500" for JPY), signs as in the convention of ./row.ts;
 * - occurred_at: ISO 8601 UTC ("2026-11-23T10:15:00.000Z"); available_on: YYYY-MM-DD;
 * - merchant_reference empty on payout and fee rows; batch_id on every row of a batch.
 */
export const PAYOPS_SETTLEMENT_HEADER = [
  'record_type',
  'psp_reference',
  'merchant_reference',
  'batch_id',
  'currency',
  'gross',
  'fee',
  'net',
  'occurred_at',
  'available_on',
] as const;

/** The header line of payops' settlement format, without its line end. */
export const PAYOPS_SETTLEMENT_HEADER_LINE = PAYOPS_SETTLEMENT_HEADER.join(',');

/**
 * One row in payops' settlement format, without its line end ("\n" between rows): what
 * `payops psp settle` writes and what payopsFormat reads back to the identical row (less `line`).
 * Text fields are quoted only when they must be (a comma, a quote); a row that could not be read
 * back (control characters, net ≠ gross − fee), or text a spreadsheet would run as a formula, is
 * refused here rather than written.
 */
export function formatPayopsSettlementRow(row: SettlementRow): string {
  if (row.grossMinor - row.feeMinor !== row.netMinor)
    throw new RangeError(`settlement row ${row.pspReference ?? ''}: net is not gross - fee`);
  return [
    row.type,
    csvText(row.pspReference),
    csvText(row.merchantReference),
    csvText(row.batchId),
    row.currency,
    formatAmount(row.grossMinor, row.currency),
    formatAmount(row.feeMinor, row.currency),
    formatAmount(row.netMinor, row.currency),
    row.occurredAt,
    row.availableOn ?? '',
  ].join(',');
}

function csvText(value: string | null): string {
  if (value === null) return '';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f\ufffd]/.test(value))
    throw new RangeError(
      `settlement text ${JSON.stringify(value)} has a control character or U+FFFD`,
    );
  if (value === '') throw new RangeError('an empty settlement text is written as null');
  // The file is read back as it is, so a cell cannot be neutralized with an apostrophe; nor may a
  // spreadsheet run it. payops' own references and order ids never start so.
  if (startsLikeAFormula(value))
    throw new RangeError(
      `settlement text ${JSON.stringify(value)} starts like a spreadsheet formula; payops writes no such cell`,
    );
  return /[",]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
