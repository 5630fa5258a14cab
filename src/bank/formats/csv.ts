import { InputError } from '../../errors.js';
import { type Currency, parseBoundedAmount, printable, toCurrency } from '../../money/index.js';
import { amount, csvTable, text as cellText } from '../../output/csv.js';
import { type CsvItem, readCsvBatches } from '../../input/csv.js';
import type {
  BankBalance,
  BankEntry,
  BankFormatDefinition,
  BankStatement,
  StatementHeader,
  StatementPart,
} from '../types.js';
import { isIsoDay } from './camt053.js';
import { type BankCsvMapping, loadBankCsvMapping, mappedColumns } from './csv-mapping.js';

/**
 * A bank's CSV export, read through a mapping file (csv-mapping.ts, docs/BANK-FORMATS.md "Mapped
 * CSV"). A CSV file is one statement of one account in one currency. Its balances come from the
 * mapping's constants or from balance rows: the opening row must come before every entry row, the
 * closing row after every one. Rows are read in batches with their physical line numbers; memory
 * holds one batch.
 */
export const csvFormat: BankFormatDefinition = {
  format: 'csv',
  recognizes: () => false, // a CSV has no header of its own: only --mapping says it is a statement
  read: async function* (file, options) {
    if (options.mappingFile === undefined)
      throw new RangeError('the csv bank format needs a mapping file (openStatement checks this)');
    yield* readMappedCsv(file, loadBankCsvMapping(options.mappingFile));
  },
  write: writeBankCsv,
};

type Row = { line: number; get: (name: string | undefined) => string };

/** The state of one read: the statement so far. */
class CsvStatementReader {
  private header: StatementHeader | null = null;
  private opening: BankBalance | undefined;
  private openingLine: number | undefined;
  private closing: { balance: BankBalance; line: number } | undefined;
  private currency: Currency | undefined;
  private account: string | undefined;

  constructor(
    private readonly file: string,
    private readonly mapping: BankCsvMapping,
  ) {
    this.opening = mapping.statement.opening;
    this.currency = mapping.currency;
    this.account = mapping.statement.account;
  }

  fail(line: number, field: string, reason: string): never {
    throw new InputError(`${this.file}:${line} ${field}: ${reason}`, {
      hint: 'check the row, or the mapping file (docs/BANK-FORMATS.md, "Mapped CSV")',
    });
  }

  /** The parts a row completes (none for the opening row). */
  row(row: Row): StatementPart[] {
    const rows = this.mapping.statement.balanceRows;
    const kind = rows === undefined ? 'entry' : row.get(rows.column).trim();
    if (this.closing)
      this.fail(
        row.line,
        rows?.column ?? 'row',
        `a row after the closing balance row (line ${this.closing.line}): the closing balance comes last`,
      );
    if (rows && kind === rows.opening) {
      if (this.opening)
        this.fail(
          row.line,
          rows.column,
          this.header
            ? 'the opening balance row comes after an entry: it must come first'
            : 'a second opening balance row',
        );
      this.learnStatementValues(row);
      this.opening = this.balanceOf(row, rows.amount, rows.date);
      this.openingLine = row.line;
      return [];
    }
    const parts = this.header ? [] : [this.startStatement(row)];
    if (rows && kind === rows.closing) {
      this.closing = { balance: this.balanceOf(row, rows.amount, rows.date), line: row.line };
      return parts;
    }
    return [...parts, { kind: 'entry', entry: this.entryOf(row) }];
  }

  end(lastLine: number): StatementPart[] {
    const parts: StatementPart[] = this.header ? [] : [this.startStatement(undefined, lastLine)];
    const closing =
      this.closing ??
      (this.mapping.statement.closing
        ? { balance: this.mapping.statement.closing, line: lastLine }
        : undefined);
    if (!closing)
      this.fail(
        lastLine,
        'closing balance',
        `the file has no closing balance row (${this.mapping.statement.balanceRows?.column} = "${this.mapping.statement.balanceRows?.closing}"): it is incomplete`,
      );
    return [
      ...parts,
      { kind: 'end', footer: { closing: closing.balance, line: closing.line }, skipped: 0 },
    ];
  }

  private learnStatementValues(row: Row): void {
    const { columns } = this.mapping;
    if (this.account === undefined && columns.account) {
      const account = row.get(columns.account).replace(/\s+/g, '');
      if (account !== '') this.account = account;
    }
    if (this.currency === undefined && columns.currency) {
      const code = row.get(columns.currency).trim();
      if (code !== '') this.currency = this.currencyOf(code, row.line);
    }
  }

