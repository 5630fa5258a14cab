import { z } from 'zod';
import { InputError } from '../../errors.js';
import { readJsonFile } from '../../input/json-file.js';
import { didYouMean } from '../../input/names.js';
import { type Currency, isCurrencyCode, parseBoundedAmount, printable } from '../../money/index.js';
import type { BankBalance } from '../types.js';

/**
 * The mapping file of a bank CSV (docs/BANK-FORMATS.md, "Mapped CSV"): which column holds what,
 * how amounts and dates are written, and where the statement's account and balances come from. It
 * is user input: checked with zod, unknown keys refused (a typo must not silently drop a column),
 * every message names the key at fault.
 */
const MAPPING_HINT = 'see docs/BANK-FORMATS.md, "Mapped CSV"';

const column = z.string().trim().min(1, 'must be a column name (a non-empty string)').max(200);
const values = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1).max(50)])
  .transform((value) => (typeof value === 'string' ? [value] : value));
const decimal = z
  .string()
  .regex(
    /^-?[0-9]+(\.[0-9]+)?$/,
    'must be a decimal string with "." such as "1000.00" or "-12.50"',
  );
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

const balanceConstant = z.strictObject({ amount: decimal, date: day });

const schema = z
  .strictObject({
    description: z.string().max(1_000).optional(),
    delimiter: z
      .string()
      .length(1)
      .refine(
        (value) => !/["\r\n]/.test(value),
        'must be one character other than a quote or a line break',
      )
      .default(','),
    decimalSeparator: z.enum(['.', ',']).default('.'),
    thousandsSeparator: z.enum(['', ',', '.', ' ', "'"]).default(''),
    dateFormat: z
      .string()
      .max(40)
      .refine(
        (value) => ['YYYY', 'MM', 'DD'].every((token) => value.split(token).length === 2),
        'must hold YYYY, MM and DD once each, e.g. "DD.MM.YYYY"',
      )
      .default('YYYY-MM-DD'),
    columns: z.strictObject({
      bookingDate: column,
      valueDate: column.optional(),
      amount: column,
      direction: z.strictObject({ column, credit: values, debit: values }).optional(),
      currency: column.optional(),
      account: column.optional(),
      accountServicerRef: column.optional(),
      endToEndId: column.optional(),
      remittance: z.union([column, z.array(column).min(1).max(10)]).optional(),
      counterparty: column.optional(),
      typeCode: column.optional(),
    }),
    currency: z
      .string()
      .refine((code) => isCurrencyCode(code), 'must be an ISO 4217 currency code such as "EUR"')
      .optional(),
    bankCharge: z.strictObject({ column, values }).optional(),
    statement: z.strictObject({
      id: z.string().min(1).max(200).optional(),
      account: z.string().trim().min(1).max(64).optional(),
      opening: balanceConstant.optional(),
      closing: balanceConstant.optional(),
      balanceRows: z
        .strictObject({
          column,
          opening: z.string().min(1),
          closing: z.string().min(1),
          amount: column.optional(),
          date: column.optional(),
        })
        .optional(),
    }),
  })
  .superRefine((mapping, context) => {
    const problem = (path: (string | number)[], message: string) =>
      context.addIssue({ code: 'custom', path, message });
    if ((mapping.currency === undefined) === (mapping.columns.currency === undefined)) {
      problem(
        ['currency'],
        'give either a fixed "currency" or a "columns.currency" column (exactly one)',
      );
    }
    if ((mapping.statement.account === undefined) === (mapping.columns.account === undefined)) {
      problem(
        ['statement', 'account'],
        'give either a fixed "statement.account" or a "columns.account" column (exactly one)',
      );
    }
    const { opening, closing, balanceRows } = mapping.statement;
    const constants = opening !== undefined || closing !== undefined;
    if (constants && balanceRows !== undefined)
      problem(
        ['statement', 'balanceRows'],
        'give the balances either as "opening"/"closing" constants or as "balanceRows", not both',
      );
    if (!constants && balanceRows === undefined)
      problem(
        ['statement'],
        'the balances are missing: give "opening" and "closing" ({"amount", "date"}) or "balanceRows" (the column whose value marks the balance rows)',
      );
    if (constants && (opening === undefined || closing === undefined))
      problem(
        ['statement', opening === undefined ? 'opening' : 'closing'],
        'is missing (both balances are needed for the sum check)',
      );
    if (balanceRows && balanceRows.opening === balanceRows.closing)
      problem(['statement', 'balanceRows'], '"opening" and "closing" must be different values');
    // One column read as two fields (the amount as the bank reference) would make a wrong statement that adds up.
    const named = new Map<string, string>();
    for (const [key, value] of Object.entries(mapping.columns)) {
      const columnsOf: [string, (string | number)[]][] =
        typeof value === 'string'
          ? [[value, ['columns', key]]]
          : Array.isArray(value)
            ? value.map((one, index): [string, (string | number)[]] => [
                one,
                ['columns', key, index],
              ])
            : value === undefined
              ? []
              : [[value.column, ['columns', key, 'column']]];
      for (const [name, path] of columnsOf) {
        const first = named.get(name);
        if (first !== undefined)
          problem(
            path,
            `the column "${name}" is already named for ${first}: one column is one field`,
          );
        else named.set(name, path.join('.'));
      }
    }
    if (mapping.thousandsSeparator === mapping.decimalSeparator)
      problem(['thousandsSeparator'], 'cannot be the decimal separator');
    if (mapping.thousandsSeparator === mapping.delimiter)
      problem(['thousandsSeparator'], 'cannot be the delimiter');
    if (mapping.decimalSeparator === mapping.delimiter)
      problem(['decimalSeparator'], 'cannot be the delimiter');
  });

export type BankCsvMappingInput = z.input<typeof schema>;
type Parsed = z.output<typeof schema>;

/** A checked mapping, ready to read rows with. */
export interface BankCsvMapping {
  delimiter: string;
  decimalSeparator: '.' | ',';
  thousandsSeparator: string;
  dateFormat: string;
  columns: Omit<Parsed['columns'], 'remittance'> & { remittance: string[] };
  currency: Currency | undefined;
  bankCharge: { column: string; values: string[] } | undefined;
  statement: {
    id: string | undefined;
    account: string | undefined;
    opening: BankBalance | undefined;
    closing: BankBalance | undefined;
    balanceRows:
      | { column: string; opening: string; closing: string; amount: string; date: string }
      | undefined;
  };
}

/** Reads and checks a mapping file: UsageError if it cannot be read, InputError if it is wrong. */
export function loadBankCsvMapping(file: string): BankCsvMapping {
  const json = readJsonFile(file, '--mapping', MAPPING_HINT);
  return parseBankCsvMapping(json, file);
}

function parseBankCsvMapping(json: unknown, file: string): BankCsvMapping {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    // A misspelt key explains the "missing" one next to it: say that first.
    const issue =
      parsed.error.issues.find((one) => one.code === 'unrecognized_keys') ?? parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'the mapping';
    throw new InputError(`${file}: ${where}: ${issue ? reasonOf(issue) : 'invalid'}`, {
      hint: MAPPING_HINT,
    });
  }
  const mapping = parsed.data;
  const currency = mapping.currency as Currency | undefined;
  const constantBalance = (key: 'opening' | 'closing'): BankBalance | undefined => {
    const given = mapping.statement[key];
    if (given === undefined) return undefined;
    if (currency === undefined)
      throw new InputError(
        `${file}: statement.${key}: a balance constant needs the fixed "currency" to read its amount`,
        { hint: MAPPING_HINT },
      );
    return {
      amountMinor: parseBoundedAmount(given.amount, currency, `${file}: statement.${key}.amount`),
      date: given.date,
    };
  };
  const { remittance } = mapping.columns;
  const rows = mapping.statement.balanceRows;
  return {
    delimiter: mapping.delimiter,
    decimalSeparator: mapping.decimalSeparator,
    thousandsSeparator: mapping.thousandsSeparator,
    dateFormat: mapping.dateFormat,
    columns: {
      ...mapping.columns,
      remittance:
        remittance === undefined ? [] : typeof remittance === 'string' ? [remittance] : remittance,
    },
    currency,
    bankCharge: mapping.bankCharge,
    statement: {
      id: mapping.statement.id,
      account: mapping.statement.account?.replace(/\s+/g, ''),
      opening: constantBalance('opening'),
      closing: constantBalance('closing'),
      balanceRows: rows && {
        column: rows.column,
        opening: rows.opening,
        closing: rows.closing,
        amount: rows.amount ?? mapping.columns.amount,
        date: rows.date ?? mapping.columns.bookingDate,
      },
    },
  };
}

