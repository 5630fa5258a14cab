import { InputError } from '../../errors.js';
import { readJsonFile } from '../../input/json-file.js';
import { didYouMean } from '../../input/names.js';
import { printable } from '../../money/index.js';
import { SETTLEMENT_ROW_TYPES, type SettlementRowType } from '../types.js';
import { type Zone, zoneOf } from './zones.js';

/**
 * The mapping file that describes a generic settlement CSV (docs/SETTLEMENT-FORMATS.md). It is
 * user input: every key is checked, unknown keys are refused (a typo must not silently drop a
 * column), and each message names the key at fault.
 */
export interface SettlementMapping {
  delimiter: string;
  columns: {
    type: string;
    currency: string;
    occurredAt: string;
    pspReference?: string;
    merchantReference?: string;
    batchId?: string;
    availableOn?: string;
  };
  amounts: AmountMapping;
  dates: {
    /** Tokens YYYY MM DD HH mm ss SSS and literal text, or "iso" (ISO 8601). */
    format: string;
    /** Format of the availableOn column; a date only. Default "YYYY-MM-DD". */
    availableOnFormat: string;
    timeZone: Zone;
    timeZoneName: string;
  };
  /** The file's type values → SettlementRowType. */
  types: ReadonlyMap<string, SettlementRowType>;
}

export type AmountConvention = 'signed-decimal' | 'minor-units' | 'debit-credit';
const AMOUNT_CONVENTIONS: readonly AmountConvention[] = [
  'signed-decimal',
  'minor-units',
  'debit-credit',
];

/** For signed conventions a column name; for debit-credit a pair of column names. */
export type AmountColumn =
  | { kind: 'signed'; column: string }
  | { kind: 'pair'; debit: string; credit: string };

export interface AmountMapping {
  convention: AmountConvention;
  gross: AmountColumn;
  fee?: AmountColumn;
  net?: AmountColumn;
  /** "positive": a fee the PSP kept is written positive (the default); "negative": written negative. */
  feeSign: 'positive' | 'negative';
}

const MAPPING_HINT = 'see docs/SETTLEMENT-FORMATS.md, "The mapping file"';
const TOP_KEYS = ['delimiter', 'columns', 'amounts', 'dates', 'types', 'description'];
const COLUMN_KEYS = [
  'type',
  'currency',
  'occurredAt',
  'pspReference',
  'merchantReference',
  'batchId',
  'availableOn',
];
const AMOUNT_KEYS = ['convention', 'gross', 'fee', 'net', 'feeSign'];
const DATE_KEYS = ['format', 'availableOnFormat', 'timeZone'];
const PAIR_KEYS = ['debit', 'credit'];

/** Reads and checks a mapping file; throws UsageError if it cannot be read, InputError if it is wrong. */
export function loadMapping(file: string): SettlementMapping {
  const json = readJsonFile(file, '--mapping', MAPPING_HINT);
  return parseMapping(json, file);
}

