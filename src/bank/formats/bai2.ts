import { InputError } from '../../errors.js';
import { type Currency, beyondAmountLimit, printable, toCurrency } from '../../money/index.js';
import type {
  BankEntry,
  BankFormatDefinition,
  BankStatement,
  StatementHeader,
  StatementPart,
} from '../types.js';
import { dateOfYymmdd, readTextLines, wrapText, yymmddOf } from './text-records.js';

/**
 * BAI2 (BAI Cash Management Balance Reporting Specification, version 2, 2005), read line by line:
 * 01 file, 02 group (one as-of date), 03 account … 16 details … 49, 98, 99 trailers whose control
 * totals and record counts are all checked; 88 continues the record before it. Each 03…49 account
 * is one statement. Amounts are in the currency's minor units, no decimal point. docs/BANK-FORMATS.md "BAI2".
 */

/**
 * Detail type codes the bank uses for its own fees (BAI 2005 list): 661 account analysis fee and
 * 698 miscellaneous fees. 699 (miscellaneous debit) is not a fee: an unexplained debit must never
 * be booked to bank fees by the fee-cap rule.
 */
const BAI2_FEE_CODES: ReadonlySet<string> = new Set(['661', '698']);
const MAX_DISTRIBUTIONS = 100;

/** A record with its 88 continuations (one logical record). */
interface LogicalRecord {
  code: string;
  line: number;
  /** After `NN,`, as written. */
  text: string;
  continuations: string[];
}

/** Reads a record's fields one at a time: a field ends at "," or at the "/" that ends the record. */
class FieldCursor {
  private position = 0;
  private ended = false;
  constructor(private readonly text: string) {}

  next(): string {
    if (this.ended) return '';
    const comma = this.text.indexOf(',', this.position);
    const slash = this.text.indexOf('/', this.position);
    const end = comma < 0 ? slash : slash < 0 ? comma : Math.min(comma, slash);
    if (end < 0) {
      this.ended = true;
      return this.text.slice(this.position).trim();
    }
    const field = this.text.slice(this.position, end).trim();
    this.position = end + 1;
    if (end === slash) this.ended = true;
    return field;
  }

  more(): boolean {
    return !this.ended && this.position < this.text.length;
  }

  /** What is left of the line (a 16's text), without the one "/" that may end it. */
  rest(): string {
    const rest = this.ended ? '' : this.text.slice(this.position);
    return rest.endsWith('/') ? rest.slice(0, -1) : rest;
  }
}

interface Totals {
  line: number;
  totalMinor: bigint;
  records: number;
}

interface FileState extends Totals {
  sender: string;
  fileId: string;
  groups: number;
}

interface GroupState extends Totals {
  asOfDate: string;
  currency: Currency;
  accounts: number;
}

interface AccountState extends Totals {
  header: StatementHeader;
  closingMinor: bigint;
}

class Bai2Reader {
  private fileState: FileState | undefined;
  private group: GroupState | undefined;
  private account: AccountState | undefined;
  private done = false;

  constructor(private readonly file: string) {}

  *accept(record: LogicalRecord): Generator<StatementPart> {
    const records = 1 + record.continuations.length;
    if (this.done) throw this.error(record, 'record', 'a record after the 99 file trailer');
    if (record.code !== '01' && !this.fileState)
      throw this.error(record, 'record', 'the file does not start with a 01 file header record');
    for (const level of [this.fileState, this.group, this.account])
      if (level) level.records += records;
    switch (record.code) {
      case '01':
        return this.startFile(record, records);
      case '02':
        return this.startGroup(record, records);
      case '03':
        yield this.startAccount(record, records);
        return;
      case '16':
        yield { kind: 'entry', entry: this.entryOf(record) };
        return;
      case '49':
        yield this.endAccount(record);
        return;
      case '98':
        return this.endGroup(record);
      case '99':
        return this.endFile(record);
      default:
        throw this.error(
          record,
          'record code',
          `"${printable(record.code)}" is not a BAI2 record (01, 02, 03, 16, 88, 49, 98, 99)`,
        );
    }
  }

  finish(lastLine: number): void {
    if (this.done) return;
    if (!this.fileState)
      throw new InputError(
        `${this.file}:${lastLine} 01 file header: the file holds no BAI2 records`,
      );
    const inside = this.account
      ? ` inside account ${this.account.header.account} (no 49 account trailer)`
      : this.group
        ? ' inside a group (no 98 group trailer)'
        : '';
    throw new InputError(
      `${this.file}:${lastLine} 99 file trailer: the file ends${inside} without its 99 file trailer: it is truncated; nothing was imported`,
      {
        hint: 'ask the bank for the complete file',
      },
    );
  }

