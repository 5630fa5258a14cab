import { InputError } from '../../errors.js';
import {
  type Currency,
  exponentOf,
  formatAmount,
  parseBoundedAmount,
  printable,
  toCurrency,
} from '../../money/index.js';
import type {
  BankBalance,
  BankEntry,
  BankFormatDefinition,
  BankStatement,
  BankTransaction,
  StatementHeader,
  StatementPart,
} from '../types.js';
import {
  addDays,
  dateOfYymmdd,
  readTextLines,
  realDate,
  wrapText,
  yymmddOf,
} from './text-records.js';

/**
 * SWIFT MT940 Customer Statement Message (SWIFT Standards MT, Category 9), read line by line. A
 * file holds one or more messages, each optionally in its `{1:…}{2:…}{4:` … `-}` envelope; each
 * message is one statement (or one page of one: `:60M:`/`:62M:`). Fields start with a `:NN:` tag at
 * the start of a line and run until the next tag. docs/BANK-FORMATS.md "MT940" lists every decision.
 */

/** One field: its tag (`61`, `60F`), the line of the tag, the tag line's content and its continuation lines. */
interface Field {
  tag: string;
  line: number;
  lines: string[];
}

type FieldOrEnd = Field | { tag: 'end'; line: number };

/** SWIFT puts at most 6 lines in :86:; a field of more lines than this is not MT940. */
const MAX_FIELD_LINES = 100;
const TAG = /^:(\d{2}[A-Z]?):/;
/** `{1:…}{2:…}{3:{…}}` blocks before block 4. */
const LEADING_BLOCKS = /^(?:\{[1-3]:(?:[^{}]|\{[^{}]*\})*\})+/;
/** The identification codes (after N/F/S) the bank uses for its own charges and commissions. */
const CHARGE_CODES = new Set(['CHG', 'COM']);

async function* fieldsOf(file: string): AsyncGenerator<FieldOrEnd> {
  let field: Field | undefined;
  let lastLine = 0;
  for await (const { line, text: raw } of readTextLines(file)) {
    lastLine = line;
    let text = raw;
    if (text.startsWith('{')) {
      text = text.replace(LEADING_BLOCKS, '');
      if (!text.startsWith('{4:'))
        throw new InputError(
          `${file}:${line} envelope: "${printable(raw)}" is not a SWIFT block header ({1:…}{2:…}{4:)`,
        );
      text = text.slice(3);
      if (text === '') continue;
    }
    if (text.startsWith('-')) {
      if (field) yield field;
      field = undefined;
      yield { tag: 'end', line };
      continue;
    }
    const tag = TAG.exec(text);
    if (tag) {
      if (field) yield field;
      field = { tag: tag[1] as string, line, lines: [text.slice(tag[0].length)] };
    } else if (field) {
      if (field.lines.length >= MAX_FIELD_LINES)
        throw new InputError(
          `${file}:${line} :${field.tag}: the field has more than ${MAX_FIELD_LINES} lines`,
        );
      field.lines.push(text);
    } else {
      throw new InputError(
        `${file}:${line} line: "${printable(text)}" is outside any field (an MT940 line starts with a tag such as :20:)`,
      );
    }
  }
  if (field) yield field;
  yield { tag: 'end', line: lastLine };
}

interface Message {
  reference: string;
  account?: string;
  sequence?: string;
  header?: StatementHeader;
  closed: boolean;
}

/** Turns fields into statement parts; holds at most one message and one entry (waiting for its :86:). */
class Mt940Reader {
  private message: Message | undefined;
  private pending: { entry: BankEntry; informed: boolean } | undefined;

  constructor(private readonly file: string) {}

