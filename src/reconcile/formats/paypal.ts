import { type Currency, formatAmount, printable } from '../../money/index.js';
import { normalizeInstant } from '../../time.js';
import type { SettlementRow, SettlementRowType } from '../types.js';
import {
  checkSigns,
  currencyField,
  minorUnitsField,
  optionalText,
  requiredText,
  rowErrorFrom,
} from './fields.js';
import { type FormatDefinition, type HeaderColumns, RowError } from './format.js';
import { Header } from './header.js';

/**
 * PayPal's Settlement report (STL): a CSV whose first field says what each record is.
 *
 *   RH report header · FH file header · SH section header · CH the section's column names ·
 *   SB one transaction · SF section footer (per currency: gross and fee credits and debits) ·
 *   SC section record count · RF report footer · RC report record count · FF file footer
 *
 * Amounts are unsigned integers in minor units; "CR"/"DR" beside them says whether the money came
 * into or left our PayPal balance. The transaction event code (T-code) says what happened.
 * The footers are checked against the rows read, and a mismatch is reported on the footer's line.
 */
const REQUIRED = [
  'Transaction ID',
  'Transaction Event Code',
  'Transaction Initiation Date',
  'Transaction Debit or Credit',
  'Gross Transaction Amount',
  'Gross Transaction Currency',
  'Fee Debit or Credit',
  'Fee Amount',
  'Fee Currency',
];
const OPTIONAL = [
  'Invoice ID',
  'PayPal Reference ID',
  'PayPal Reference ID Type',
  'Transaction Completion Date',
  'Custom Field',
  'Consumer ID',
  'Payment Tracking ID',
  'Store ID',
  'Bank Reference ID',
  'Credit Transactional Fee',
  'Credit Promotional Fee',
  'Credit Term',
];
const BODY_COLUMNS: HeaderColumns = { required: REQUIRED, optional: OPTIONAL };
const RECORD_TYPES = 'RH, FH, SH, CH, SB, SF, SC, RF, RC, FF';

/** "2026/11/23 02:15:03 -0800" */
const PAYPAL_TIME = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-]\d{2})(\d{2})$/;

interface Totals {
  grossCredits: bigint;
  grossDebits: bigint;
  feeCredits: bigint;
  feeDebits: bigint;
}

/** What a T-code is to us, given the direction of its gross amount; undefined for a row that moves no money. */
function typeOfEvent(code: string, direction: 'CR' | 'DR'): SettlementRowType | undefined {
  const match = /^T(\d{2})(\d{2})$/.exec(code);
  if (!match)
    throw new RowError(
      'Transaction Event Code',
      `"${printable(code)}" is not a transaction event code (T followed by four digits)`,
    );
  const group = match[1] as string;
  switch (group) {
    case '00': // payments received (T0006 Express Checkout, T0000 general, …); a payment we sent is an adjustment
      return direction === 'CR' ? 'capture' : 'adjustment';
    case '01': // non-payment fees; one credited back is an adjustment
      return direction === 'DR' ? 'fee' : 'adjustment';
    case '04': // withdrawals to the bank: PayPal's payout
      return direction === 'DR' ? 'payout' : 'adjustment';
    case '13': // authorizations: no money moves
      throw new RowError(
        'Transaction Event Code',
        `${code} is an authorization, which moves no money: not a settlement row`,
      );
    case '98': // display-only transactions
      return undefined;
  }
  switch (code) {
    case 'T1107': // payment refund, initiated by the merchant
      return 'refund';
    case 'T1106': // payment reversal, initiated by PayPal (a chargeback or a reversal the buyer won)
    case 'T1201': // chargeback
    case 'T1207': // chargeback re-presentment rejection
      return 'chargeback';
    case 'T1202': // chargeback reversal
    case 'T1208': // chargeback cancellation
      return 'chargeback_reversal';
    default:
      return 'adjustment';
  }
}