  private startFile(record: LogicalRecord, records: number): void {
    if (this.fileState) throw this.error(record, '01 file header', 'a second file header');
    const fields = new FieldCursor(record.text);
    const sender = fields.next();
    fields.next(); // receiver
    this.date(record, 'creation date', fields.next());
    fields.next(); // creation time
    const fileId = fields.next();
    fields.next(); // physical record length
    fields.next(); // block size
    const version = fields.next();
    if (sender === '' || fileId === '')
      throw this.error(record, '01 file header', 'the sender and the file id are required');
    if (version !== '2')
      throw this.error(
        record,
        '01 version',
        `"${printable(version)}" is not 2: payops reads BAI version 2 files`,
      );
    this.fileState = { line: record.line, sender, fileId, totalMinor: 0n, records, groups: 0 };
  }

  private startGroup(record: LogicalRecord, records: number): void {
    if (this.group)
      throw this.error(
        record,
        '02 group header',
        'a group header before the 98 trailer of the group before',
      );
    const fields = new FieldCursor(record.text);
    fields.next(); // ultimate receiver
    fields.next(); // originator
    const status = fields.next();
    if (status === '2' || status === '4')
      throw this.error(
        record,
        '02 group status',
        `${status === '2' ? 'a deletion' : 'a test-only'} group (status ${status}) is not a statement to import`,
      );
    if (status !== '1' && status !== '3')
      throw this.error(
        record,
        '02 group status',
        `"${printable(status)}" is not 1 (update) or 3 (correction)`,
      );
    const asOfDate = this.date(record, '02 as-of date', fields.next());
    fields.next(); // as-of time
    const code = fields.next();
    const currency = toCurrency(code === '' ? 'USD' : code, `${this.where(record)} 02 currency`);
    this.group = { line: record.line, asOfDate, currency, totalMinor: 0n, records, accounts: 0 };
  }

  private startAccount(record: LogicalRecord, records: number): StatementPart {
    const group = this.group;
    if (!group)
      throw this.error(record, '03 account', 'an account outside any group (no 02 group header)');
    if (this.account)
      throw this.error(
        record,
        '03 account',
        `account ${this.account.header.account} has no 49 trailer before this one`,
      );
    // An 88 continues the 03's fields: each piece's ending "/" removed, the pieces joined as fields.
    const fields = new FieldCursor(
      [record.text, ...record.continuations].map((piece) => piece.replace(/\/$/, '')).join(','),
    );
    const account = fields.next().replace(/\s+/g, '');
    if (account === '') throw this.error(record, '03 account', 'the account number is empty');
    const code = fields.next();
    const currency =
      code === '' ? group.currency : toCurrency(code, `${this.where(record)} 03 currency`);
    const { balances, totalMinor } = this.summaries(record, fields, account);
    const opening = balances.get('010');
    const closing = balances.get('015');
    if (opening === undefined)
      throw this.error(
        record,
        '03 opening ledger',
        `account ${account} has no 010 opening ledger balance`,
      );
    if (closing === undefined)
      throw this.error(
        record,
        '03 closing ledger',
        `account ${account} has no 015 closing ledger balance`,
      );
    const header: StatementHeader = {
      line: record.line,
      statementId: `${this.fileState?.sender}/${this.fileState?.fileId}/${account}`,
      account,
      currency,
      opening: { amountMinor: opening, date: group.asOfDate },
    };
    group.accounts++;
    this.account = { line: record.line, header, closingMinor: closing, totalMinor, records };
    return { kind: 'statement', header };
  }

  /** The 03's type-code groups: 010 and 015 kept (040/045 and the summaries only count in the control total). */
  private summaries(
    record: LogicalRecord,
    fields: FieldCursor,
    account: string,
  ): { balances: Map<string, bigint>; totalMinor: bigint } {
    const balances = new Map<string, bigint>();
    let totalMinor = 0n;
    while (fields.more()) {
      const code = fields.next();
      const amount = fields.next();
      fields.next(); // item count
      this.skipFunds(record, fields, fields.next());
      if (code === '' && amount === '') continue;
      if (!/^\d{3}$/.test(code))
        throw this.error(record, '03 type code', `"${printable(code)}" is not a 3-digit type code`);
      if (amount === '') continue;
      const amountMinor = this.amount(record, `03 ${code} amount`, amount, true);
      totalMinor += amountMinor;
      if (code === '010' || code === '015') {
        if (balances.has(code))
          throw this.error(
            record,
            `03 ${code}`,
            `type code ${code} given twice in the 03 of account ${account}: the balance has one value (ask the bank which one is meant)`,
          );
        balances.set(code, amountMinor);
      }
    }
    return { balances, totalMinor };
  }