  *accept(field: FieldOrEnd): Generator<StatementPart> {
    if (!('lines' in field) || field.tag === '20') {
      yield* this.flushEntry();
      this.endMessage(field.line);
      if ('lines' in field)
        this.message = { reference: field.lines.join('').trim(), closed: false };
      return;
    }
    if (field.tag === '86') return this.inform(field);
    yield* this.flushEntry();
    const message = this.message;
    if (!message)
      throw this.error(field, 'the field comes before the :20: that starts a statement');
    if (field.tag === '25') {
      if (message.account !== undefined)
        throw this.error(
          field,
          `a second account in statement ${message.reference}: one :25: per statement`,
        );
      message.account = accountOf(field.lines.join('').trim());
    } else if (field.tag === '28C' || field.tag === '28') {
      if (message.sequence !== undefined)
        throw this.error(
          field,
          `a second statement number in statement ${message.reference}: one :28C: per statement`,
        );
      message.sequence = field.lines.join('').trim();
    } else if (field.tag === '60F' || field.tag === '60M') yield this.open(message, field);
    else if (field.tag === '61')
      this.pending = {
        entry: this.entryOf(field, this.openHeader(message, field)),
        informed: false,
      };
    else if (field.tag === '62F' || field.tag === '62M') yield this.close(message, field);
    // :21:, :13D:, :34F:, :64:, :65: and the statement's own :86: say nothing the sum check needs.
  }

  private endMessage(line: number): void {
    const message = this.message;
    this.message = undefined;
    if (!message) return;
    if (!message.header)
      throw new InputError(
        `${this.file}:${line} opening balance: statement ${message.reference} has no :60F: opening balance`,
      );
    if (!message.closed) {
      throw new InputError(
        `${this.file}:${line} closing balance: missing :62F: closing balance: statement ${message.header.statementId} ends here without one; the file is incomplete and nothing was imported`,
        {
          hint: 'ask the bank for the complete statement',
        },
      );
    }
  }

  private *flushEntry(): Generator<StatementPart> {
    if (this.pending) yield { kind: 'entry', entry: this.pending.entry };
    this.pending = undefined;
  }

  private inform(field: Field): void {
    if (!this.pending || this.pending.informed) return; // information about the whole statement
    this.pending.informed = true;
    const { remittance, counterparty } = informationOf(field.lines);
    const transaction = this.pending.entry.transactions[0] as BankTransaction;
    if (remittance !== null) transaction.remittance = remittance;
    transaction.counterparty = counterparty;
    if (transaction.endToEndId === null && remittance !== null)
      transaction.endToEndId = /(?:^| )EREF\+(\S+)/.exec(remittance)?.[1] ?? null;
  }

  private open(message: Message, field: Field): StatementPart {
    if (message.header)
      throw this.error(
        field,
        `a second opening balance in statement ${message.header.statementId}: each page of a statement is its own message (:20: … :62M:)`,
      );
    if (message.account === undefined)
      throw this.error(
        field,
        `statement ${message.reference} has no :25: account before its opening balance`,
      );
    const { balance, currency } = this.balanceOf(field);
    // :60F: is the balance at the end of its day (so the start of the next); :60M: carries on a page of the same day.
    const date = field.tag === '60F' ? addDays(balance.date, 1) : balance.date;
    const statementId =
      message.sequence === undefined
        ? message.reference
        : `${message.reference}/${message.sequence}`;
    message.header = {
      line: field.line,
      statementId,
      account: message.account,
      currency,
      opening: { amountMinor: balance.amountMinor, date },
    };
    return { kind: 'statement', header: message.header };
  }

  private close(message: Message, field: Field): StatementPart {
    const header = this.openHeader(message, field);
    const { balance, currency } = this.balanceOf(field);
    if (currency !== header.currency)
      throw this.error(
        field,
        `the closing balance is in ${currency}, the statement in ${header.currency}`,
      );
    message.closed = true;
    return { kind: 'end', footer: { closing: balance, line: field.line }, skipped: 0 };
  }

  private openHeader(message: Message, field: Field): StatementHeader {
    if (!message.header)
      throw this.error(
        field,
        `statement ${message.reference} has no :60F: opening balance before this field`,
      );
    if (message.closed)
      throw this.error(
        field,
        `statement ${message.header.statementId} is already closed by its :62F:`,
      );
    return message.header;
  }

