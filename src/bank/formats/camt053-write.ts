import { InputError } from '../../errors.js';
import { formatAmount, printable } from '../../money/index.js';
import type {
  BankBalance,
  BankEntry,
  BankStatement,
  BankTransaction,
  BankWriteOptions,
  StatementHeader,
} from '../types.js';

export const CAMT053_NAMESPACE_PREFIX = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.';
export const CAMT053_VERSIONS = [2, 3, 4, 5, 6, 7, 8] as const;
export const camt053Namespace = (version: number): string =>
  `${CAMT053_NAMESPACE_PREFIX}${String(version).padStart(2, '0')}`;
/** What a writer puts for "no end-to-end id" (ISO usage rule); read back as none. */
export const NOT_PROVIDED = 'NOTPROVIDED';

/**
 * Writes statements as a camt.053 document (default .001.08), as a bank would send it: one `Stmt`
 * per statement with its OPBD and CLBD balances, one `Ntry` per entry with its bank transaction
 * code, and one `TxDtls` per transaction (a batched entry has several). What the reader reads back
 * is the same statement (a property test holds the two together).
 */
export function writeCamt053(
  statements: readonly BankStatement[],
  options: BankWriteOptions,
): string {
  const version = options.camtVersion ?? 8;
  if (!(CAMT053_VERSIONS as readonly number[]).includes(version))
    throw new RangeError(
      `camt.053 version ${version} is not one of ${CAMT053_VERSIONS.join(', ')}`,
    );
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Document xmlns="${camt053Namespace(version)}">`,
    '  <BkToCstmrStmt>',
    '    <GrpHdr>',
    `      <MsgId>${escapeXml(messageId(options.createdAt))}</MsgId>`,
    `      <CreDtTm>${escapeXml(options.createdAt)}</CreDtTm>`,
    '    </GrpHdr>',
  ];
  for (const statement of statements) writeStatement(out, statement, version, options.createdAt);
  out.push('  </BkToCstmrStmt>', '</Document>', '');
  return out.join('\n');
}

function messageId(createdAt: string): string {
  return `PAYOPS${createdAt.replace(/[^0-9]/g, '')}`.slice(0, 35);
}

function writeStatement(
  out: string[],
  statement: BankStatement,
  version: number,
  createdAt: string,
): void {
  const { header, entries, footer } = statement;
  out.push(
    '    <Stmt>',
    `      <Id>${escapeXml(header.statementId)}</Id>`,
    `      <CreDtTm>${escapeXml(createdAt)}</CreDtTm>`,
  );
  out.push(
    '      <Acct>',
    '        <Id>',
    ...accountId(header.account),
    '        </Id>',
    `        <Ccy>${header.currency}</Ccy>`,
    '      </Acct>',
  );
  writeBalance(out, 'OPBD', header.opening, header);
  writeBalance(out, 'CLBD', footer.closing, header);
  // One string per entry: the document's line array stays one element per entry, not per line
  // (2.6 million small strings for a 100,000-entry statement otherwise).
  const lines: string[] = [];
  for (const entry of entries) {
    writeEntry(lines, entry, version);
    out.push(lines.join('\n'));
    lines.length = 0;
  }
  out.push('    </Stmt>');
}

function accountId(account: string): string[] {
  if (/^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/.test(account))
    return [`          <IBAN>${account}</IBAN>`];
  return ['          <Othr>', `            <Id>${escapeXml(account)}</Id>`, '          </Othr>'];
}

function writeBalance(
  out: string[],
  code: 'OPBD' | 'CLBD',
  balance: BankBalance,
  header: StatementHeader,
): void {
  const negative = balance.amountMinor < 0n;
  const magnitude = negative ? -balance.amountMinor : balance.amountMinor;
  out.push(
    '      <Bal>',
    `        <Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp>`,
    `        <Amt Ccy="${header.currency}">${formatAmount(magnitude, header.currency)}</Amt>`,
    `        <CdtDbtInd>${negative ? 'DBIT' : 'CRDT'}</CdtDbtInd>`,
    `        <Dt><Dt>${balance.date}</Dt></Dt>`,
    '      </Bal>',
  );
}

function writeEntry(out: string[], entry: BankEntry, version: number): void {
  out.push(
    '      <Ntry>',
    `        <Amt Ccy="${entry.currency}">${formatAmount(entry.amountMinor, entry.currency)}</Amt>`,
    `        <CdtDbtInd>${entry.direction === 'credit' ? 'CRDT' : 'DBIT'}</CdtDbtInd>`,
  );
  if (entry.reversal) out.push('        <RvslInd>true</RvslInd>');
  out.push(version >= 7 ? '        <Sts><Cd>BOOK</Cd></Sts>' : '        <Sts>BOOK</Sts>');
  out.push(`        <BookgDt><Dt>${entry.bookingDate}</Dt></BookgDt>`);
  if (entry.valueDate !== null) out.push(`        <ValDt><Dt>${entry.valueDate}</Dt></ValDt>`);
  if (entry.accountServicerRef !== null)
    out.push(`        <AcctSvcrRef>${escapeXml(entry.accountServicerRef)}</AcctSvcrRef>`);
  out.push(`        <BkTxCd>${bankTransactionCode(entry)}</BkTxCd>`);
  out.push('        <NtryDtls>');
  for (const transaction of entry.transactions) writeTransaction(out, transaction, entry, version);
  out.push('        </NtryDtls>', '      </Ntry>');
}

/**
 * The ISO code when the type code is `Domn/Fmly/SubFmly`, else a proprietary one. A charge with no
 * code of its own is written `ACMT/MDOP/CHRG` (account management, miscellaneous debit
 * operations, charges); no code at all is the proprietary `NOTPROVIDED` (BkTxCd is mandatory).
 */
function bankTransactionCode(entry: BankEntry): string {
  const code = entry.typeCode ?? (entry.bankCharge ? 'ACMT/MDOP/CHRG' : null);
  const parts = code?.split('/') ?? [];
  if (parts.length === 3 && parts.every((part) => /^[A-Z0-9]{4}$/.test(part))) {
    return `<Domn><Cd>${parts[0]}</Cd><Fmly><Cd>${parts[1]}</Cd><SubFmlyCd>${parts[2]}</SubFmlyCd></Fmly></Domn>`;
  }
  return `<Prtry><Cd>${escapeXml(code ?? NOT_PROVIDED)}</Cd></Prtry>`;
}

function writeTransaction(
  out: string[],
  transaction: BankTransaction,
  entry: BankEntry,
  version: number,
): void {
  out.push(
    '          <TxDtls>',
    `            <Refs><EndToEndId>${escapeXml(transaction.endToEndId ?? NOT_PROVIDED)}</EndToEndId></Refs>`,
  );
  if (transaction.amountMinor !== null) {
    const amount = `<Amt Ccy="${entry.currency}">${formatAmount(transaction.amountMinor, entry.currency)}</Amt>`;
    out.push(`            <AmtDtls><TxAmt>${amount}</TxAmt></AmtDtls>`);
  }
  if (transaction.counterparty !== null) {
    const role = entry.direction === 'credit' ? 'Dbtr' : 'Cdtr';
    const name = `<Nm>${escapeXml(transaction.counterparty)}</Nm>`;
    // Party40Choice (`Pty`) arrived with .08 (TransactionParties6); .07 and earlier name the party directly.
    out.push(
      `            <RltdPties><${role}>${version >= 8 ? `<Pty>${name}</Pty>` : name}</${role}></RltdPties>`,
    );
  }
  if (transaction.remittance !== null) {
    out.push(
      '            <RmtInf>',
      ...remittanceLines(transaction.remittance).map(
        (line) => `              <Ustrd>${escapeXml(line)}</Ustrd>`,
      ),
      '            </RmtInf>',
    );
  }
  out.push('          </TxDtls>');
}

/** `Ustrd` holds at most 140 characters; longer text is split at spaces (the reader joins with one). */
function remittanceLines(text: string): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > 140) {
    const cut = rest.lastIndexOf(' ', 140);
    const at = cut > 0 ? cut : 140;
    lines.push(rest.slice(0, at));
    rest = rest.slice(cut > 0 ? at + 1 : at);
  }
  lines.push(rest);
  return lines;
}

/** Characters XML 1.0 cannot carry at all (escaped or not), and lone surrogates. */
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function escapeXml(text: string): string {
  const bad = NOT_XML.exec(text);
  if (bad) {
    const code = (bad[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
    throw new InputError(
      `camt.053 writer: "${printable(text)}" cannot be written in XML (character U+${code} is not allowed in XML 1.0)`,
    );
  }
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
