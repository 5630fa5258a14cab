import { InputError } from '../../errors.js';
import {
  ShapedSaxesParser,
  type XmlDocumentReader,
  type XmlParser,
  type XmlTag,
  readXml,
} from '../../input/xml.js';
import {
  type Currency,
  isCurrencyCode,
  parseBoundedAmount,
  parsePositiveAmount,
  printable,
} from '../../money/index.js';
import type {
  BankBalance,
  BankEntry,
  BankFormatDefinition,
  BankTransaction,
  StatementHeader,
  StatementPart,
} from '../types.js';
import {
  CAMT053_NAMESPACE_PREFIX,
  CAMT053_VERSIONS,
  NOT_PROVIDED,
  camt053Namespace,
  writeCamt053,
} from './camt053-write.js';

/**
 * camt.053 (ISO 20022 BankToCustomerStatement), versions .001.02 to .001.08, read as a stream with
 * saxes: the document is never built. The reader tracks the element path, keeps one statement's
 * header, one balance and one entry (with its transactions) at a time, and yields each part as it
 * completes, so memory stays flat however many entries a statement holds. docs/BANK-FORMATS.md.
 */
const ACCEPTED = CAMT053_VERSIONS.map(camt053Namespace);

/** Entries are few hundred bytes; a text node longer than this is not a statement's. */
const MAX_TEXT_CHARS = 64 * 1024;
/** ISO 20022 `Max140Text` and friends are short; a tag nested deeper than this is not camt. */
const MAX_DEPTH = 64;
/**
 * saxes holds a text, comment, CDATA section or tag whole until it ends, whatever its size; a node
 * longer than this (in characters) is refused while the file streams, before it is held whole
 * (src/input/xml.ts).
 */
const MAX_NODE_CHARS = 1024 * 1024;
/** A batched entry may hold many transactions; a bound keeps one entry's memory bounded too. */
const MAX_TRANSACTIONS_PER_ENTRY = 100_000;

/** Sub-families of the ISO external bank transaction code list that are the bank's own charges. */
const CHARGE_SUB_FAMILIES = new Set(['CHRG', 'FEES']);

export const camt053Format: BankFormatDefinition = {
  format: 'camt053',
  recognizes: (head) =>
    head.includes(CAMT053_NAMESPACE_PREFIX) ||
    (/<([A-Za-z_][\w.-]*:)?Document[\s>]/.test(head) &&
      /<([A-Za-z_][\w.-]*:)?BkToCstmrStmt[\s>]/.test(head)),
  read: readCamt053,
  write: writeCamt053,
};

interface BalanceDraft {
  line: number;
  /** Where each leaf was read (relative path → line), so a message points at the field itself. */
  fieldLines: Map<string, number>;
  code: string | null;
  amount: string | null;
  currency: string | null;
  sign: string | null;
  date: string | null;
}

interface TransactionDraft {
  amount: string | null;
  currency: string | null;
  endToEndId: string | null;
  remittance: string[];
  debtor: string | null;
  creditor: string | null;
}

interface EntryDraft {
  line: number;
  fieldLines: Map<string, number>;
  amount: string | null;
  currency: string | null;
  sign: string | null;
  reversal: string | null;
  status: string | null;
  bookingDate: string | null;
  valueDate: string | null;
  reference: string | null;
  domain: string | null;
  family: string | null;
  subFamily: string | null;
  proprietary: string | null;
  transactions: TransactionDraft[];
}

interface StatementDraft {
  line: number;
  id: string | null;
  iban: string | null;
  otherId: string | null;
  currency: string | null;
  opening: BalanceDraft | null;
  previousClosing: BalanceDraft | null;
  closing: BalanceDraft | null;
  header: StatementHeader | null;
  entries: number;
  skipped: number;
}

type Context = 'stmt' | 'bal' | 'ntry' | 'tx';

/**
 * The single-valued fields each context reads (relative path → field name, the date and status
 * variants under one name). One given twice is refused: keeping the last would let a second
 * `Sts`, `IBAN` or `CdtDbtInd` silently change what the statement says. `RmtInf/Ustrd` repeats by design.
 */
