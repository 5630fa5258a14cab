import { printable } from '../../money/index.js';
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
 * payops' own settlement format (src/reconcile/settlement-file/): the normalized row written
 * out, so reading it is checking it. Signed decimal amounts in major units, a stated net that
 * must be gross − fee, instants in UTC.
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