const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': Object.keys(schema.shape),
  columns: Object.keys(schema.shape.columns.shape),
  'columns.direction': ['column', 'credit', 'debit'],
  bankCharge: ['column', 'values'],
  statement: Object.keys(schema.shape.statement.shape),
  'statement.opening': ['amount', 'date'],
  'statement.closing': ['amount', 'date'],
  'statement.balanceRows': ['column', 'opening', 'closing', 'amount', 'date'],
};

function reasonOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const known = KNOWN_KEYS[issue.path.join('.')] ?? [];
    const [key = ''] = issue.keys;
    return `unknown key "${printable(key)}"${didYouMean(key, known)}; known keys: ${known.join(', ')}`;
  }
  if (issue.code === 'invalid_type')
    return issue.message.endsWith('received undefined')
      ? 'is missing'
      : `must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}`;
  return issue.message;
}

/** Every column the mapping names, for the header check. */
export function mappedColumns(mapping: BankCsvMapping): string[] {
  const { columns, bankCharge, statement } = mapping;
  const named = [
    columns.bookingDate,
    columns.valueDate,
    columns.amount,
    columns.direction?.column,
    columns.currency,
    columns.account,
    columns.accountServicerRef,
    columns.endToEndId,
    ...columns.remittance,
    columns.counterparty,
    columns.typeCode,
    bankCharge?.column,
    statement.balanceRows?.column,
    statement.balanceRows?.amount,
    statement.balanceRows?.date,
  ];
  return [...new Set(named.filter((name): name is string => name !== undefined))];
}

/** The mapping of the CSV payops' simulated bank writes (fixtures/bank/csv-mapping.json is this). */
export const PAYOPS_BANK_CSV_MAPPING = {
  description:
    'The bank CSV written by `payops bank statement --format csv`: one opening_balance row, one row per entry (row_type entry, or charge for a bank charge), one closing_balance row.',
  delimiter: ',',
  decimalSeparator: '.',
  dateFormat: 'YYYY-MM-DD',
  columns: {
    bookingDate: 'booking_date',
    valueDate: 'value_date',
    amount: 'amount',
    currency: 'currency',
    account: 'account',
    accountServicerRef: 'bank_reference',
    endToEndId: 'end_to_end_id',
    remittance: 'remittance',
    counterparty: 'counterparty',
    typeCode: 'type_code',
  },
  bankCharge: { column: 'row_type', values: ['charge'] },
  statement: {
    balanceRows: {
      column: 'row_type',
      opening: 'opening_balance',
      closing: 'closing_balance',
      amount: 'balance',
    },
  },
} as const satisfies BankCsvMappingInput;