const SINGLE_FIELDS: Record<Context, Record<string, string>> = {
  stmt: {
    Id: 'Id',
    'Acct/Id/IBAN': 'Acct/Id/IBAN',
    'Acct/Id/Othr/Id': 'Acct/Id/Othr/Id',
    'Acct/Ccy': 'Acct/Ccy',
  },
  bal: {
    'Tp/CdOrPrtry/Cd': 'Tp/CdOrPrtry/Cd',
    Amt: 'Amt',
    CdtDbtInd: 'CdtDbtInd',
    'Dt/Dt': 'Dt',
    'Dt/DtTm': 'Dt',
  },
  ntry: {
    Amt: 'Amt',
    CdtDbtInd: 'CdtDbtInd',
    RvslInd: 'RvslInd',
    Sts: 'Sts',
    'Sts/Cd': 'Sts',
    'BookgDt/Dt': 'BookgDt',
    'BookgDt/DtTm': 'BookgDt',
    'ValDt/Dt': 'ValDt',
    'ValDt/DtTm': 'ValDt',
    AcctSvcrRef: 'AcctSvcrRef',
    'BkTxCd/Domn/Cd': 'BkTxCd/Domn/Cd',
    'BkTxCd/Domn/Fmly/Cd': 'BkTxCd/Domn/Fmly/Cd',
    'BkTxCd/Domn/Fmly/SubFmlyCd': 'BkTxCd/Domn/Fmly/SubFmlyCd',
    'BkTxCd/Prtry/Cd': 'BkTxCd/Prtry/Cd',
  },
  tx: {
    'Refs/EndToEndId': 'Refs/EndToEndId',
    'RltdPties/Dbtr/Nm': 'RltdPties/Dbtr',
    'RltdPties/Dbtr/Pty/Nm': 'RltdPties/Dbtr',
    'RltdPties/Cdtr/Nm': 'RltdPties/Cdtr',
    'RltdPties/Cdtr/Pty/Nm': 'RltdPties/Cdtr',
    'AmtDtls/TxAmt/Amt': 'AmtDtls/TxAmt/Amt',
    Amt: 'Amt',
  },
};
/** The same as Maps: a lookup per closed leaf, and an element named `constructor` is no field. */
const SINGLE_FIELD_MAPS: Record<Context, ReadonlyMap<string, string>> = {
  stmt: new Map(Object.entries(SINGLE_FIELDS.stmt)),
  bal: new Map(Object.entries(SINGLE_FIELDS.bal)),
  ntry: new Map(Object.entries(SINGLE_FIELDS.ntry)),
  tx: new Map(Object.entries(SINGLE_FIELDS.tx)),
};
const CONTEXT_PATH: Record<Context, string> = {
  stmt: 'Stmt',
  bal: 'Bal',
  ntry: 'Ntry',
  tx: 'Ntry/NtryDtls/TxDtls',
};
/** ISO 20022 `ISODateTime`: a day, a time, optional fraction and offset. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?$/;

/** The state of one read: the element path and whatever is being assembled. */
class CamtReader implements XmlDocumentReader<StatementPart> {
  readonly out: StatementPart[] = [];
  private readonly path: string[] = [];
  /** Per open element: its path below the innermost context element (`Acct/Id/IBAN`), built as it opens rather than joined at every close. */
  private readonly relative: string[] = [];
  /** Per open element: whether a child element opened inside it (then its own text is layout, not a value). */
  private readonly hasChild: boolean[] = [];
  /** The depth (path length) at which each open context element sits. */
  private readonly contexts: { kind: Context; depth: number; seen: Set<string> }[] = [];
  /** The document's namespace: an element of another one is not a camt element, whatever its name. */
  private rootUri: string | null = null;
  private text = '';
  private statement: StatementDraft | null = null;
  private balance: BalanceDraft | null = null;
  private entry: EntryDraft | null = null;
  private transaction: TransactionDraft | null = null;
  private rootSeen = false;
  /** The `Ccy` of the `Amt` element being read. */
  private currencyAttribute: string | null = null;