export const paypalFormat: FormatDefinition = {
  format: 'paypal',
  endsWithCountingFooter: true,
  recognizes: (firstRecord) => firstRecord[0] === 'RH' || firstRecord[0] === 'FH',
  open(firstRecord, { file }) {
    let body: { header: Header; at: (name: string) => number } | undefined;
    let bodyProblem: string | undefined;
    let section: { rows: number; unreadable: number; totals: Map<string, Totals> } | undefined;
    let reportRows = 0;
    let fileRows = 0;
    let reportRecords = firstRecord[0] === 'RH' ? 1 : 0;
    let fileRecords = 1;
    let sawFileFooter = false;

    const count = (fields: readonly string[], field: string): bigint => {
      const text = fields[1] ?? '';
      if (!/^[0-9]{1,12}$/.test(text))
        throw new RowError(field, `"${printable(text)}" is not a record count`);
      return BigInt(text);
    };
    /** A count PayPal states: the body rows, or every record up to and including this one (both readings are accepted). */
    const checkCount = (
      fields: readonly string[],
      field: string,
      what: string,
      rows: number,
      records: number,
    ): void => {
      const stated = count(fields, field);
      if (stated !== BigInt(rows) && stated !== BigInt(records)) {
        throw new RowError(
          field,
          `the ${what} says ${stated} record(s) but ${rows} transaction row(s) were read: the file is incomplete or altered`,
        );
      }
    };

    return {
      columnName: (index) =>
        index === 0 ? 'record type' : (body?.header.nameAt(index - 1) ?? `column ${index + 1}`),
      parse(fields, line): SettlementRow | undefined {
        const recordType = fields[0] ?? '';
        reportRecords++;
        fileRecords++;
        switch (recordType) {
          case 'SB': {
            reportRows++;
            fileRows++;
            if (section) section.rows++;
            try {
              if (!body)
                throw new RowError(
                  'SB',
                  bodyProblem ?? 'a transaction row before any column header (CH)',
                );
              const parsed = parseBody(fields.slice(1), line, body.header, body.at);
              if (section) addToTotals(section.totals, parsed);
              return parsed.row;
            } catch (error) {
              if (section) section.unreadable++;
              throw error;
            }
          }
          case 'CH': {
            const header = new Header(fields.slice(1), file);
            const missing = header.missing(BODY_COLUMNS);
            if (missing.length > 0) {
              body = undefined;
              bodyProblem = `the column header on line ${line} lacks ${missing.join(', ')}`;
              throw new RowError(
                'CH',
                `missing column(s) ${missing.join(', ')}: the transaction rows of this section cannot be read`,
              );
            }
            body = { header, at: (name) => header.indexOf(name) };
            bodyProblem = undefined;
            return undefined;
          }
          case 'SH':
            section = { rows: 0, unreadable: 0, totals: new Map() };
            return undefined;
          case 'SF': {
            if (!section)
              throw new RowError('SF', 'a section footer outside a section (no SH before it)');
            // Rows that could not be read were reported already; their totals cannot be checked.
            if (section.unreadable === 0) checkSectionFooter(fields, section.totals);
            return undefined;
          }
          case 'SC': {
            if (!section)
              throw new RowError(
                'SC',
                'a section record count outside a section (no SH before it)',
              );
            const rows = section.rows;
            section = undefined;
            checkCount(fields, 'SC', 'section record count', rows, rows);
            return undefined;
          }
          case 'RC':
            checkCount(fields, 'RC', 'report record count', reportRows, reportRecords);
            return undefined;
          case 'FF':
            sawFileFooter = true;
            checkCount(fields, 'FF', 'file footer', fileRows, fileRecords);
            return undefined;
          case 'FH':
            fileRecords = 1;
            fileRows = 0;
            return undefined;
          case 'RH':
          case 'RF':
            return undefined;
          default:
            throw new RowError(
              'record type',
              `"${printable(recordType)}" is not a PayPal settlement record (${RECORD_TYPES})`,
            );
        }
      },
      finish(lastLine) {
        if (section)
          throw new RowError(
            'SC',
            'the last section has no record count (SC): the file is truncated',
            lastLine,
          );
        if (!sawFileFooter)
          throw new RowError(
            'FF',
            'the file ends without its file footer (FF): it is truncated',
            lastLine,
          );
      },
    };
  },
};

interface BodyRow {
  /** Undefined for a row that moves no money (display-only T98xx). */
  row: SettlementRow | undefined;
  currency: Currency;
  grossDirection: 'CR' | 'DR';
  grossAmount: bigint;
  feeDirection: 'CR' | 'DR' | null;
  feeAmount: bigint;
}

