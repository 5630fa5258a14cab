import { InputError, UsageError } from '../../errors.js';
import { readFileHead } from '../../input/file-head.js';
import { unsupportedEncodingReason } from '../../input/utf8.js';
import { formatAmount } from '../../money/index.js';
import {
  BANK_FORMATS,
  type BankFormat,
  type BankFormatDefinition,
  type BankEntry,
  type BankStatement,
  type BankWriteOptions,
  type StatementFooter,
  type StatementHeader,
  type StatementPart,
} from '../types.js';
import { bai2Format } from './bai2.js';
import { camt053Format } from './camt053.js';
import { csvFormat } from './csv.js';
import { mt940Format } from './mt940.js';

/** Detection reads this much of the file. */
const DETECTION_BYTES = 64 * 1024;

/** Recognised from content, in this order; `csv` only with a mapping file (it has no header of its own). */
const DETECTED: readonly BankFormatDefinition[] = [camt053Format, mt940Format, bai2Format];
const ALL: readonly BankFormatDefinition[] = [...DETECTED, csvFormat];

export interface StatementReadOptions {
  /** Forced with --format; else detected from the content. */
  format?: BankFormat;
  /** Implies (and is required by) `csv`. */
  mappingFile?: string;
}

export interface StatementReader {
  format: BankFormat;
  /** The parts in file order, each statement checked: opening + credits − debits = closing. */
  parts(): AsyncGenerator<StatementPart>;
}

/**
 * Opens a bank statement file: reads its beginning, settles the format (forced, csv by a mapping
 * file, or detected from the content) and returns a reader whose parts are sum-checked. Throws
 * UsageError for a missing file or contradictory options, InputError for a file no format reads.
 */
export async function openStatement(
  file: string,
  options: StatementReadOptions = {},
): Promise<StatementReader> {
  const forced = checkOptions(options);
  const head = await readHead(file);
  const wrongEncoding = unsupportedEncodingReason(head);
  if (wrongEncoding !== undefined) throw new InputError(`${file}:1 encoding: ${wrongEncoding}`);
  const text = head.toString('utf8');
  if (text.trim() === '')
    throw new InputError(
      `${file}: the file is empty (expected a bank statement: camt.053, MT940, BAI2 or a mapped CSV)`,
    );
  const definition = forced === undefined ? detect(text, file) : definitionOf(forced);
  return {
    format: definition.format,
    parts: () => sumChecked(file, definition.read(file, { mappingFile: options.mappingFile })),
  };
}

/** True when the file's beginning is a bank statement a format recognises (`reconcile run` routes it to the bank leg). */
export async function looksLikeStatement(file: string): Promise<boolean> {
  const head = await readHead(file).catch(() => undefined);
  if (head === undefined) return false;
  const text = head.toString('utf8');
  return DETECTED.some((definition) => definition.recognizes(text));
}

export function writeStatements(
  format: BankFormat,
  statements: readonly BankStatement[],
  options: BankWriteOptions,
): string {
  return definitionOf(format).write(statements, options);
}

/**
 * Enforces the sum check of every statement: opening + Σ credits − Σ debits = closing, in minor
 * units; a statement that does not add up is refused as incomplete with the numbers. Also refuses
 * an entry in another currency than its statement's, and a file with no statement.
 */
async function* sumChecked(
  file: string,
  parts: AsyncGenerator<StatementPart>,
): AsyncGenerator<StatementPart> {
  let open: OpenStatement | undefined;
  let statements = 0;
  for await (const part of parts) {
    if (part.kind === 'statement') {
      if (open)
        throw new Error(
          `${file}: the ${part.header.statementId} statement began before ${open.header.statementId} ended (parser bug)`,
        );
      open = { header: part.header, creditsMinor: 0n, debitsMinor: 0n, latest: undefined };
      statements++;
    } else if (part.kind === 'entry') {
      if (!open)
        throw new Error(`${file}:${part.entry.line}: an entry outside any statement (parser bug)`);
      const { entry } = part;
      if (entry.currency !== open.header.currency) {
        throw new InputError(
          `${file}:${entry.line} currency: the entry is in ${entry.currency}, its statement ${open.header.statementId} in ${open.header.currency}`,
        );
      }
      if (open.latest === undefined || entry.bookingDate > open.latest.bookingDate)
        open.latest = entry;
      if (entry.direction === 'credit') open.creditsMinor += entry.amountMinor;
      else open.debitsMinor += entry.amountMinor;
    } else {
      if (!open)
        throw new Error(
          `${file}:${part.footer.line}: a statement end outside any statement (parser bug)`,
        );
      assertDates(file, open, part.footer);
      assertSums(file, open, part.footer.closing.amountMinor, part.footer.line);
      open = undefined;
    }
    yield part;
  }
  if (open)
    throw new InputError(
      `${file}: statement ${open.header.statementId} has no closing balance: the file is incomplete`,
    );
  if (statements === 0) throw new InputError(`${file}: holds no statement`);
}