  constructor(
    private readonly file: string,
    private readonly parser: XmlParser,
  ) {}

  fail(field: string, reason: string, line = this.parser.line): never {
    throw new InputError(`${this.file}:${line} ${field}: ${reason}`, {
      hint: 'ask the bank for the statement again, or see docs/BANK-FORMATS.md',
    });
  }

  take(): StatementPart[] {
    return this.out.splice(0);
  }

  /** The open element names, innermost last, for the truncation message. */
  openElement(): string | undefined {
    return this.path[this.path.length - 1];
  }

  open(tag: XmlTag): void {
    if (!this.rootSeen) this.checkRoot(tag);
    const name = tag.uri === this.rootUri ? tag.local : `{${tag.uri}}${tag.local}`;
    if (this.hasChild.length > 0) this.hasChild[this.hasChild.length - 1] = true;
    this.relative.push(this.relativeOf(name));
    this.path.push(name);
    this.hasChild.push(false);
    if (this.path.length > MAX_DEPTH)
      this.fail(name, `elements nested deeper than ${MAX_DEPTH}: not a camt.053 statement`);
    this.text = '';
    if (
      name === 'Stmt' &&
      this.path.length === 3 &&
      this.path[0] === 'Document' &&
      this.path[1] === 'BkToCstmrStmt'
    )
      this.openStatement();
    else if (this.statement && this.inContext('stmt', 1)) {
      if (name === 'Bal') this.openBalance();
      else if (name === 'Ntry') this.openEntry();
    } else if (
      name === 'TxDtls' &&
      this.entry &&
      this.inContext('ntry', 2) &&
      this.path[this.path.length - 2] === 'NtryDtls'
    ) {
      if (this.entry.transactions.length >= MAX_TRANSACTIONS_PER_ENTRY)
        this.fail(
          'Ntry/NtryDtls/TxDtls',
          `more than ${MAX_TRANSACTIONS_PER_ENTRY} transactions in one entry`,
        );
      this.transaction = {
        amount: null,
        currency: null,
        endToEndId: null,
        remittance: [],
        debtor: null,
        creditor: null,
      };
      this.contexts.push({ kind: 'tx', depth: this.path.length, seen: new Set() });
    }
    if (name === 'Amt' && typeof tag.attributes.Ccy === 'object')
      this.currencyAttribute = tag.attributes.Ccy.value;
    else if (name === 'Amt') this.currencyAttribute = null;
  }

  addText(text: string): void {
    if (text.includes('\ufffd'))
      this.fail(
        this.openElement() ?? 'text',
        'is not valid UTF-8 (ISO 20022 XML is UTF-8: ask the bank for the file as it was sent)',
      );
    if (this.text.length + text.length > MAX_TEXT_CHARS)
      this.fail(this.openElement() ?? 'text', `a text longer than ${MAX_TEXT_CHARS} characters`);
    this.text += text;
  }

  close(): void {
    const context = this.contexts[this.contexts.length - 1];
    const relative = this.relative.pop() as string;
    if (context && this.path.length === context.depth) this.closeContext(context.kind);
    else if (context && !this.hasChild[this.hasChild.length - 1]) {
      this.once(context, relative);
      this.leaf(context.kind, relative, this.text.trim());
    }
    this.path.pop();
    this.hasChild.pop();
    this.text = '';
  }

  /** The path of a child named `name` of the innermost open element, below the innermost context ('' outside any). */
  private relativeOf(name: string): string {
    const context = this.contexts[this.contexts.length - 1];
    if (context === undefined) return '';
    if (this.path.length === context.depth) return name;
    return `${this.relative[this.relative.length - 1]}/${name}`;
  }

  private once(context: { kind: Context; seen: Set<string> }, relative: string): void {
    const field = SINGLE_FIELD_MAPS[context.kind].get(relative);
    if (field === undefined) return;
    if (context.seen.has(field))
      this.fail(
        `${CONTEXT_PATH[context.kind]}/${field}`,
        'given twice: a statement field has one value (ask the bank which one is meant)',
      );
    context.seen.add(field);
  }