function parseBody(
  fields: readonly string[],
  line: number,
  header: Header,
  at: (name: string) => number,
): BodyRow {
  header.checkWidth(fields);
  const get = (name: string): string | undefined => {
    const index = at(name);
    return index < 0 ? undefined : fields[index];
  };
  const code = requiredText(get('Transaction Event Code'), 'Transaction Event Code');
  const grossDirection = direction(
    get('Transaction Debit or Credit'),
    'Transaction Debit or Credit',
  );
  const mapped = typeOfEvent(code, grossDirection);
  const currency = currencyField(get('Gross Transaction Currency'), 'Gross Transaction Currency');
  const grossAmount = unsigned(
    get('Gross Transaction Amount'),
    currency,
    'Gross Transaction Amount',
  );
  const feeText = get('Fee Amount') ?? '';
  let feeDirection: 'CR' | 'DR' | null = null;
  let feeAmount = 0n;
  if (feeText !== '') {
    feeDirection = direction(get('Fee Debit or Credit'), 'Fee Debit or Credit');
    const feeCurrency = currencyField(get('Fee Currency'), 'Fee Currency');
    if (feeCurrency !== currency)
      throw new RowError(
        'Fee Currency',
        `${feeCurrency} differs from the gross currency ${currency}: payops reconciles one currency per row`,
      );
    feeAmount = unsigned(feeText, currency, 'Fee Amount');
  }
  const body = { currency, grossDirection, grossAmount, feeDirection, feeAmount };
  if (mapped === undefined) return { ...body, row: undefined };

  let grossMinor = grossDirection === 'CR' ? grossAmount : -grossAmount;
  // A fee PayPal keeps is a positive fee; one it gives back (a refund's fee returned) is negative.
  let feeMinor = feeDirection === 'CR' ? -feeAmount : feeAmount;
  let type = mapped;
  if (type === 'fee' && feeMinor === 0n) {
    // A fee T-code carries its amount as the gross: payops keeps it in the fee column.
    feeMinor = -grossMinor;
    grossMinor = 0n;
  }
  if (type === 'fee' && feeMinor <= 0n) type = 'adjustment';
  checkSigns(type, grossMinor, feeMinor, currency, 'Gross Transaction Amount', 'Fee Amount');
  const completed = optionalText(get('Transaction Completion Date'));
  return {
    ...body,
    row: {
      line,
      type,
      pspReference: requiredText(get('Transaction ID'), 'Transaction ID'),
      merchantReference:
        type === 'payout'
          ? null
          : (optionalText(get('Invoice ID')) ?? optionalText(get('Custom Field'))),
      batchId: null,
      currency,
      grossMinor,
      feeMinor,
      netMinor: grossMinor - feeMinor,
      occurredAt:
        completed === null
          ? paypalTime(get('Transaction Initiation Date'), 'Transaction Initiation Date')
          : paypalTime(completed, 'Transaction Completion Date'),
      availableOn: null,
      providerType: code,
    },
  };
}

function addToTotals(totals: Map<string, Totals>, row: BodyRow): void {
  const currency = row.currency;
  let entry = totals.get(currency);
  if (!entry) {
    entry = { grossCredits: 0n, grossDebits: 0n, feeCredits: 0n, feeDebits: 0n };
    totals.set(currency, entry);
  }
  if (row.grossDirection === 'CR') entry.grossCredits += row.grossAmount;
  else entry.grossDebits += row.grossAmount;
  if (row.feeDirection === 'CR') entry.feeCredits += row.feeAmount;
  else if (row.feeDirection === 'DR') entry.feeDebits += row.feeAmount;
}

/** SF: currency, total gross credits, total gross debits, total fee credits, total fee debits, then balances (not checked). */
function checkSectionFooter(fields: readonly string[], totals: Map<string, Totals>): void {
  const currency = currencyField(fields[1], 'SF currency');
  const read = totals.get(currency) ?? {
    grossCredits: 0n,
    grossDebits: 0n,
    feeCredits: 0n,
    feeDebits: 0n,
  };
  const stated: [string, bigint, bigint][] = [
    [
      'total gross credits',
      unsigned(fields[2], currency, 'SF total gross credits'),
      read.grossCredits,
    ],
    [
      'total gross debits',
      unsigned(fields[3], currency, 'SF total gross debits'),
      read.grossDebits,
    ],
    ['total fee credits', unsigned(fields[4], currency, 'SF total fee credits'), read.feeCredits],
    ['total fee debits', unsigned(fields[5], currency, 'SF total fee debits'), read.feeDebits],
  ];
  const wrong = stated.filter(([, footer, rows]) => footer !== rows);
  if (wrong.length > 0) {
    const text = (minor: bigint) => formatAmount(minor, currency);
    throw new RowError(
      'SF',
      `${currency} ${wrong.map(([name, footer, rows]) => `${name} ${text(footer)} ≠ ${text(rows)} summed from the section's rows`).join('; ')}`,
    );
  }
}

function direction(value: string | undefined, field: string): 'CR' | 'DR' {
  if (value === 'CR' || value === 'DR') return value;
  throw new RowError(field, `"${printable(value ?? '')}" is neither CR nor DR`);
}

function unsigned(value: string | undefined, currency: Currency, field: string): bigint {
  const minor = minorUnitsField(value, currency, field);
  if (minor < 0n || value?.startsWith('-'))
    throw new RowError(
      field,
      `"${value}" has a sign: PayPal's amounts are unsigned, CR or DR gives the direction`,
    );
  return minor;
}

function paypalTime(value: string | undefined, field: string): string {
  const text = requiredText(value, field);
  const match = PAYPAL_TIME.exec(text);
  if (!match)
    throw new RowError(
      field,
      `"${printable(text)}" is not a PayPal time (expected "YYYY/MM/DD HH:MM:SS -0800")`,
    );
  const [, year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match;
  try {
    return normalizeInstant(
      `${year}-${month}-${day}T${hour}:${minute}:${second}${offsetHours}:${offsetMinutes}`,
      field,
    );
  } catch (error) {
    throw rowErrorFrom(error, field);
  }
}
