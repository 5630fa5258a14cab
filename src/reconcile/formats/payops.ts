import { formatAmount, printable } from '../../money/index.js';
import { startsLikeAFormula } from '../../csv-cells.js';
import {
  PAYOPS_SETTLEMENT_HEADER,
  SETTLEMENT_ROW_TYPES,
  type SettlementRow,
  type SettlementRowType,
} from '../types.js';
import {
  amountField,
  checkNet,
  checkSigns,
  currencyField,
  instantField,
  optionalDayField,
  optionalText,
} from './fields.js';
import { type FormatDefinition, type HeaderColumns, RowError } from './format.js';
import { Header } from './header.js';

/**
 * payops' own settlement format (src/reconcile/types.ts): the normalized row written out, so
 * reading it is checking it. Signed decimal amounts in major units, a stated net that must be
 * gross − fee, instants in UTC.
 */
const COLUMNS: HeaderColumns = { required: PAYOPS_SETTLEMENT_HEADER, optional: [] };
const ROW_TYPES: ReadonlySet<string> = new Set(SETTLEMENT_ROW_TYPES);

export const payopsFormat: FormatDefinition = {
  format: 'payops',
  columns: COLUMNS,
  open(firstRecord, { file }) {
    const header = new Header(firstRecord, file);
    header.assertHas(COLUMNS, file, 'payops');
    const [
      recordType,
      pspReference,
      merchantReference,
      batchId,
      currencyColumn,
      gross,
      fee,
      net,
      occurredAt,
      availableOn,
    ] = PAYOPS_SETTLEMENT_HEADER.map((name) => header.require(name)) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];

    return {
      columnName: (index) => header.nameAt(index),
      parse(fields, line): SettlementRow {
        header.checkWidth(fields);
        const providerType = fields[recordType] as string;
        if (!ROW_TYPES.has(providerType)) {
          throw new RowError(
            'record_type',
            `"${printable(providerType)}" is not one of ${SETTLEMENT_ROW_TYPES.join(', ')}`,
          );
        }
        const type = providerType as SettlementRowType;
        const currency = currencyField(fields[currencyColumn], 'currency');
        const grossMinor = amountField(fields[gross], currency, 'gross');
        const feeMinor = amountField(fields[fee], currency, 'fee');
        const netMinor = amountField(fields[net], currency, 'net');
        checkNet(grossMinor, feeMinor, netMinor, currency);
        checkSigns(type, grossMinor, feeMinor, currency, 'gross', 'fee');
        return {
          line,
          type,
          pspReference: optionalText(fields[pspReference]),
          merchantReference: optionalText(fields[merchantReference]),
          batchId: optionalText(fields[batchId]),
          currency,
          grossMinor,
          feeMinor,
          netMinor,
          occurredAt: instantField(fields[occurredAt], 'occurred_at'),
          availableOn: optionalDayField(fields[availableOn], 'available_on'),
          providerType,
        };
      },
    };
  },
};

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