  private checkRoot(tag: XmlTag): void {
    this.rootSeen = true;
    const found = tag.uri;
    this.rootUri = found;
    if (tag.local !== 'Document')
      this.fail(tag.local, `the root element is <${tag.name}>, not a camt.053 <Document>`);
    if (!ACCEPTED.includes(found)) {
      this.fail(
        'Document xmlns',
        `${found === '' ? 'no namespace' : `namespace "${printable(found, 80)}"`} is not a camt.053 version payops reads (accepted: ${ACCEPTED[0]} … ${ACCEPTED[ACCEPTED.length - 1]})`,
      );
    }
  }

  private inContext(kind: Context, depthBelow: number): boolean {
    const context = this.contexts[this.contexts.length - 1];
    return (
      context !== undefined &&
      context.kind === kind &&
      this.path.length === context.depth + depthBelow
    );
  }

  private openStatement(): void {
    this.statement = {
      line: this.parser.line,
      id: null,
      iban: null,
      otherId: null,
      currency: null,
      opening: null,
      previousClosing: null,
      closing: null,
      header: null,
      entries: 0,
      skipped: 0,
    };
    this.contexts.push({ kind: 'stmt', depth: this.path.length, seen: new Set() });
  }

  private openBalance(): void {
    if (
      (this.statement as StatementDraft).entries > 0 ||
      (this.statement as StatementDraft).skipped > 0
    ) {
      this.fail(
        'Stmt/Bal',
        'a balance after an entry: camt.053 puts every balance before the entries',
      );
    }
    this.balance = {
      line: this.parser.line,
      fieldLines: new Map(),
      code: null,
      amount: null,
      currency: null,
      sign: null,
      date: null,
    };
    this.contexts.push({ kind: 'bal', depth: this.path.length, seen: new Set() });
  }

  private openEntry(): void {
    const statement = this.statement as StatementDraft;
    if (statement.header === null) {
      statement.header = this.header(statement);
      this.out.push({ kind: 'statement', header: statement.header });
    }
    this.entry = {
      line: this.parser.line,
      fieldLines: new Map(),
      amount: null,
      currency: null,
      sign: null,
      reversal: null,
      status: null,
      bookingDate: null,
      valueDate: null,
      reference: null,
      domain: null,
      family: null,
      subFamily: null,
      proprietary: null,
      transactions: [],
    };
    this.contexts.push({ kind: 'ntry', depth: this.path.length, seen: new Set() });
  }

  private closeContext(kind: Context): void {
    this.contexts.pop();
    if (kind === 'tx') {
      (this.entry as EntryDraft).transactions.push(this.transaction as TransactionDraft);
      this.transaction = null;
    } else if (kind === 'bal') {
      this.keepBalance(this.balance as BalanceDraft);
      this.balance = null;
    } else if (kind === 'ntry') {
      this.finishEntry(this.entry as EntryDraft);
      this.entry = null;
    } else {
      this.finishStatement(this.statement as StatementDraft);
      this.statement = null;
    }
  }

  private leaf(kind: Context, relative: string, value: string): void {
    if (kind === 'bal')
      (this.balance as BalanceDraft).fieldLines.set(firstStep(relative), this.parser.line);
    else if (kind === 'ntry')
      (this.entry as EntryDraft).fieldLines.set(firstStep(relative), this.parser.line);
    if (kind === 'stmt') this.statementLeaf(this.statement as StatementDraft, relative, value);
    else if (kind === 'bal') this.balanceLeaf(this.balance as BalanceDraft, relative, value);
    else if (kind === 'ntry') this.entryLeaf(this.entry as EntryDraft, relative, value);
    else this.transactionLeaf(this.transaction as TransactionDraft, relative, value);
  }

  private statementLeaf(statement: StatementDraft, relative: string, value: string): void {
    if (relative === 'Id') statement.id = value;
    else if (relative === 'Acct/Id/IBAN') statement.iban = value.replace(/\s+/g, '');
    else if (relative === 'Acct/Id/Othr/Id') statement.otherId = value.replace(/\s+/g, '');
    else if (relative === 'Acct/Ccy') statement.currency = value;
  }