  private balanceOf(field: Field): { balance: BankBalance; currency: Currency } {
    const text = field.lines.join('').trim();
    const parts = /^([CD])(\d{6})([A-Z]{3})(.*)$/.exec(text);
    if (!parts)
      throw this.error(
        field,
        `"${printable(text)}" is not a balance (C or D, date YYMMDD, currency, amount such as C261130EUR1000,00)`,
      );
    const [, mark, yymmdd, code, amountText] = parts as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    const where = `${this.file}:${field.line} :${field.tag}:`;
    const date = dateOfYymmdd(yymmdd);
    if (date === undefined) throw new InputError(`${where} date: "${yymmdd}" is not a date YYMMDD`);
    const currency = toCurrency(code, `${where} currency`);
    const amountMinor = mtAmount(amountText, currency, `${where} amount`);
    return { balance: { amountMinor: mark === 'D' ? -amountMinor : amountMinor, date }, currency };
  }

  private entryOf(field: Field, header: StatementHeader): BankEntry {
    const text = (field.lines[0] as string).trim();
    const parts = /^(\d{6})(\d{4})?(RC|RD|C|D)([A-Z])?(\d[\d.,]*)([NFS][A-Z0-9]{3})(.*)$/.exec(
      text,
    );
    if (!parts) {
      throw this.error(
        field,
        `"${printable(text)}" is not a statement line (value date YYMMDD, optional entry date MMDD, C/D/RC/RD, amount with a decimal comma, type such as NTRF, reference)`,
      );
    }
    const [, yymmdd, mmdd, mark, , amountText, typeCode, references] = parts as unknown as [
      string,
      string,
      string | undefined,
      string,
      string,
      string,
      string,
      string,
    ];
    const where = `${this.file}:${field.line} :61:`;
    const valueDate = dateOfYymmdd(yymmdd);
    if (valueDate === undefined)
      throw new InputError(`${where} value date: "${yymmdd}" is not a date YYMMDD`);
    const bookingDate = mmdd === undefined ? valueDate : entryDateNear(valueDate, mmdd);
    if (bookingDate === undefined)
      throw new InputError(`${where} entry date: "${mmdd}" is not a day MMDD`);
    const amountMinor = mtAmount(amountText, header.currency, `${where} amount`);
    if (amountMinor === 0n) throw new InputError(`${where} amount: must be greater than zero`);
    const split = references.indexOf('//');
    const customerRef = (split < 0 ? references : references.slice(0, split)).trim();
    const bankRef = split < 0 ? '' : references.slice(split + 2).trim();
    const details = field.lines
      .slice(1)
      .map((line) => line.trim())
      .join(' ');
    return {
      line: field.line,
      // RC reverses a credit: money leaves. RD reverses a debit: money comes back.
      direction: mark === 'C' || mark === 'RD' ? 'credit' : 'debit',
      amountMinor,
      currency: header.currency,
      bookingDate,
      valueDate,
      accountServicerRef: bankRef === '' ? null : bankRef,
      typeCode,
      bankCharge: CHARGE_CODES.has(typeCode.slice(1)),
      reversal: mark.startsWith('R'),
      transactions: [
        {
          amountMinor: null,
          endToEndId: customerRef === '' || customerRef === 'NONREF' ? null : customerRef,
          remittance: details === '' ? null : details,
          counterparty: null,
        },
      ],
    };
  }

  private error(field: Field, reason: string): InputError {
    return new InputError(`${this.file}:${field.line} :${field.tag}: ${reason}`);
  }
}

/** `:25:` without spaces and without a `/EUR` currency suffix (a `BLZ/number` account keeps its slash). */
function accountOf(text: string): string {
  const compact = text.replace(/\s+/g, '');
  const suffix = /^(.+)\/([A-Z]{3})$/.exec(compact);
  return suffix && /^[A-Z]{3}$/.test(suffix[2] as string) && isCurrency(suffix[2] as string)
    ? (suffix[1] as string)
    : compact;
}

