import type { Currency } from '../money/index.js';

/**
 * What every bank statement parser produces, whatever the format (camt.053, MT940, BAI2, a mapped
 * CSV): statements of one account in one currency, each with its booked opening and closing
 * balances and the day's booked entries. The matcher never sees a format's own fields.
 *
 * Sign convention: an entry's `amountMinor` is always > 0 and `direction` says which way the money
 * went *on our account*: `credit` = money in (a PSP payout arriving), `debit` = money out (a seller
 * payout leaving, a bank fee). A reversal keeps the direction of its effect: MT940 `RC` (reversal
 * of a credit) is a debit, `RD` (reversal of a debit) is a credit, with `reversal: true`.
 * Balances are signed: positive when the account is in credit (money is ours), negative when
 * overdrawn. For every statement: opening + Σ credits − Σ debits = closing, or the file is refused.
 */
export const BANK_FORMATS = ['camt053', 'mt940', 'bai2', 'csv'] as const;
export type BankFormat = (typeof BANK_FORMATS)[number];

export type EntryDirection = 'credit' | 'debit';

/** One underlying transaction of an entry (camt `NtryDtls/TxDtls`); a batched entry has several. */
export interface BankTransaction {
  /** Its own amount when the format gives one (camt `AmtDtls/TxAmt/Amt` or `TxDtls/Amt`), else null. */
  amountMinor: bigint | null;
  /** camt `Refs/EndToEndId`; MT940 the customer reference of `:61:` (before `//`); BAI2 the customer reference. */
  endToEndId: string | null;
  /** camt `RmtInf/Ustrd` (several joined by a space); MT940 `:86:` text; BAI2 the 16's text and its 88s. */
  remittance: string | null;
  /** The other party's name (camt `RltdPties/Dbtr|Cdtr/Nm`), when given. */
  counterparty: string | null;
}

export interface BankEntry {
  /** 1-based physical line where the entry starts (`<Ntry>`, `:61:`, the 16 record, the CSV row). */
  line: number;
  direction: EntryDirection;
  /** > 0, in minor units of `currency`. */
  amountMinor: bigint;
  currency: Currency;
  /** YYYY-MM-DD: camt `BookgDt`, MT940 the entry date (else the value date), BAI2 the group's as-of date. */
  bookingDate: string;
  /** YYYY-MM-DD or null: camt `ValDt`, MT940 the value date. */
  valueDate: string | null;
  /** The bank's own reference: camt `AcctSvcrRef`, MT940 after `//` in `:61:`, BAI2 the bank reference. */
  accountServicerRef: string | null;
  /** The format's transaction code as written: camt `BkTxCd` as `Domn/Fmly/SubFmly` or its `Prtry/Cd`, MT940 e.g. `NTRF`, BAI2 e.g. `165`. */
  typeCode: string | null;
  /** The bank says the entry is its own charge (camt family/sub-family `CHRG`, MT940 `NCHG`/`FCHG`/`NCOM`, BAI2 fee codes). */
  bankCharge: boolean;
  /** MT940 `RC`/`RD`, camt `RvslInd` true. */
  reversal: boolean;
  /** At least one; a simple entry has exactly one, whose amount may be null (= the entry's). */
  transactions: BankTransaction[];
}

export interface BankBalance {
  /** Signed: positive in credit, negative overdrawn. */
  amountMinor: bigint;
  /**
   * YYYY-MM-DD. An opening balance is the balance at the START of this day (camt OPBD `Dt`, BAI2
   * the group's as-of date; MT940 `:60F:` states the balance at the end of its date, so the parser
   * gives that date + 1 day); a closing balance is the balance at the END of this day (camt CLBD,
   * MT940 `:62F:`, BAI2 015). So a one-day statement has opening.date = closing.date.
   */
  date: string;
}

export interface StatementHeader {
  /** 1-based line where the statement starts. */
  line: number;
  /** camt `Stmt/Id`; MT940 `:20:` and `:28C:` joined by `/`; BAI2 `sender/file id/account`. */
  statementId: string;
  /** IBAN (camt `Acct/Id/IBAN`, MT940 `:25:`) or the bank's account number (BAI2, `Othr/Id`), spaces removed. */
  account: string;
  currency: Currency;
  /** Booked opening balance: camt `OPBD` (or `PRCD`), MT940 `:60F:`/`:60M:`, BAI2 summary 010. */
  opening: BankBalance;
}

export interface StatementFooter {
  /** Booked closing balance: camt `CLBD`, MT940 `:62F:`/`:62M:`, BAI2 summary 015. */
  closing: BankBalance;
  /** The line of the closing balance, for the sum check's message. */
  line: number;
}

/**
 * A statement file is read as a stream of parts, so that a 100,000-entry statement is never held
 * whole: each statement is `statement`, its `entry` parts in file order, then `end`. A file may hold
 * several statements (MT940, BAI2 accounts). Only booked entries are yielded (camt `Sts` BOOK/Booked;
 * pending and informational entries are skipped and counted in `skipped`).
 */
export type StatementPart =
  | { kind: 'statement'; header: StatementHeader }
  | { kind: 'entry'; entry: BankEntry }
  | { kind: 'end'; footer: StatementFooter; skipped: number };

/** A whole statement in memory: what the simulated bank writes, and tests build. */
export interface BankStatement {
  header: StatementHeader;
  entries: BankEntry[];
  footer: StatementFooter;
}

/** A format: how to recognise a file from its first bytes, read it, and write it (the simulated bank). */
export interface BankFormatDefinition {
  format: BankFormat;
  /** True when the file's first bytes (up to DETECTION_BYTES, decoded as UTF-8) are this format's. */
  recognizes(head: string): boolean;
  /**
   * Streams the parts of `file` (the name as the user gave it, for messages). Throws InputError
   * `FILE:LINE field: reason` at the first thing it cannot read: a statement file is all or nothing.
   * Does not itself enforce the sum check (openStatement wraps every format in it), but checks the
   * format's own controls (BAI2 49/98/99 totals, MT940 missing :62F:, camt namespace and version).
   */
  read(file: string, options: BankReadOptions): AsyncGenerator<StatementPart>;
  /** The text of a file holding `statements` in this format, as a bank would send it. */
  write(statements: readonly BankStatement[], options: BankWriteOptions): string;
}

export interface BankReadOptions {
  /** For `csv`: the mapping file (required). */
  mappingFile?: string;
}

export interface BankWriteOptions {
  /** When the file was created, ISO 8601 UTC (camt `CreDtTm`, BAI2 01 record). */
  createdAt: string;
  /** For camt053: which version's namespace (2..8, default 8). */
  camtVersion?: number;
}