  private balanceLeaf(balance: BalanceDraft, relative: string, value: string): void {
    if (relative === 'Tp/CdOrPrtry/Cd') balance.code = value;
    else if (relative === 'Amt') {
      balance.amount = value;
      balance.currency = this.currencyAttribute;
    } else if (relative === 'CdtDbtInd') balance.sign = value;
    else if (relative === 'Dt/Dt' || relative === 'Dt/DtTm') balance.date = value;
  }

  private entryLeaf(entry: EntryDraft, relative: string, value: string): void {
    switch (relative) {
      case 'Amt':
        entry.amount = value;
        entry.currency = this.currencyAttribute;
        return;
      case 'CdtDbtInd':
        entry.sign = value;
        return;
      case 'RvslInd':
        entry.reversal = value;
        return;
      case 'Sts':
      case 'Sts/Cd':
        entry.status = value;
        return;
      case 'BookgDt/Dt':
      case 'BookgDt/DtTm':
        entry.bookingDate = value;
        return;
      case 'ValDt/Dt':
      case 'ValDt/DtTm':
        entry.valueDate = value;
        return;
      case 'AcctSvcrRef':
        entry.reference = value;
        return;
      case 'BkTxCd/Domn/Cd':
        entry.domain = value;
        return;
      case 'BkTxCd/Domn/Fmly/Cd':
        entry.family = value;
        return;
      case 'BkTxCd/Domn/Fmly/SubFmlyCd':
        entry.subFamily = value;
        return;
      case 'BkTxCd/Prtry/Cd':
        entry.proprietary = value;
        return;
      default:
    }
  }

  private transactionLeaf(transaction: TransactionDraft, relative: string, value: string): void {
    if (relative === 'Refs/EndToEndId')
      transaction.endToEndId = value === NOT_PROVIDED || value === '' ? null : value;
    else if (relative === 'RmtInf/Ustrd') {
      if (value !== '') transaction.remittance.push(value);
    } else if (relative === 'RltdPties/Dbtr/Nm' || relative === 'RltdPties/Dbtr/Pty/Nm')
      transaction.debtor = value;
    else if (relative === 'RltdPties/Cdtr/Nm' || relative === 'RltdPties/Cdtr/Pty/Nm')
      transaction.creditor = value;
    else if (
      relative === 'AmtDtls/TxAmt/Amt' ||
      (relative === 'Amt' && transaction.amount === null)
    ) {
      transaction.amount = value;
      transaction.currency = this.currencyAttribute;
    }
  }

  private keepBalance(balance: BalanceDraft): void {
    const statement = this.statement as StatementDraft;
    const slot =
      balance.code === 'OPBD'
        ? 'opening'
        : balance.code === 'PRCD'
          ? 'previousClosing'
          : balance.code === 'CLBD'
            ? 'closing'
            : null;
    if (slot === null) return; // interim and available balances say nothing the sum check needs
    if (statement[slot] !== null)
      this.fail(
        'Stmt/Bal',
        `a second ${balance.code} balance in statement ${statement.id ?? '?'} (first at line ${(statement[slot] as BalanceDraft).line})`,
        balance.line,
      );
    statement[slot] = balance;
  }

  private header(statement: StatementDraft): StatementHeader {
    const at = statement.line;
    if (!statement.id) this.fail('Stmt/Id', 'missing: every statement has an identification', at);
    const account = statement.iban ?? statement.otherId;
    if (!account)
      this.fail('Stmt/Acct/Id', `statement ${statement.id} names no account (IBAN or Othr/Id)`, at);
    const openingDraft = statement.opening ?? statement.previousClosing;
    if (!openingDraft)
      this.fail(
        'Stmt/Bal',
        `statement ${statement.id} has no opening balance (OPBD, or PRCD) before its entries`,
        at,
      );
    const currencyText = statement.currency ?? openingDraft.currency;
    const currency = this.currency(currencyText, 'Stmt/Acct/Ccy', at);
    const opening = this.balanceOf(openingDraft, currency);
    // PRCD is the closing of the previous day: the balance at the START of the statement's day is its date + 1.
    if (statement.opening === null) opening.date = nextDay(opening.date);
    return { line: at, statementId: statement.id, account, currency, opening };
  }