  private entryOf(record: LogicalRecord): BankEntry {
    const account = this.account;
    if (!account)
      throw this.error(
        record,
        '16 transaction',
        'a transaction outside any account (no 03 account record)',
      );
    const fields = new FieldCursor(record.text);
    const typeCode = fields.next();
    const number = Number(typeCode);
    if (!/^\d{3}$/.test(typeCode) || number < 100 || number > 699) {
      throw this.error(
        record,
        '16 type code',
        `"${printable(typeCode)}" is neither a credit (100-399) nor a debit (400-699) detail type code`,
      );
    }
    const amountMinor = this.amount(record, '16 amount', fields.next(), false);
    if (amountMinor === 0n) throw this.error(record, '16 amount', 'must be greater than zero');
    account.totalMinor += amountMinor;
    const valueDate = this.skipFunds(record, fields, fields.next());
    const bankRef = fields.next();
    const customerRef = fields.next();
    const text = [
      fields.rest(),
      ...record.continuations.map((line) => (line.endsWith('/') ? line.slice(0, -1) : line)),
    ]
      .map((piece) => piece.trim())
      .filter((piece) => piece !== '')
      .join(' ');
    return {
      line: record.line,
      direction: number < 400 ? 'credit' : 'debit',
      amountMinor,
      currency: account.header.currency,
      bookingDate: (this.group as GroupState).asOfDate,
      valueDate,
      accountServicerRef: bankRef === '' ? null : bankRef,
      typeCode,
      bankCharge: BAI2_FEE_CODES.has(typeCode),
      reversal: false,
      transactions: [
        {
          amountMinor: null,
          endToEndId: customerRef === '' ? null : customerRef,
          remittance: text === '' ? null : text,
          counterparty: null,
        },
      ],
    };
  }

  /** Reads past a funds type's own fields so the fields after it are the right ones; a `V` gives the value date. */
  private skipFunds(record: LogicalRecord, fields: FieldCursor, fundsType: string): string | null {
    const type = fundsType.toUpperCase();
    if (type === '' || type === 'Z' || type === '0' || type === '1' || type === '2') return null;
    if (type === 'V') {
      const date = this.date(record, 'funds value date', fields.next());
      fields.next(); // value time
      return date;
    }
    if (type === 'S') {
      for (let i = 0; i < 3; i++)
        this.amount(record, 'funds distribution amount', fields.next() || '0', true);
      return null;
    }
    if (type === 'D') {
      const count = fields.next();
      if (!/^\d+$/.test(count) || Number(count) > MAX_DISTRIBUTIONS)
        throw this.error(
          record,
          'funds distribution count',
          `"${printable(count)}" is not a count up to ${MAX_DISTRIBUTIONS}`,
        );
      for (let i = 0; i < Number(count) * 2; i++) fields.next();
      return null;
    }
    throw this.error(
      record,
      'funds type',
      `"${printable(fundsType)}" is not one of Z, 0, 1, 2, V, S, D`,
    );
  }

  private endAccount(record: LogicalRecord): StatementPart {
    const account = this.account;
    if (!account)
      throw this.error(
        record,
        '49 account trailer',
        'an account trailer with no 03 account record before it',
      );
    const fields = new FieldCursor(record.text);
    this.checkTotal(
      record,
      '49 account control total',
      fields.next(),
      account.totalMinor,
      `the 03 and 16 amounts of account ${account.header.account}`,
    );
    this.checkCount(record, '49 record count', fields.next(), account.records, [
      'records',
      `account ${account.header.account}`,
      ' (03 to 49, 88s included)',
    ]);
    (this.group as GroupState).totalMinor += account.totalMinor;
    this.account = undefined;
    return {
      kind: 'end',
      footer: {
        closing: { amountMinor: account.closingMinor, date: account.header.opening.date },
        line: account.line,
      },
      skipped: 0,
    };
  }

  private endGroup(record: LogicalRecord): void {
    const group = this.group;
    if (!group || this.account)
      throw this.error(
        record,
        '98 group trailer',
        this.account
          ? `account ${this.account.header.account} has no 49 trailer`
          : 'a group trailer with no 02 group header',
      );
    const fields = new FieldCursor(record.text);
    this.checkTotal(
      record,
      '98 group control total',
      fields.next(),
      group.totalMinor,
      'the accounts of the group',
    );
    this.checkCount(record, '98 number of accounts', fields.next(), group.accounts, [
      'accounts',
      'the group',
    ]);
    this.checkCount(record, '98 record count', fields.next(), group.records, [
      'records',
      'the group',
      ' (02 to 98, 88s included)',
    ]);
    const fileState = this.fileState as FileState;
    fileState.totalMinor += group.totalMinor;
    fileState.groups++;
    this.group = undefined;
  }

