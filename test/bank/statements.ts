import { createHash } from 'node:crypto';
import { openStatement } from '../../src/bank/formats/index.js';
import type {
  BankEntry,
  BankFormat,
  BankStatement,
  BankTransaction,
  StatementPart,
} from '../../src/bank/types.js';
import { type Currency, toCurrency } from '../../src/money/index.js';

export const ACCOUNT = 'DE89370400440532013000';
const USD = toCurrency('USD');

/** An entry with everything but what the test cares about filled in (line and, unless given, booking day set by `statementOf`). */
export function bankEntry(
  direction: 'credit' | 'debit',
  amountMinor: bigint,
  fields: Partial<BankEntry> & { text?: string; endToEndId?: string } = {},
): BankEntry {
  const { text, endToEndId, ...rest } = fields;
  const transaction: BankTransaction = {
    amountMinor: null,
    endToEndId: endToEndId ?? null,
    remittance: text ?? null,
    counterparty: null,
  };
  return {
    line: 0,
    direction,
    amountMinor,
    currency: USD,
    bookingDate: '',
    valueDate: null,
    accountServicerRef: null,
    typeCode: null,
    bankCharge: false,
    reversal: false,
    transactions: [transaction],
    ...rest,
  };
}

/** A one-account statement whose closing is its opening plus its entries (as the sum check demands). */
export function statementOf(
  entries: readonly BankEntry[],
  options: {
    openingMinor?: bigint;
    openingDate?: string;
    closingDate?: string;
    id?: string;
    currency?: Currency;
    firstLine?: number;
  } = {},
): BankStatement {
  const openingMinor = options.openingMinor ?? 0n;
  const currency = options.currency ?? USD;
  const first = options.firstLine ?? 10;
  const day = options.closingDate ?? options.openingDate ?? '2026-11-24';
  const lined = entries.map((entry, index) => ({
    ...entry,
    currency,
    line: first + index * 10,
    bookingDate: entry.bookingDate || day,
  }));
  const closingMinor = lined.reduce(
    (sum, entry) => sum + (entry.direction === 'credit' ? entry.amountMinor : -entry.amountMinor),
    openingMinor,
  );
  return {
    header: {
      line: first - 5,
      statementId: options.id ?? 'STMT-1',
      account: ACCOUNT,
      currency,
      opening: { amountMinor: openingMinor, date: options.openingDate ?? '2026-11-24' },
    },
    entries: lined,
    footer: {
      closing: {
        amountMinor: closingMinor,
        date: options.closingDate ?? options.openingDate ?? '2026-11-24',
      },
      line: first + lined.length * 10,
    },
  };
}

/** The parts a parser would stream for these statements. */
export async function* partsOf(
  statements: readonly BankStatement[],
): AsyncGenerator<StatementPart> {
  for (const statement of statements) {
    yield { kind: 'statement', header: statement.header };
    for (const entry of statement.entries) yield { kind: 'entry', entry };
    yield { kind: 'end', footer: statement.footer, skipped: 0 };
  }
}

/** A stable stand-in for a file's SHA-256: the statements' content. */
export function shaOf(name: string, statements: readonly BankStatement[]): string {
  return createHash('sha256')
    .update(name)
    .update(
      JSON.stringify(statements, (_key, value: unknown) =>
        typeof value === 'bigint' ? value.toString() : value,
      ),
    )
    .digest('hex');
}

/** Every statement of a file, whole, and the format it was read as (tests only: the reader itself never holds one). */
export async function readStatements(
  file: string,
  format?: BankFormat,
): Promise<{ format: BankFormat; statements: BankStatement[] }> {
  const reader = await openStatement(file, format ? { format } : {});
  const statements: BankStatement[] = [];
  let current: BankStatement | undefined;
  for await (const part of reader.parts()) {
    if (part.kind === 'statement')
      current = {
        header: part.header,
        entries: [],
        footer: { closing: { amountMinor: 0n, date: '' }, line: 0 },
      };
    else if (part.kind === 'entry') current?.entries.push(part.entry);
    else if (current) {
      current.footer = part.footer;
      statements.push(current);
    }
  }
  return { format: reader.format, statements };
}
