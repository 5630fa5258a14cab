import { InputError } from '../../errors.js';
import { type Currency, printable } from '../../money/index.js';
import type { SettlementRow } from '../types.js';
import {
  amountField,
  checkNet,
  checkSigns,
  currencyField,
  minorUnitsField,
  optionalDayField,
  optionalText,
  requiredText,
} from './fields.js';
import { type FormatDefinition, RowError } from './format.js';
import { Header } from './header.js';
import { type AmountColumn, type SettlementMapping, mappedColumns } from './mapping.js';
import { type Zone, localInstantField } from './zones.js';

/**
 * A settlement CSV described by a mapping file (src/reconcile/formats/mapping.ts): which column
 * holds each SettlementRow field, how amounts are written, how dates are written and in which zone,
 * and what the file's type values mean.
 */
export function genericFormat(mapping: SettlementMapping, mappingFile: string): FormatDefinition {
  return {
    format: 'generic',
    delimiter: mapping.delimiter,
    open(firstRecord, { file }) {
      const header = new Header(firstRecord, file);
      const missing = mappedColumns(mapping).filter((name) => header.indexOf(name) < 0);
      if (missing.length > 0) {
        throw new InputError(
          `${file}:1 header: missing column(s) named in ${mappingFile}: ${missing.map((name) => `"${printable(name)}"`).join(', ')}`,
          {
            hint: `the file's header is: ${printable(firstRecord.join(mapping.delimiter), 200)}`,
          },
        );
      }
      const at = (name: string | undefined): number =>
        name === undefined ? -1 : header.indexOf(name);
      const { columns, amounts, dates } = mapping;
      const column = {
        type: at(columns.type),
        currency: at(columns.currency),
        occurredAt: at(columns.occurredAt),
        pspReference: at(columns.pspReference),
        merchantReference: at(columns.merchantReference),
        batchId: at(columns.batchId),
        availableOn: at(columns.availableOn),
      };
      const readTime = timeReader(dates.format, dates.timeZone);
      const readDay = dayReader(dates.availableOnFormat);
      const optional = (fields: readonly string[], index: number): string | null =>
        index < 0 ? null : optionalText(fields[index]);

      /** A mapped amount, signed as a movement of our balance; null when the row leaves it empty. */
      const amount = (
        fields: readonly string[],
        mapped: AmountColumn,
        currency: Currency,
        debitIsPositive: boolean,
      ): bigint | null => {
        if (mapped.kind === 'signed') {
          const text = fields[at(mapped.column)] ?? '';
          if (text === '') return null;
          return amounts.convention === 'minor-units'
            ? minorUnitsField(text, currency, mapped.column)
            : amountField(text, currency, mapped.column);
        }
        const debit = fields[at(mapped.debit)] ?? '';
        const credit = fields[at(mapped.credit)] ?? '';
        if (debit === '' && credit === '') return null;
        const debitMinor = debit === '' ? 0n : amountField(debit, currency, mapped.debit);
        const creditMinor = credit === '' ? 0n : amountField(credit, currency, mapped.credit);
        if (debitMinor < 0n)
          throw new RowError(mapped.debit, 'must not be negative: the column gives the direction');
        if (creditMinor < 0n)
          throw new RowError(mapped.credit, 'must not be negative: the column gives the direction');
        if (debitMinor !== 0n && creditMinor !== 0n)
          throw new RowError(
            mapped.credit,
            `and ${mapped.debit} are both filled in: an amount is one or the other`,
          );
        return debitIsPositive ? debitMinor - creditMinor : creditMinor - debitMinor;
      };
      const nameOf = (mapped: AmountColumn, negative: boolean) =>
        mapped.kind === 'signed' ? mapped.column : negative ? mapped.debit : mapped.credit;

      return {
        columnName: (index) => header.nameAt(index),
        parse(fields, line): SettlementRow {
          header.checkWidth(fields);
          const providerType = requiredText(fields[column.type], columns.type);
          const mappedType = mapping.types.get(providerType);
          if (mappedType === undefined) {
            throw new RowError(
              columns.type,
              `"${printable(providerType)}" is not one of the types in ${mappingFile} (${[...mapping.types.keys()].map((key) => `"${printable(key)}"`).join(', ')})`,
            );
          }
          const currency = currencyField(
            (fields[column.currency] ?? '').toUpperCase(),
            columns.currency,
          );
          let grossMinor = amount(fields, amounts.gross, currency, false);
          if (grossMinor === null) throw new RowError(nameOf(amounts.gross, false), 'is empty');
          // A fee the PSP kept is positive in payops; a debit-credit fee pair says so by its debit side.
          let feeMinor = amounts.fee ? (amount(fields, amounts.fee, currency, true) ?? 0n) : 0n;
          if (amounts.feeSign === 'negative' && amounts.fee?.kind === 'signed')
            feeMinor = -feeMinor;
          const statedNet = amounts.net ? amount(fields, amounts.net, currency, false) : null;
          if (statedNet !== null && amounts.net)
            checkNet(
              grossMinor,
              feeMinor,
              statedNet,
              currency,
              nameOf(amounts.net, statedNet < 0n),
            );
          let type = mappedType;
          if (type === 'fee' && feeMinor === 0n) {
            feeMinor = -grossMinor; // a fee written as a negative gross, as Stripe and PayPal do
            grossMinor = 0n;
            if (feeMinor < 0n) type = 'adjustment';
          }
          checkSigns(
            type,
            grossMinor,
            feeMinor,
            currency,
            nameOf(amounts.gross, grossMinor < 0n),
            amounts.fee ? nameOf(amounts.fee, feeMinor > 0n) : 'fee',
          );
          return {
            line,
            type,
            pspReference: optional(fields, column.pspReference),
            merchantReference: optional(fields, column.merchantReference),
            batchId: optional(fields, column.batchId),
            currency,
            grossMinor,
            feeMinor,
            netMinor: grossMinor - feeMinor,
            occurredAt: readTime(fields[column.occurredAt], columns.occurredAt),
            availableOn:
              column.availableOn < 0
                ? null
                : readDay(fields[column.availableOn], columns.availableOn as string),
            providerType,
          };
        },
      };
    },
  };
}