  private startStatement(row: Row | undefined, lastLine = 1): StatementPart {
    const line = row?.line ?? lastLine;
    if (row) this.learnStatementValues(row);
    if (!this.opening)
      this.fail(
        line,
        'opening balance',
        `no opening balance before the first entry (a row with ${this.mapping.statement.balanceRows?.column} = "${this.mapping.statement.balanceRows?.opening}" must come first)`,
      );
    if (this.account === undefined)
      this.fail(line, this.mapping.columns.account ?? 'account', 'the account is empty');
    if (this.currency === undefined)
      this.fail(line, this.mapping.columns.currency ?? 'currency', 'the currency is empty');
    const statementId = this.mapping.statement.id ?? `${this.account}:${this.opening.date}`;
    this.header = {
      line: this.openingLine ?? line,
      statementId,
      account: this.account,
      currency: this.currency,
      opening: this.opening,
    };
    return { kind: 'statement', header: this.header };
  }

  private entryOf(row: Row): BankEntry {
    const { columns, bankCharge } = this.mapping;
    const header = this.header as StatementHeader;
    if (columns.account) {
      const account = row.get(columns.account).replace(/\s+/g, '');
      if (account !== '' && account !== header.account)
        this.fail(
          row.line,
          columns.account,
          `"${printable(account)}" is another account than the statement's ${header.account} (one account per file)`,
        );
    }
    const currency = this.rowCurrency(row) ?? header.currency;
    const { direction, amountMinor } = this.signedAmount(row, currency);
    const charge = bankCharge?.values.includes(row.get(bankCharge.column).trim()) ?? false;
    const remittance = columns.remittance
      .map((name) => untext(row.get(name)))
      .filter((value) => value !== '')
      .join(' ');
    const optional = (name: string | undefined): string | null =>
      name === undefined ? null : untext(row.get(name)) || null;
    const valueDate = optional(columns.valueDate);
    return {
      line: row.line,
      direction,
      amountMinor,
      currency,
      bookingDate: this.dateOf(row.get(columns.bookingDate), columns.bookingDate, row.line),
      valueDate:
        valueDate === null ? null : this.dateOf(valueDate, columns.valueDate as string, row.line),
      accountServicerRef: optional(columns.accountServicerRef),
      typeCode: optional(columns.typeCode),
      bankCharge: charge && direction === 'debit',
      reversal: false,
      transactions: [
        {
          amountMinor: null,
          endToEndId: optional(columns.endToEndId),
          remittance: remittance || null,
          counterparty: optional(columns.counterparty),
        },
      ],
    };
  }

  private signedAmount(
    row: Row,
    currency: Currency,
  ): { direction: 'credit' | 'debit'; amountMinor: bigint } {
    const { columns } = this.mapping;
    const signed = this.amountOf(row.get(columns.amount), columns.amount, currency, row.line);
    if (signed === 0n) this.fail(row.line, columns.amount, 'an entry of zero moves no money');
    if (!columns.direction)
      return {
        direction: signed > 0n ? 'credit' : 'debit',
        amountMinor: signed > 0n ? signed : -signed,
      };
    if (signed < 0n)
      this.fail(
        row.line,
        columns.amount,
        `is negative, but the direction column "${columns.direction.column}" gives the sign: write the amount without one`,
      );
    const said = row.get(columns.direction.column).trim();
    const direction = columns.direction.credit.includes(said)
      ? 'credit'
      : columns.direction.debit.includes(said)
        ? 'debit'
        : undefined;
    if (!direction) {
      const known = [...columns.direction.credit, ...columns.direction.debit]
        .map((value) => `"${value}"`)
        .join(', ');
      this.fail(
        row.line,
        columns.direction.column,
        `"${printable(said)}" is not a direction the mapping knows (${known})`,
      );
    }
    return { direction, amountMinor: signed };
  }