function isCurrency(code: string): boolean {
  try {
    toCurrency(code);
    return true;
  } catch {
    return false;
  }
}

/** An MT amount: digits, a decimal comma, at most the currency's decimals ("1000,00", "1000,"). */
function mtAmount(text: string, currency: Currency, where: string): bigint {
  if (/^\d+,\d*$/.test(text)) {
    const [whole, decimals] = text.split(',') as [string, string];
    return parseBoundedAmount(decimals === '' ? whole : `${whole}.${decimals}`, currency, where);
  }
  if (/^\d+\.\d*$/.test(text))
    throw new InputError(
      `${where}: "${text}" has a decimal point; MT940 amounts use a decimal comma ("${text.replace('.', ',')}")`,
    );
  throw new InputError(
    `${where}: "${printable(text)}" is not an MT940 amount (digits and a decimal comma, e.g. "1000,00")`,
  );
}

/** The entry date MMDD in the year that puts it nearest its value date (so 1231 with value date 2027-01-02 is 2026-12-31). */
function entryDateNear(valueDate: string, mmdd: string): string | undefined {
  const year = Number(valueDate.slice(0, 4));
  const month = Number(mmdd.slice(0, 2));
  const day = Number(mmdd.slice(2, 4));
  const distance = (date: string) => Math.abs(Date.parse(date) - Date.parse(valueDate));
  const candidates = [year - 1, year, year + 1]
    .map((candidate) => realDate(candidate, month, day))
    .filter((date): date is string => date !== undefined);
  return candidates.sort((a, b) => distance(a) - distance(b))[0];
}

/**
 * `:86:` as text. Free text: its lines trimmed and joined by a space. The German structured variant
 * (`166?00GUTSCHRIFT?20EREF+…?32NAME`): the purpose subfields ?20–?29 and ?60–?63 joined by a
 * space, the name ?32?33 as the counterparty.
 */
function informationOf(lines: readonly string[]): {
  remittance: string | null;
  counterparty: string | null;
} {
  const joined = lines.map((line) => line.trim()).join('');
  if (!/^\d{3}\?\d{2}/.test(joined)) {
    const text = lines
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .join(' ');
    return { remittance: text === '' ? null : text, counterparty: null };
  }
  const purpose: string[] = [];
  let name = '';
  for (const piece of joined.split('?').slice(1)) {
    const code = Number(piece.slice(0, 2));
    const value = piece.slice(2);
    if ((code >= 20 && code <= 29) || (code >= 60 && code <= 63)) purpose.push(value.trim());
    else if (code === 32 || code === 33) name += value;
  }
  const remittance = purpose.filter((value) => value !== '').join(' ');
  return {
    remittance: remittance === '' ? null : remittance,
    counterparty: name.trim() === '' ? null : name.trim(),
  };
}

