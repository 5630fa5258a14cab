import type { SettlementFormat, SettlementRow } from '../types.js';

/**
 * What a settlement format plugs into the reader: how to recognise its first record, and how to
 * turn each record after it into a SettlementRow.
 */
export interface FormatDefinition {
  format: SettlementFormat;
  /** The field delimiter; "," unless said. */
  delimiter?: string;
  /** The header columns of a one-header CSV format, for detection and the closest-format message. */
  columns?: HeaderColumns;
  /**
   * The file ends with a footer that counts its records (PayPal's FF), so a file cut short is
   * found by the format itself and its last record may end without a line break. Every other
   * format's last row must end with one: a file cut short can end in a row that still parses,
   * `125.00` cut to `12`.
   */
  endsWithCountingFooter?: true;
  /** For a format without one header row: true when the file's first record is this format's. */
  recognizes?(firstRecord: readonly string[]): boolean;
  /**
   * The parser for a file whose first record is `firstRecord`. Throws an InputError (naming the
   * file) when that record does not fit, e.g. a required column is missing.
   */
  open(firstRecord: readonly string[], context: OpenContext): RecordParser;
}

export interface OpenContext {
  /** The file as the user named it, for messages. */
  file: string;
}

export interface RecordParser {
  /**
   * One record after the first → its row, or undefined for a record that moves no money (a
   * PayPal header or footer). Throws RowError for a record it cannot read.
   */
  parse(fields: readonly string[], line: number): SettlementRow | undefined;
  /** The name of a column in messages, e.g. "gross" for column 6. */
  columnName?(index: number): string;
  /** After the last record, with the line it was on: checks that need the whole file. Throws RowError. */
  finish?(lastLine: number): void;
}

export interface HeaderColumns {
  required: readonly string[];
  optional: readonly string[];
  /** Extra columns the provider lets users add (e.g. Stripe's `payment_metadata[key]`). */
  optionalPatterns?: readonly RegExp[];
}

/** A record the parser refuses: reported as `FILE:LINE field: reason`. */
export class RowError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
    /** Set when the error belongs to another line than the record being read (a footer's check). */
    readonly line?: number,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'RowError';
  }
}