  private balanceOf(row: Row, amountColumn: string, dateColumn: string): BankBalance {
    const currency = this.rowCurrency(row) ?? this.currency;
    if (currency === undefined)
      this.fail(row.line, this.mapping.columns.currency ?? 'currency', 'the currency is empty');
    if (this.currency !== undefined && currency !== this.currency)
      this.fail(
        row.line,
        this.mapping.columns.currency ?? 'currency',
        `the balance is in ${currency}, the statement in ${this.currency}`,
      );
    const written = this.amountOf(row.get(amountColumn), amountColumn, currency, row.line);
    // A balance row may carry the direction column too (an overdrawn balance marked debit); empty = signed as written.
    const direction = this.mapping.columns.direction;
    const said = direction ? row.get(direction.column).trim() : '';
    const overdrawn = direction !== undefined && said !== '' && direction.debit.includes(said);
    if (direction && said !== '' && !overdrawn && !direction.credit.includes(said))
      this.fail(
        row.line,
        direction.column,
        `"${printable(said)}" is not a direction the mapping knows`,
      );
    if (direction && said !== '' && written < 0n)
      this.fail(
        row.line,
        amountColumn,
        `is negative, but the direction column "${direction.column}" gives the sign`,
      );
    return {
      amountMinor: overdrawn ? -written : written,
      date: this.dateOf(row.get(dateColumn), dateColumn, row.line),
    };
  }

  private rowCurrency(row: Row): Currency | undefined {
    const name = this.mapping.columns.currency;
    if (name === undefined) return undefined;
    const code = row.get(name).trim();
    return code === '' ? undefined : this.currencyOf(code, row.line);
  }

  private currencyOf(code: string, line: number): Currency {
    try {
      return toCurrency(
        code,
        `${this.file}:${line} ${this.mapping.columns.currency ?? 'currency'}`,
      );
    } catch (error) {
      throw new InputError((error as Error).message, { hint: 'an ISO 4217 code such as EUR' });
    }
  }

  private amountOf(raw: string, name: string, currency: Currency, line: number): bigint {
    const { decimalSeparator, thousandsSeparator } = this.mapping;
    let written = raw.trim().replace(/^\+/, '');
    if (written === '') this.fail(line, name, 'the amount is empty');
    if (thousandsSeparator !== '' && written.includes(thousandsSeparator)) {
      const [whole = ''] = written.split(decimalSeparator);
      // Groups of exactly three: "1.00" with "." for thousands is a mistake, never 100.
      if (!new RegExp(`^-?\\d{1,3}(?:${escapeRegExp(thousandsSeparator)}\\d{3})+$`).test(whole)) {
        this.fail(
          line,
          name,
          `"${printable(raw)}" is not an amount: "${thousandsSeparator}" separates thousands (groups of three digits), "${decimalSeparator}" the decimals`,
        );
      }
      written = written.split(thousandsSeparator).join('');
    }
    if (decimalSeparator === ',') {
      if (written.includes('.'))
        this.fail(
          line,
          name,
          `"${printable(raw)}" has a "." but the mapping's decimal separator is ","`,
        );
      written = written.replace(',', '.');
    }
    return parseBoundedAmount(written, currency, `${this.file}:${line} ${name}`);
  }

  private dateOf(raw: string, name: string, line: number): string {
    const day = dayOf(raw.trim(), this.mapping.dateFormat);
    if (day === undefined)
      this.fail(
        line,
        name,
        `"${printable(raw)}" is not a date in the mapping's format ${this.mapping.dateFormat}`,
      );
    return day;
  }
}