function parseMapping(json: unknown, file: string): SettlementMapping {
  const fail = (where: string, reason: string): never => {
    throw new InputError(`${file}: ${where}: ${reason}`, { hint: MAPPING_HINT });
  };
  const root = object(json, 'the mapping', fail);
  onlyKeys(root, TOP_KEYS, 'the mapping', fail);
  if (root.description !== undefined && typeof root.description !== 'string')
    fail('description', 'must be a string');

  const delimiter = root.delimiter === undefined ? ',' : root.delimiter;
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || /["\r\n]/.test(delimiter)) {
    fail(
      'delimiter',
      `must be one character other than a quote or a line break, e.g. "," ";" or "\\t" (got ${JSON.stringify(delimiter)})`,
    );
  }

  const columnsObject = object(root.columns, 'columns', fail);
  onlyKeys(columnsObject, COLUMN_KEYS, 'columns', fail);
  const column = (key: string, required: boolean): string | undefined => {
    const value = columnsObject[key];
    if (value === undefined)
      return required
        ? fail(`columns.${key}`, 'is missing (the name of the column that holds it)')
        : undefined;
    if (typeof value !== 'string' || value.trim() === '')
      return fail(`columns.${key}`, 'must be a column name (a non-empty string)');
    return value;
  };
  const columns: SettlementMapping['columns'] = {
    type: column('type', true) as string,
    currency: column('currency', true) as string,
    occurredAt: column('occurredAt', true) as string,
  };
  for (const key of ['pspReference', 'merchantReference', 'batchId', 'availableOn'] as const) {
    const value = column(key, false);
    if (value !== undefined) columns[key] = value;
  }

  const amountsObject = object(root.amounts, 'amounts', fail);
  onlyKeys(amountsObject, AMOUNT_KEYS, 'amounts', fail);
  const convention = amountsObject.convention;
  if (
    typeof convention !== 'string' ||
    !(AMOUNT_CONVENTIONS as readonly string[]).includes(convention)
  ) {
    fail(
      'amounts.convention',
      `must be one of ${AMOUNT_CONVENTIONS.map((name) => `"${name}"`).join(', ')} (got ${printable(JSON.stringify(convention) ?? 'nothing')})`,
    );
  }
  const amountColumn = (
    key: 'gross' | 'fee' | 'net',
    required: boolean,
  ): AmountColumn | undefined => {
    const value = amountsObject[key];
    const where = `amounts.${key}`;
    if (value === undefined) return required ? fail(where, 'is missing') : undefined;
    if (convention === 'debit-credit') {
      const pair = object(
        value,
        where,
        fail,
        'an object {"debit": "<column>", "credit": "<column>"} under the debit-credit convention',
      );
      onlyKeys(pair, PAIR_KEYS, where, fail);
      const names = PAIR_KEYS.map((side) => {
        const name = pair[side];
        if (typeof name !== 'string' || name.trim() === '')
          return fail(`${where}.${side}`, 'must be a column name (a non-empty string)');
        return name;
      });
      return { kind: 'pair', debit: names[0] as string, credit: names[1] as string };
    }
    if (typeof value !== 'string' || value.trim() === '')
      return fail(where, `must be a column name under the ${convention as string} convention`);
    return { kind: 'signed', column: value };
  };
  const feeSign = amountsObject.feeSign ?? 'positive';
  if (feeSign !== 'positive' && feeSign !== 'negative')
    fail(
      'amounts.feeSign',
      `must be "positive" or "negative" (got ${printable(JSON.stringify(feeSign))})`,
    );
  const amounts: AmountMapping = {
    convention: convention as AmountConvention,
    gross: amountColumn('gross', true) as AmountColumn,
    feeSign: feeSign as 'positive' | 'negative',
  };
  const fee = amountColumn('fee', false);
  const net = amountColumn('net', false);
  if (fee) amounts.fee = fee;
  if (net) amounts.net = net;

  const datesObject = object(root.dates, 'dates', fail);
  onlyKeys(datesObject, DATE_KEYS, 'dates', fail);
  const format = datesObject.format;
  if (typeof format !== 'string' || format === '')
    fail('dates.format', 'is missing (e.g. "YYYY-MM-DD HH:mm:ss", "DD.MM.YYYY HH:mm" or "iso")');
  const formatProblem = checkDateFormat(format as string, true);
  if (formatProblem) fail('dates.format', formatProblem);
  const availableOnFormat = datesObject.availableOnFormat ?? 'YYYY-MM-DD';
  if (typeof availableOnFormat !== 'string')
    fail('dates.availableOnFormat', 'must be a string such as "DD.MM.YYYY"');
  const availableProblem = checkDateFormat(availableOnFormat as string, false);
  if (availableProblem) fail('dates.availableOnFormat', availableProblem);
  const timeZoneName = datesObject.timeZone;
  if (typeof timeZoneName !== 'string' || timeZoneName === '') {
    fail(
      'dates.timeZone',
      'is missing: the zone the file\'s times are written in (e.g. "UTC", "Europe/Amsterdam", "+01:00"); payops does not guess',
    );
  }
  const timeZone = zoneOf(timeZoneName as string);
  if (typeof timeZone === 'string') fail('dates.timeZone', timeZone);

  const typesObject = object(
    root.types,
    'types',
    fail,
    "an object from the file's type values to payops row types",
  );
  const types = new Map<string, SettlementRowType>();
  for (const [value, rowType] of Object.entries(typesObject)) {
    if (
      typeof rowType !== 'string' ||
      !(SETTLEMENT_ROW_TYPES as readonly string[]).includes(rowType)
    ) {
      fail(
        `types.${value}`,
        `${printable(JSON.stringify(rowType) ?? 'nothing')} is not one of ${SETTLEMENT_ROW_TYPES.join(', ')}`,
      );
    }
    types.set(value, rowType as SettlementRowType);
  }
  if (types.size === 0)
    fail('types', 'is empty: map each value of the type column to a payops row type');

  return {
    delimiter: delimiter as string,
    columns,
    amounts,
    dates: {
      format: format as string,
      availableOnFormat: availableOnFormat as string,
      timeZone: timeZone as Zone,
      timeZoneName: timeZoneName as string,
    },
    types,
  };
}

/** The columns of the file the mapping names, for the header check. */
export function mappedColumns(mapping: SettlementMapping): string[] {
  const { amounts } = mapping;
  const amountNames = [amounts.gross, amounts.fee, amounts.net].flatMap((column) =>
    column === undefined
      ? []
      : column.kind === 'signed'
        ? [column.column]
        : [column.debit, column.credit],
  );
  return [...new Set([...Object.values(mapping.columns), ...amountNames])];
}

function object(
  value: unknown,
  where: string,
  fail: (where: string, reason: string) => never,
  expected = 'an object',
): Record<string, unknown> {
  if (value === undefined) return fail(where, `is missing (expected ${expected})`);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return fail(where, `must be ${expected}`);
  return value as Record<string, unknown>;
}

function onlyKeys(
  value: Record<string, unknown>,
  known: readonly string[],
  where: string,
  fail: (where: string, reason: string) => never,
): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    fail(
      where,
      `unknown key "${printable(key)}"${didYouMean(key, known)}; known keys: ${known.join(', ')}`,
    );
  }
}

const TOKENS = /YYYY|MM|DD|HH|mm|ss|SSS/g;

/** Why a date format cannot be used, or undefined. */
function checkDateFormat(format: string, withTime: boolean): string | undefined {
  if (format === 'iso') return undefined;
  const tokens: string[] = format.match(TOKENS) ?? [];
  for (const needed of ['YYYY', 'MM', 'DD'])
    if (!tokens.includes(needed))
      return `"${printable(format)}" has no ${needed} (tokens: YYYY MM DD HH mm ss SSS, or "iso")`;
  if (new Set(tokens).size !== tokens.length) return `"${printable(format)}" repeats a token`;
  if (!withTime && tokens.some((token) => !['YYYY', 'MM', 'DD'].includes(token)))
    return `"${printable(format)}" must be a date only (YYYY, MM and DD)`;
  if (withTime && tokens.includes('mm') && !tokens.includes('HH'))
    return `"${printable(format)}" has minutes (mm) but no hours (HH)`;
  if (/[A-Za-z]/.test(format.replace(TOKENS, '')))
    return `"${printable(format)}" has letters that are not tokens (tokens: YYYY MM DD HH mm ss SSS)`;
  return undefined;
}