  private endFile(record: LogicalRecord): void {
    if (this.group)
      throw this.error(record, '99 file trailer', 'the group before has no 98 trailer');
    const fileState = this.fileState as FileState;
    const fields = new FieldCursor(record.text);
    this.checkTotal(
      record,
      '99 file control total',
      fields.next(),
      fileState.totalMinor,
      'the groups of the file',
    );
    this.checkCount(record, '99 number of groups', fields.next(), fileState.groups, [
      'groups',
      'the file',
    ]);
    this.checkCount(record, '99 record count', fields.next(), fileState.records, [
      'records',
      'the file',
      ' (01 to 99, 88s included)',
    ]);
    this.done = true;
  }

  private checkTotal(
    record: LogicalRecord,
    field: string,
    text: string,
    actualMinor: bigint,
    what: string,
  ): void {
    const statedMinor = this.amount(record, field, text, true);
    if (statedMinor === actualMinor) return;
    throw new InputError(
      `${this.where(record)} ${field}: the trailer says ${statedMinor} but ${what} add up to ${actualMinor} (in minor units); the file is damaged and nothing was imported`,
      {
        hint: 'ask the bank for the file again',
      },
    );
  }

  /** `count` names what is counted and where: ['records', 'account X', ' (03 to 49, 88s included)']. */
  private checkCount(
    record: LogicalRecord,
    field: string,
    text: string,
    actual: number,
    count: readonly [noun: string, holder: string, scope?: string],
  ): void {
    if (!/^\d+$/.test(text)) throw this.error(record, field, `"${printable(text)}" is not a count`);
    if (Number(text) === actual) return;
    const [noun, holder, scope = ''] = count;
    throw new InputError(
      `${this.where(record)} ${field}: the trailer says ${text} ${noun} but ${holder} has ${actual}${scope}; the file is damaged and nothing was imported`,
      {
        hint: 'ask the bank for the file again',
      },
    );
  }

  private amount(record: LogicalRecord, field: string, text: string, signed: boolean): bigint {
    if (!(signed ? /^[+-]?\d{1,20}$/ : /^\d{1,20}$/).test(text)) {
      throw this.error(
        record,
        field,
        `"${printable(text)}" is not an amount in minor units (digits${signed ? ', optional sign' : ''}, no decimal point)`,
      );
    }
    const amountMinor = BigInt(text);
    const beyond = beyondAmountLimit(
      amountMinor,
      this.account?.header.currency ?? this.group?.currency ?? ('USD' as Currency),
    );
    // Totals add many amounts: only single amounts are held to the per-amount limit.
    if (beyond !== undefined && !field.includes('total'))
      throw this.error(record, field, `"${text}" ${beyond}`);
    return amountMinor;
  }

  private date(record: LogicalRecord, field: string, text: string): string {
    const date = dateOfYymmdd(text);
    if (date === undefined)
      throw this.error(record, field, `"${printable(text)}" is not a date YYMMDD`);
    return date;
  }

  private where(record: LogicalRecord): string {
    return `${this.file}:${record.line}`;
  }

  private error(record: LogicalRecord, field: string, reason: string): InputError {
    return new InputError(`${this.where(record)} ${field}: ${reason}`);
  }
}

export const bai2Format: BankFormatDefinition = {
  format: 'bai2',
  recognizes: (head) => /^01,[^,\r\n]*,[^,\r\n]*,\d{6},\d{0,4},/.test(head.trimStart()),
  read: async function* (file) {
    const reader = new Bai2Reader(file);
    let pending: LogicalRecord | undefined;
    let lastLine = 0;
    for await (const { line, text } of readTextLines(file)) {
      lastLine = line;
      const comma = text.indexOf(',');
      const code = comma < 0 ? text.replace(/\/$/, '') : text.slice(0, comma);
      const rest = comma < 0 ? '' : text.slice(comma + 1);
      if (code === '88') {
        if (!pending) throw new InputError(`${file}:${line} 88 continuation: continues no record`);
        if (pending.continuations.length >= MAX_DISTRIBUTIONS)
          throw new InputError(
            `${file}:${line} 88 continuation: more than ${MAX_DISTRIBUTIONS} continuations of one record`,
          );
        pending.continuations.push(rest);
        continue;
      }
      if (pending) yield* reader.accept(pending);
      pending = { code, line, text: rest, continuations: [] };
    }
    if (pending) yield* reader.accept(pending);
    reader.finish(lastLine);
  },
  write: (statements, options) => bai2Text(statements, options.createdAt),
};