  private finishStatement(statement: StatementDraft): void {
    if (statement.header === null) {
      statement.header = this.header(statement);
      this.out.push({ kind: 'statement', header: statement.header });
    }
    const closingDraft = statement.closing;
    if (!closingDraft)
      this.fail(
        'Stmt/Bal',
        `statement ${statement.header.statementId} has no closing balance (CLBD): the file is incomplete`,
      );
    const closing = this.balanceOf(closingDraft, statement.header.currency);
    this.out.push({
      kind: 'end',
      footer: { closing, line: closingDraft.line },
      skipped: statement.skipped,
    });
  }

  private balanceOf(draft: BalanceDraft, currency: Currency): BankBalance {
    const field = `Bal ${draft.code ?? ''}`.trim();
    const at = (leaf: string) => draft.fieldLines.get(leaf) ?? draft.line;
    if (draft.amount === null) this.fail(`${field}/Amt`, 'missing', draft.line);
    if (draft.currency !== currency)
      this.fail(
        `${field}/Amt Ccy`,
        `the balance is in ${printable(draft.currency ?? 'no currency')}, the account in ${currency}`,
        at('Amt'),
      );
    const amountMinor = parseBoundedAmount(
      draft.amount,
      currency,
      `${this.file}:${at('Amt')} ${field}/Amt`,
    );
    if (amountMinor < 0n)
      this.fail(
        `${field}/Amt`,
        'a camt amount is never negative (CdtDbtInd DBIT says the balance is overdrawn)',
        at('Amt'),
      );
    const sign = this.sign(draft.sign, `${field}/CdtDbtInd`, at('CdtDbtInd'));
    if (draft.date === null) this.fail(`${field}/Dt`, 'missing (Dt or DtTm)', draft.line);
    return {
      amountMinor: sign === 'credit' ? amountMinor : -amountMinor,
      date: this.date(draft.date, `${field}/Dt`, at('Dt')),
    };
  }

  private finishEntry(draft: EntryDraft): void {
    const statement = this.statement as StatementDraft;
    if (draft.status === null) this.fail('Ntry/Sts', 'missing (BOOK, PDNG or INFO)', draft.line);
    if (draft.status !== 'BOOK') {
      statement.skipped++;
      return;
    }
    statement.entries++;
    this.out.push({ kind: 'entry', entry: this.entryOf(draft) });
  }

  private entryOf(draft: EntryDraft): BankEntry {
    const { line } = draft;
    const at = (leaf: string) => draft.fieldLines.get(leaf) ?? line;
    const currency = this.currency(draft.currency, 'Ntry/Amt Ccy', at('Amt'));
    if (draft.amount === null) this.fail('Ntry/Amt', 'missing', line);
    const amountMinor = parsePositiveAmount(
      draft.amount,
      currency,
      `${this.file}:${at('Amt')} Ntry/Amt`,
    );
    parseBoundedAmount(draft.amount, currency, `${this.file}:${at('Amt')} Ntry/Amt`);
    const direction = this.sign(draft.sign, 'Ntry/CdtDbtInd', at('CdtDbtInd'));
    if (draft.bookingDate === null)
      this.fail('Ntry/BookgDt', 'missing: a booked entry has a booking date', line);
    const reversal = draft.reversal === 'true' || draft.reversal === '1';
    if (
      draft.reversal !== null &&
      !reversal &&
      draft.reversal !== 'false' &&
      draft.reversal !== '0'
    )
      this.fail(
        'Ntry/RvslInd',
        `"${printable(draft.reversal)}" is not true or false`,
        at('RvslInd'),
      );
    const typeCode = typeCodeOf(draft);
    const transactions = draft.transactions.map((transaction) =>
      this.transactionOf(transaction, currency, direction, line),
    );
    return {
      line,
      direction,
      amountMinor,
      currency,
      bookingDate: this.date(draft.bookingDate, 'Ntry/BookgDt', at('BookgDt')),
      valueDate:
        draft.valueDate === null ? null : this.date(draft.valueDate, 'Ntry/ValDt', at('ValDt')),
      accountServicerRef: draft.reference || null,
      typeCode,
      bankCharge:
        direction === 'debit' &&
        draft.subFamily !== null &&
        CHARGE_SUB_FAMILIES.has(draft.subFamily),
      reversal,
      transactions:
        transactions.length > 0
          ? transactions
          : [{ amountMinor: null, endToEndId: null, remittance: null, counterparty: null }],
    };
  }