export const mt940Format: BankFormatDefinition = {
  format: 'mt940',
  recognizes: (head) => {
    const start = head.trimStart();
    return (
      (start.startsWith('{1:') || start.startsWith(':20:')) && /(^|\n|\r|\{4:):60[FM]:/.test(head)
    );
  },
  read: async function* (file) {
    const reader = new Mt940Reader(file);
    for await (const field of fieldsOf(file)) yield* reader.accept(field);
  },
  write: (statements) =>
    statements.map((statement, index) => messageText(statement, index)).join(''),
};

// ---- writer ----

/** The SWIFT X character set: anything else becomes "." (DESIGN §8: references lose characters at the bank). */
function swiftText(text: string): string {
  return text.replace(/[^A-Za-z0-9/\-?:().,'+ ]/g, '.');
}

function messageText(statement: BankStatement, index: number): string {
  const { header, entries, footer } = statement;
  const id = /^([^/]{1,16})\/(\d{1,5}(?:\/\d{1,5})?)$/.exec(header.statementId);
  const reference = swiftText(id ? (id[1] as string) : header.statementId.slice(0, 16))
    .replace(/^\/+|\/+$/g, '.')
    .replace(/\/\//g, './');
  const sequence = id ? (id[2] as string) : String(index + 1).padStart(5, '0');
  const lines = [
    '{1:F01PAYOPSBKAXXX0000000000}{2:I940PAYOPSBKXXXXN}{4:',
    `:20:${reference}`,
    `:25:${swiftText(header.account)}`,
    `:28C:${sequence}`,
    `:60F:${balanceText(header.opening.amountMinor, addDays(header.opening.date, -1), header.currency)}`,
    ...entries.flatMap((entry) => entryLines(entry)),
    `:62F:${balanceText(footer.closing.amountMinor, footer.closing.date, header.currency)}`,
    '-}',
  ];
  return lines.map((line) => `${line}\r\n`).join('');
}

function balanceText(amountMinor: bigint, date: string, currency: Currency): string {
  return `${amountMinor < 0n ? 'D' : 'C'}${yymmddOf(date)}${currency}${mtAmountText(amountMinor < 0n ? -amountMinor : amountMinor, currency)}`;
}

function mtAmountText(amountMinor: bigint, currency: Currency): string {
  const text = formatAmount(amountMinor, currency);
  return exponentOf(currency) === 0 ? `${text},` : text.replace('.', ',');
}

const MARKS = { credit: ['C', 'RD'], debit: ['D', 'RC'] } as const;

function entryLines(entry: BankEntry): string[] {
  const mark = MARKS[entry.direction][entry.reversal ? 1 : 0];
  const valueDate = entry.valueDate ?? entry.bookingDate;
  const typeCode =
    entry.typeCode !== null &&
    /^[NFS][A-Z0-9]{3}$/.test(entry.typeCode) &&
    CHARGE_CODES.has(entry.typeCode.slice(1)) === entry.bankCharge
      ? entry.typeCode
      : entry.bankCharge
        ? 'NCHG'
        : 'NTRF';
  const first = entry.transactions[0];
  // No "//" inside and no "/" at the end: the reader splits the customer reference from the bank's at the first "//".
  const endToEndId = first?.endToEndId
    ? swiftText(first.endToEndId).replace(/\/\//g, './').replace(/\/$/, '.')
    : null;
  const customerRef = endToEndId !== null && endToEndId.length <= 16 ? endToEndId : 'NONREF';
  // A bank reference is 16 characters: a longer one keeps its end, where references usually differ.
  const bankRef =
    entry.accountServicerRef === null ? '' : `//${swiftText(entry.accountServicerRef).slice(-16)}`;
  const statementLine = `:61:${yymmddOf(valueDate)}${entry.bookingDate.slice(5, 7)}${entry.bookingDate.slice(8, 10)}${mark}${mtAmountText(entry.amountMinor, entry.currency)}${typeCode}${customerRef}${bankRef}`;
  const information = entry.transactions
    .map((transaction) => {
      const eref =
        transaction.endToEndId !== null && (transaction !== first || customerRef === 'NONREF')
          ? `EREF+${transaction.endToEndId}`
          : '';
      return [eref, transaction.remittance ?? ''].filter((text) => text !== '').join(' ');
    })
    .filter((text) => text !== '')
    .join(' ');
  return information === ''
    ? [statementLine]
    : [statementLine, ...informationLines(swiftText(information).replace(/\s+/g, ' ').trim())];
}

/** `:86:` wrapped to 65-character lines; a continuation line never starts with ":" or "-" (it would read as a tag or the end). */
function informationLines(text: string): string[] {
  const [first, ...rest] = wrapText(`:86:${text}`, 65);
  return [
    first as string,
    ...rest.map((line) =>
      line.startsWith(':') || line.startsWith('-') ? `.${line.slice(1)}` : line,
    ),
  ];
}