type FieldReader<T> = (value: string | undefined, field: string) => T;

/** Compiles "DD.MM.YYYY HH:mm" into a reader of such times in `zone`, returning ISO 8601 UTC. */
function timeReader(format: string, zone: Zone): FieldReader<string> {
  if (format === 'iso') return (value, field) => localInstantField(value, zone, field);
  const { pattern, order } = compile(format);
  return (value, field) => {
    const text = requiredText(value, field);
    const parts = matchParts(text, pattern, order, format, field);
    const wall = `${parts.YYYY}-${pad(parts.MM)}-${pad(parts.DD)} ${pad(parts.HH ?? '0')}:${parts.mm ?? '00'}:${parts.ss ?? '00'}.${(parts.SSS ?? '0').padEnd(3, '0')}`;
    return localInstantField(wall, zone, field);
  };
}

function dayReader(format: string): FieldReader<string | null> {
  const { pattern, order } = compile(format);
  return (value, field) => {
    if (value === undefined || value === '') return null;
    const parts = matchParts(value, pattern, order, format, field);
    return optionalDayField(`${parts.YYYY}-${pad(parts.MM)}-${pad(parts.DD)}`, field);
  };
}

const TOKEN_PATTERNS: Readonly<Record<string, string>> = {
  YYYY: '(\\d{4})',
  MM: '(\\d{1,2})',
  DD: '(\\d{1,2})',
  HH: '(\\d{1,2})',
  mm: '(\\d{2})',
  ss: '(\\d{2})',
  SSS: '(\\d{1,3})',
};

function compile(format: string): { pattern: RegExp; order: string[] } {
  const order: string[] = [];
  const source = format.replace(/YYYY|MM|DD|HH|mm|ss|SSS|[^A-Za-z]/g, (piece) => {
    const token = TOKEN_PATTERNS[piece];
    if (token === undefined) return piece.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    order.push(piece);
    return token;
  });
  return { pattern: new RegExp(`^${source}$`), order };
}

function matchParts(
  text: string,
  pattern: RegExp,
  order: readonly string[],
  format: string,
  field: string,
): Record<string, string> {
  const match = pattern.exec(text);
  if (!match)
    throw new RowError(
      field,
      `"${printable(text)}" does not match the mapping's date format "${format}"`,
    );
  const parts: Record<string, string> = {};
  order.forEach((token, index) => {
    parts[token] = match[index + 1] as string;
  });
  return parts;
}

function pad(value: string | undefined): string {
  return (value ?? '').padStart(2, '0');
}