/** YYYY-MM-DD of `text` written in `format` (tokens YYYY, MM, DD and literal text), or undefined. */
export function dayOf(text: string, format: string): string | undefined {
  const order: string[] = [];
  const pattern = format.replace(/YYYY|MM|DD|[^YMD]+|[YMD]/g, (token) => {
    if (token === 'YYYY' || token === 'MM' || token === 'DD') {
      order.push(token);
      return token === 'YYYY' ? '(\\d{4})' : '(\\d{2})';
    }
    return escapeRegExp(token);
  });
  const match = new RegExp(`^${pattern}$`).exec(text);
  if (!match) return undefined;
  const part = (token: string) => match[order.indexOf(token) + 1] as string;
  const day = `${part('YYYY')}-${part('MM')}-${part('DD')}`;
  return isIsoDay(day) ? day : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Undoes the apostrophe a careful writer puts before a cell that starts like a formula. */
function untext(value: string): string {
  const trimmed = value.trim();
  return /^'[=+\-@]/.test(trimmed) ? trimmed.slice(1) : trimmed;
}

async function* readMappedCsv(
  file: string,
  mapping: BankCsvMapping,
): AsyncGenerator<StatementPart> {
  const reader = new CsvStatementReader(file, mapping);
  let index: Map<string, number> | undefined;
  let lastLine = 1;
  for await (const batch of readCsvBatches(file, { delimiter: mapping.delimiter })) {
    for (const item of batch) {
      const record = checked(file, item);
      lastLine = record.line;
      if (index === undefined) {
        index = headerIndex(file, record.line, record.fields, mapping);
        continue;
      }
      if (record.fields.length !== index.size) {
        reader.fail(
          record.line,
          'csv',
          `the row has ${record.fields.length} fields, the header ${index.size}`,
        );
      }
      const fields = record.fields;
      const columns = index;
      yield* reader.row({
        line: record.line,
        get: (name) => (name === undefined ? '' : (fields[columns.get(name) as number] ?? '')),
      });
    }
  }
  if (index === undefined)
    throw new InputError(
      `${file}: the file is empty (expected a header row naming the columns of the mapping)`,
    );
  yield* reader.end(lastLine);
}

function checked(file: string, item: CsvItem): { line: number; fields: string[] } {
  if (item.problem) throw new InputError(`${file}:${item.line} csv: ${item.problem.reason}`);
  return item;
}

function headerIndex(
  file: string,
  line: number,
  names: string[],
  mapping: BankCsvMapping,
): Map<string, number> {
  const index = new Map<string, number>();
  names.forEach((raw, position) => {
    const name = raw.trim();
    if (index.has(name))
      throw new InputError(`${file}:${line} header: column "${printable(name)}" appears twice`);
    index.set(name, position);
  });
  const missing = mappedColumns(mapping).filter((name) => !index.has(name));
  if (missing.length > 0) {
    throw new InputError(
      `${file}:${line} header: the mapping names columns the file does not have: ${missing.map((name) => `"${printable(name)}"`).join(', ')} (the file has ${names.map((name) => `"${printable(name)}"`).join(', ')})`,
      {
        hint: 'check the mapping file and the delimiter',
      },
    );
  }
  return index;
}

// ---- the writer: payops' own bank CSV (PAYOPS_BANK_CSV_MAPPING) ----

const WRITTEN_COLUMNS = [
  'row_type',
  'account',
  'booking_date',
  'value_date',
  'amount',
  'balance',
  'currency',
  'bank_reference',
  'end_to_end_id',
  'remittance',
  'counterparty',
  'type_code',
];

/**
 * One statement as the CSV PAYOPS_BANK_CSV_MAPPING reads: an opening_balance row, one row per
 * entry (`charge` for a bank charge), a closing_balance row. Balances sit in their own `balance`
 * column so that summing `amount` gives the day's movement. A CSV row cannot carry a batch: a
 * batched entry is one row whose end_to_end_id is empty and whose remittance holds every
 * transaction's end-to-end id and text (the matcher searches remittance for references).
 */
function writeBankCsv(statements: readonly BankStatement[]): string {
  // The reader refuses a control character in any cell (a line break included): a space instead.
  const text = (value: string | null) =>
    cellText(value === null ? null : value.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' '));
  if (statements.length !== 1)
    throw new RangeError(`a bank CSV holds one statement, not ${statements.length}`);
  const { header, entries, footer } = statements[0] as BankStatement;
  const { currency, account } = header;
  const balanceRow = (kind: string, balance: BankBalance) => [
    text(kind),
    text(account),
    text(balance.date),
    null,
    null,
    amount(balance.amountMinor, currency),
    text(currency),
    null,
    null,
    null,
    null,
    null,
  ];
  const rows = entries.map((entry) => {
    const single = entry.transactions.length === 1 ? entry.transactions[0] : undefined;
    const remittance = single
      ? single.remittance
      : entry.transactions
          .map((one) => [one.endToEndId, one.remittance].filter(Boolean).join(' '))
          .filter(Boolean)
          .join(' ');
    return [
      text(entry.bankCharge ? 'charge' : 'entry'),
      text(account),
      text(entry.bookingDate),
      text(entry.valueDate),
      amount(entry.direction === 'credit' ? entry.amountMinor : -entry.amountMinor, currency),
      null,
      text(currency),
      text(entry.accountServicerRef),
      text(single?.endToEndId ?? null),
      text(remittance || null),
      text(single?.counterparty ?? null),
      text(entry.typeCode),
    ];
  });
  return csvTable(WRITTEN_COLUMNS, [
    balanceRow('opening_balance', header.opening),
    ...rows,
    balanceRow('closing_balance', footer.closing),
  ]);
}
