import { InputError, UsageError } from '../../errors.js';
import { readFileHead } from '../../input/file-head.js';
import { unsupportedEncodingReason } from '../../input/utf8.js';
import {
  SETTLEMENT_FORMATS,
  type SettlementFormat,
  type SettlementRow,
  type SettlementRowError,
} from '../types.js';
import { adyenFormat } from './adyen.js';
import { type CsvItem, firstRecord, readCsvBatches } from '../../input/csv.js';
import { type FormatDefinition, type RecordParser, RowError } from './format.js';
import { genericFormat } from './generic.js';
import { Header } from './header.js';
import { loadMapping } from './mapping.js';
import { payopsFormat } from './payops.js';
import { paypalFormat } from './paypal.js';
import { stripeFormat } from './stripe.js';

export interface SettlementReadOptions {
  /** Forced with --format; else detected from the header. */
  format?: SettlementFormat;
  /** Required for 'generic'. */
  mappingFile?: string;
  /** First bad row throws InputError(`file:line field: reason`). */
  strict?: boolean;
  /**
   * Non-strict: each bad row is reported here and the file goes on. Without it a bad row throws as
   * under `strict`: a row is never dropped without a word.
   */
  onError?: (error: SettlementRowError) => void;
}

export interface SettlementReader {
  format: SettlementFormat;
  /** Streams rows in file order; memory flat whatever the file size (a 1,000,000-row file). */
  rows(): AsyncGenerator<SettlementRow>;
}

/** Detection reads this much of the file: the header must fit in it. */
const DETECTION_BYTES = 64 * 1024;

/** Formats recognised from the first record, in the order they are tried. */
const BUILT_IN_FORMATS: readonly FormatDefinition[] = [
  payopsFormat,
  stripeFormat,
  adyenFormat,
  paypalFormat,
];

/**
 * Opens a settlement file: reads its beginning, settles the format (forced, from a mapping file, or
 * detected from the header) and checks that the header fits it. The rows are read by `rows()`.
 * Throws UsageError for a missing file or contradictory options, InputError for a file whose
 * header fits no format (naming the closest one and the columns that differ).
 */
export async function openSettlement(
  file: string,
  options: SettlementReadOptions = {},
): Promise<SettlementReader> {
  const forced = checkOptions(options);
  const definition =
    forced === 'generic'
      ? genericFormat(loadMapping(options.mappingFile as string), options.mappingFile as string)
      : forced === undefined
        ? undefined
        : definitionOf(forced);
  const headBytes = await readHead(file);
  const wrongEncoding = unsupportedEncodingReason(headBytes);
  if (wrongEncoding !== undefined) throw new InputError(`${file}:1 encoding: ${wrongEncoding}`);
  const head = headBytes.toString('utf8');
  if (head.length >= DETECTION_BYTES && !head.includes('\n')) {
    throw new InputError(
      `${file}:1 header: the first line is longer than ${DETECTION_BYTES / 1024} KiB (not a settlement file?)`,
    );
  }
  const delimiter = definition?.delimiter ?? ',';
  if (definition === undefined) refuseOtherDelimiter(head, file);
  const header = firstRecord(head, delimiter);
  if (header === undefined)
    throw new InputError(
      `${file}: the file is empty (expected a settlement file, starting with its header)`,
    );
  if (header.problem)
    throw new InputError(`${file}:${header.line} header: ${header.problem.reason}`);
  if (header.line !== 1)
    throw new InputError(
      `${file}:1 header: the first line is blank (the header must be the first line)`,
    );
  const chosen = definition ?? detect(header.fields, file);
  const context = { file };
  chosen.open(header.fields, context); // a header that does not fit fails here, before any row is read
  return {
    format: chosen.format,
    rows: () => readRows(file, chosen, header.fields, options),
  };
}