// ---- writer ----

/** The detail type code written for an entry: its own when it fits its direction, else 195/495 (money transfer) or 698 (fees). */
function typeCodeOf(entry: BankEntry): string {
  const code = entry.typeCode;
  if (code !== null && /^\d{3}$/.test(code) && BAI2_FEE_CODES.has(code) === entry.bankCharge) {
    const number = Number(code);
    if (
      entry.direction === 'credit' ? number >= 100 && number < 400 : number >= 400 && number < 700
    )
      return code;
  }
  if (entry.bankCharge && entry.direction === 'debit') return '698';
  return entry.direction === 'credit' ? '195' : '495';
}

/** A reference field cannot hold the delimiters, nor a line break (it would start a record: "\n88,…"). */
function referenceField(text: string | null): string {
  return text === null ? '' : text.replace(/[,/\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '.');
}

function accountRecords(statement: BankStatement): { lines: string[]; totalMinor: bigint } {
  const { header, entries, footer } = statement;
  if (header.opening.date !== footer.closing.date)
    throw new RangeError(
      `BAI2 reports one day per account: statement ${header.statementId} runs ${header.opening.date} to ${footer.closing.date}`,
    );
  let totalMinor = header.opening.amountMinor + footer.closing.amountMinor;
  const lines = [
    `03,${referenceField(header.account)},${header.currency},010,${header.opening.amountMinor},,,015,${footer.closing.amountMinor},,/`,
  ];
  for (const entry of entries) {
    totalMinor += entry.amountMinor;
    const first = entry.transactions[0];
    const text = entry.transactions
      .map((transaction) => transaction.remittance ?? '')
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    const [head, ...more] = wrapText(text, 60);
    lines.push(
      `16,${typeCodeOf(entry)},${entry.amountMinor},Z,${referenceField(entry.accountServicerRef)},${referenceField(first?.endToEndId ?? null)},${head}/`,
    );
    lines.push(...more.map((chunk) => `88,${chunk}/`));
  }
  lines.push(`49,${totalMinor},${lines.length + 1}/`);
  return { lines, totalMinor };
}

/** `sender/fileId` from the statements' ids when they all share them (a BAI2 file read back), else payops' own. */
function fileIdentity(
  statements: readonly BankStatement[],
  createdAt: string,
): { sender: string; fileId: string } {
  const ids = statements.map((statement) =>
    /^([^/,]+)\/([^/,]+)\/(.+)$/.exec(statement.header.statementId),
  );
  const [first] = ids;
  if (
    first &&
    ids.every(
      (id, index) =>
        id &&
        id[1] === first[1] &&
        id[2] === first[2] &&
        id[3] === statements[index]?.header.account,
    )
  ) {
    return { sender: first[1] as string, fileId: first[2] as string };
  }
  return { sender: 'PAYOPSBANK', fileId: createdAt.replace(/\D/g, '').slice(2, 12) };
}

function bai2Text(statements: readonly BankStatement[], createdAt: string): string {
  const { sender, fileId } = fileIdentity(statements, createdAt);
  const created = createdAt.slice(0, 10);
  const lines = [
    `01,${sender},PAYOPS,${yymmddOf(created)},${createdAt.slice(11, 13)}${createdAt.slice(14, 16)},${fileId},,,2/`,
  ];
  let fileTotalMinor = 0n;
  let groups = 0;
  for (let start = 0; start < statements.length; ) {
    const { header } = statements[start] as BankStatement;
    let end = start;
    while (
      end < statements.length &&
      (statements[end] as BankStatement).header.opening.date === header.opening.date &&
      (statements[end] as BankStatement).header.currency === header.currency
    )
      end++;
    const group = [
      `02,PAYOPS,${sender},1,${yymmddOf(header.opening.date)},0000,${header.currency},/`,
    ];
    let groupTotalMinor = 0n;
    for (const statement of statements.slice(start, end)) {
      const account = accountRecords(statement);
      group.push(...account.lines);
      groupTotalMinor += account.totalMinor;
    }
    group.push(`98,${groupTotalMinor},${end - start},${group.length + 1}/`);
    lines.push(...group);
    fileTotalMinor += groupTotalMinor;
    groups++;
    start = end;
  }
  lines.push(`99,${fileTotalMinor},${groups},${lines.length + 1}/`);
  return lines.map((line) => `${line}\n`).join('');
}