  private transactionOf(
    draft: TransactionDraft,
    currency: Currency,
    direction: 'credit' | 'debit',
    line: number,
  ): BankTransaction {
    let amountMinor: bigint | null = null;
    // A transaction amount in another currency (an instructed amount) says nothing about this account.
    if (draft.amount !== null && draft.currency === currency) {
      amountMinor = parsePositiveAmount(
        draft.amount,
        currency,
        `${this.file}:${line} Ntry/NtryDtls/TxDtls/Amt`,
      );
    }
    return {
      amountMinor,
      endToEndId: draft.endToEndId,
      remittance: draft.remittance.length > 0 ? draft.remittance.join(' ') : null,
      counterparty: (direction === 'credit' ? draft.debtor : draft.creditor) || null,
    };
  }

  private currency(text: string | null, field: string, line: number): Currency {
    if (text === null || text === '') this.fail(field, 'missing', line);
    if (!isCurrencyCode(text))
      this.fail(field, `"${printable(text)}" is not an ISO 4217 currency code`, line);
    return text;
  }

  private sign(text: string | null, field: string, line: number): 'credit' | 'debit' {
    if (text === 'CRDT') return 'credit';
    if (text === 'DBIT') return 'debit';
    return this.fail(
      field,
      text === null ? 'missing (CRDT or DBIT)' : `"${printable(text)}" is not CRDT or DBIT`,
      line,
    );
  }

  private date(text: string, field: string, line: number): string {
    const day = text.slice(0, 10);
    if (!isIsoDay(day) || (text.length > 10 && !DATE_TIME.test(text)))
      this.fail(field, `"${printable(text)}" is not a date (YYYY-MM-DD) or date-time`, line);
    return day;
  }
}

function firstStep(relative: string): string {
  const slash = relative.indexOf('/');
  return slash < 0 ? relative : relative.slice(0, slash);
}

/** `Domn/Fmly/SubFmly` when the ISO code is given, else the proprietary code. */
function typeCodeOf(draft: EntryDraft): string | null {
  if (draft.domain && draft.family && draft.subFamily)
    return `${draft.domain}/${draft.family}/${draft.subFamily}`;
  if (draft.proprietary && draft.proprietary !== NOT_PROVIDED) return draft.proprietary;
  return null;
}

/** The last day found valid: a statement's entries share a handful of days, and a Date per check showed in profiles. */
let lastIsoDay = '';

export function isIsoDay(text: string): boolean {
  if (text === lastIsoDay) return true;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) return false;
  lastIsoDay = text;
  return true;
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

function readCamt053(file: string): AsyncGenerator<StatementPart> {
  const parser = new ShapedSaxesParser({ xmlns: true, position: true, fileName: file });
  return readXml(file, parser, new CamtReader(file, parser), {
    maxNodeChars: MAX_NODE_CHARS,
    nodeTooLargeReason: `one XML node is larger than ${MAX_NODE_CHARS} characters (a text, comment, CDATA section or tag no statement holds); refused before it is held whole`,
    doctypeReason:
      'a document type declaration is refused (no DTDs or entity declarations: they can read local files or expand without bound); ask the bank for plain camt.053 XML',
    encodingReason: (declared) =>
      `the file declares encoding "${printable(declared)}"; payops reads camt.053 as UTF-8, the encoding ISO 20022 uses`,
    cutShortHint: 'ask the bank for the complete statement',
    malformedHint: 'ask the bank for the statement again',
  });
}