function checkOptions(options: SettlementReadOptions): SettlementFormat | undefined {
  const { format, mappingFile } = options;
  if (format !== undefined && !(SETTLEMENT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(
      `--format: "${String(format)}" is not one of ${SETTLEMENT_FORMATS.join(', ')}`,
    );
  }
  if (format === 'generic' && mappingFile === undefined) {
    throw new UsageError(
      '--format generic needs a --mapping FILE that names the columns (see docs/SETTLEMENT-FORMATS.md)',
    );
  }
  if (mappingFile !== undefined && format !== undefined && format !== 'generic') {
    throw new UsageError(
      `--mapping describes a generic CSV; it cannot be used with --format ${format}`,
    );
  }
  return mappingFile !== undefined ? 'generic' : format;
}

function definitionOf(format: SettlementFormat): FormatDefinition {
  const definition = BUILT_IN_FORMATS.find((candidate) => candidate.format === format);
  if (!definition) throw new RangeError(`no definition for settlement format ${format}`);
  return definition;
}

/**
 * The built-in formats are comma-separated: a header with no comma but another common delimiter
 * is named as such, rather than compared column by column as one long unknown column.
 */
function refuseOtherDelimiter(head: string, file: string): void {
  const firstLine = head.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const unquoted = firstLine.replace(/"(?:[^"]|"")*"/g, '""');
  if (unquoted.includes(',')) return;
  const found = [';', '\t', '|'].find((candidate) => unquoted.includes(candidate));
  if (found === undefined) return;
  const shown = found === '\t' ? 'tabs' : `"${found}"`;
  throw new InputError(
    `${file}:1 header: the columns are separated by ${shown}, not commas; payops' built-in formats (payops, stripe, adyen, paypal) are comma-separated`,
    {
      hint: `describe the file with a --mapping file whose "delimiter" is ${JSON.stringify(found)}; see docs/SETTLEMENT-FORMATS.md`,
    },
  );
}

function readHead(file: string): Promise<Buffer> {
  return readFileHead(file, DETECTION_BYTES, 'settlement file');
}

/** The format whose header the first record is, or the InputError naming the closest one. */
function detect(fields: readonly string[], file: string): FormatDefinition {
  const recognized = BUILT_IN_FORMATS.find(
    (definition) => definition.recognizes?.(fields) === true,
  );
  if (recognized) return recognized;
  const header = new Header(fields, file);
  const candidates = BUILT_IN_FORMATS.filter((definition) => definition.columns !== undefined).map(
    (definition) => {
      const columns = definition.columns as NonNullable<FormatDefinition['columns']>;
      return {
        definition,
        missing: header.missing(columns),
        unexpected: header.unexpected(columns),
      };
    },
  );
  const fitting = candidates.find(
    (candidate) => candidate.missing.length === 0 && candidate.unexpected.length === 0,
  );
  if (fitting) return fitting.definition;
  const closest = candidates.reduce((best, candidate) =>
    candidate.missing.length + candidate.unexpected.length <
    best.missing.length + best.unexpected.length
      ? candidate
      : best,
  );
  const differences = [
    closest.missing.length > 0 ? `missing: ${list(closest.missing)}` : '',
    closest.unexpected.length > 0 ? `unexpected: ${list(closest.unexpected)}` : '',
  ].filter((part) => part !== '');
  throw new InputError(
    `${file}: not a known settlement format; closest is ${closest.definition.format} (${differences.join('; ')})`,
    {
      hint: 'pass --format, or a --mapping file for a generic CSV',
    },
  );
}

function list(names: readonly string[], shown = 8): string {
  const head = names.slice(0, shown).join(', ');
  return names.length > shown ? `${head} and ${names.length - shown} more` : head;
}

async function* readRows(
  file: string,
  definition: FormatDefinition,
  headerFields: readonly string[],
  options: SettlementReadOptions,
): AsyncGenerator<SettlementRow> {
  const parser: RecordParser = definition.open(headerFields, { file });
  const report = (line: number, field: string, reason: string): void => {
    if (options.strict || !options.onError)
      throw new InputError(`${file}:${line} ${field}: ${reason}`);
    options.onError({ line, field, reason });
  };
  let afterHeader = false;
  let lastLine = 0;
  for await (const batch of readCsvBatches(file, { delimiter: definition.delimiter ?? ',' })) {
    for (const item of batch) {
      lastLine = item.line;
      if (!afterHeader) {
        afterHeader = true; // the header, read and checked by openSettlement
        continue;
      }
      if (!item.problem && item.unterminated && !definition.endsWithCountingFooter) {
        report(
          item.line,
          'csv',
          'the file ends in this row, with no line break after it: it may have been cut short (a complete file ends every row with a line break)',
        );
        continue;
      }
      const row = parseItem(parser, item, report);
      if (row) yield row;
    }
  }
  try {
    parser.finish?.(lastLine);
  } catch (error) {
    if (!(error instanceof RowError)) throw error;
    report(error.line ?? lastLine, error.field, error.reason);
  }
}

function parseItem(
  parser: RecordParser,
  item: CsvItem,
  report: (line: number, field: string, reason: string) => void,
): SettlementRow | undefined {
  if (item.problem) {
    const { column, reason } = item.problem;
    report(
      item.line,
      column === null ? 'csv' : (parser.columnName?.(column) ?? `column ${column + 1}`),
      reason,
    );
    return undefined;
  }
  try {
    return parser.parse(item.fields, item.line);
  } catch (error) {
    if (!(error instanceof RowError)) throw error;
    report(error.line ?? item.line, error.field, error.reason);
    return undefined;
  }
}