interface OpenStatement {
  header: StatementHeader;
  creditsMinor: bigint;
  debitsMinor: bigint;
  /** The entry booked last (the first of that day), for the date check. */
  latest: BankEntry | undefined;
}

/**
 * The closing balance (end of its day) is not before the opening (start of its day), and holds
 * every entry: an entry booked after the closing day cannot be in it. An entry booked before the
 * opening day is let through (MT940 gives only a back-dated value date when it omits the entry date).
 */
function assertDates(file: string, open: OpenStatement, footer: StatementFooter): void {
  const { header, latest } = open;
  const closingDate = footer.closing.date;
  if (closingDate < header.opening.date) {
    throw new InputError(
      `${file}:${footer.line} closing balance: statement ${header.statementId} is dated ${closingDate}, before its opening balance (start of ${header.opening.date}); nothing was imported`,
    );
  }
  if (latest !== undefined && latest.bookingDate > closingDate) {
    throw new InputError(
      `${file}:${latest.line} booking date: the entry is booked on ${latest.bookingDate}, after the closing balance of statement ${header.statementId} (end of ${closingDate}); nothing was imported`,
      {
        hint: 'ask the bank for the statement again',
      },
    );
  }
}

function assertSums(file: string, open: OpenStatement, closingMinor: bigint, line: number): void {
  const { header, creditsMinor, debitsMinor } = open;
  const expectedMinor = header.opening.amountMinor + creditsMinor - debitsMinor;
  if (expectedMinor === closingMinor) return;
  const show = (minor: bigint) => formatAmount(minor, header.currency);
  throw new InputError(
    `${file}:${line} closing balance: statement ${header.statementId} does not add up: opening ${show(header.opening.amountMinor)} + credits ${show(creditsMinor)} - debits ${show(debitsMinor)} = ${show(expectedMinor)} ${header.currency}, but the closing balance is ${show(closingMinor)} (${show(closingMinor - expectedMinor)} unexplained); the file is incomplete and nothing was imported`,
    { hint: 'ask the bank for the complete statement' },
  );
}

function checkOptions(options: StatementReadOptions): BankFormat | undefined {
  const { format, mappingFile } = options;
  if (format !== undefined && !(BANK_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format: "${String(format)}" is not one of ${BANK_FORMATS.join(', ')}`);
  }
  if (format === 'csv' && mappingFile === undefined)
    throw new UsageError(
      '--format csv needs a --mapping FILE that names the columns (see docs/BANK-FORMATS.md)',
    );
  if (mappingFile !== undefined && format !== undefined && format !== 'csv')
    throw new UsageError(
      `--mapping describes a bank CSV; it cannot be used with --format ${format}`,
    );
  return mappingFile !== undefined ? 'csv' : format;
}

function definitionOf(format: BankFormat): BankFormatDefinition {
  const definition = ALL.find((candidate) => candidate.format === format);
  if (!definition) throw new RangeError(`no definition for bank format ${format}`);
  return definition;
}

function detect(head: string, file: string): BankFormatDefinition {
  const recognized = DETECTED.find((definition) => definition.recognizes(head));
  if (recognized) return recognized;
  throw new InputError(`${file}: not a bank statement payops reads (camt.053 XML, MT940 or BAI2)`, {
    hint: 'pass --format, or a --mapping file for a bank CSV (docs/BANK-FORMATS.md)',
  });
}

function readHead(file: string): Promise<Buffer> {
  return readFileHead(file, DETECTION_BYTES, 'bank statement');
}
