import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { SaxesParser } from 'saxes';
import { camt053Format, isIsoDay } from '../../../src/bank/formats/camt053.js';
import { ShapedSaxesParser } from '../../../src/input/xml.js';
import type { BankEntry, BankStatement, StatementPart } from '../../../src/bank/types.js';
import type { Currency } from '../../../src/money/index.js';
import { REPO_ROOT, tempDirPerTest } from '../../helpers/cli.js';

const FIXTURES = path.join(REPO_ROOT, 'fixtures', 'bank');
const work = tempDirPerTest('payops-camt-');

async function partsOf(file: string): Promise<StatementPart[]> {
  const parts: StatementPart[] = [];
  for await (const part of camt053Format.read(file, {})) parts.push(part);
  return parts;
}

/** The statements of a file, assembled from its parts. */
async function statementsOf(file: string): Promise<BankStatement[]> {
  const statements: BankStatement[] = [];
  let current: BankStatement | undefined;
  for (const part of await partsOf(file)) {
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
  return statements;
}

function writeFile(name: string, text: string): string {
  const file = path.join(work.dir, name);
  fs.writeFileSync(file, text);
  return file;
}

async function refusal(text: string): Promise<string> {
  const file = writeFile('bad.xml', text);
  const error = await partsOf(file).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputError);
  return (error as InputError).message;
}

const EUR = 'EUR' as Currency;
const USD = 'USD' as Currency;

/** A minimal valid statement around `entries` (XML), balances given. */
function document(
  entries: string,
  {
    namespace = 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.08',
    opening = '0.00',
    closing = '0.00',
    prolog = '',
  } = {},
): string {
  return `<?xml version="1.0"?>${prolog}
<Document xmlns="${namespace}"><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId><CreDtTm>2026-11-24T00:00:00Z</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${opening}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-23</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">${closing}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-23</Dt></Dt></Bal>
${entries}
</Stmt></BkToCstmrStmt></Document>
`;
}

const entryXml = (amount: string, currency = 'EUR') =>
  `<Ntry>\n<Amt Ccy="${currency}">${amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-23</Dt></BookgDt><BkTxCd><Prtry><Cd>X</Cd></Prtry></BkTxCd></Ntry>`;

describe('camt.053 reader: the hand-written .001.08 fixture', () => {
  it('reads the header, the four booked entries and the closing balance, and skips the pending one', async () => {
    const parts = await partsOf(path.join(FIXTURES, 'camt053.xml'));
    expect(parts.map((part) => part.kind)).toEqual([
      'statement',
      'entry',
      'entry',
      'entry',
      'entry',
      'end',
    ]);
    const [header, ...rest] = parts;
    expect(header).toEqual({
      kind: 'statement',
      header: {
        line: 17,
        statementId: 'STMT-2026-11-23-EUR',
        account: 'DE89370400440532013000',
        currency: 'EUR',
        opening: { amountMinor: 1_000_000n, date: '2026-11-23' },
      },
    });
    expect(rest[rest.length - 1]).toEqual({
      kind: 'end',
      footer: { closing: { amountMinor: 1_088_706n, date: '2026-11-23' }, line: 52 },
      skipped: 1,
    });
  });

  it('a PSP payout credit keeps its end-to-end id, remittance lines joined and the payer', async () => {
    const [payout] = (await statementsOf(path.join(FIXTURES, 'camt053.xml')))[0]?.entries ?? [];
    expect(payout).toEqual({
      line: 82,
      direction: 'credit',
      amountMinor: 123_456n,
      currency: EUR,
      bookingDate: '2026-11-23',
      valueDate: '2026-11-23',
      accountServicerRef: '2026112300001',
      typeCode: 'PMNT/RCDT/ESCT',
      bankCharge: false,
      reversal: false,
      transactions: [
        {
          amountMinor: 123_456n,
          endToEndId: 'po_sim_20261123_EUR',
          remittance: 'PAYOUT po_sim_20261123_EUR SETTLEMENT 2026-11-20',
          counterparty: 'Sim Payments Europe Ltd',
        },
      ],
    } satisfies BankEntry);
  });

  it('a batched debit keeps its three transactions (NOTPROVIDED is no end-to-end id); a charge and a reversal are marked', async () => {
    const [, batch, charge, reversal] =
      (await statementsOf(path.join(FIXTURES, 'camt053.xml')))[0]?.entries ?? [];
    expect(batch?.transactions).toEqual([
      {
        amountMinor: 10_000n,
        endToEndId: 'po_seller_0001',
        remittance: 'Payout po_seller_0001',
        counterparty: 'Atelier Nord',
      },
      {
        amountMinor: 15_000n,
        endToEndId: 'po_seller_0002',
        remittance: 'Payout po_seller_0002',
        counterparty: 'Keramik & Co',
      },
      {
        amountMinor: 5_000n,
        endToEndId: null,
        remittance: 'Payout po_seller_0003',
        counterparty: 'Holzwerk Sued',
      },
    ]);
    expect(charge).toMatchObject({
      direction: 'debit',
      amountMinor: 250n,
      typeCode: 'ACMT/MDOP/CHRG',
      bankCharge: true,
      transactions: [{ amountMinor: null, endToEndId: null, remittance: null, counterparty: null }],
    });
    expect(reversal).toMatchObject({
      direction: 'debit',
      amountMinor: 4_500n,
      reversal: true,
      bookingDate: '2026-11-23',
      bankCharge: false,
    });
  });

  it('the .001.02 fixture: plain Sts, Othr/Id, Dbtr/Nm, PRCD opening (its date + 1), a proprietary code', async () => {
    const [statement] = await statementsOf(path.join(FIXTURES, 'camt053-v02.xml'));
    expect(statement?.header).toMatchObject({
      account: '00123456789',
      currency: USD,
      opening: { amountMinor: 25_000n, date: '2026-11-23' },
    });
    expect(statement?.footer.closing).toEqual({ amountMinor: 31_525n, date: '2026-11-23' });
    expect(
      statement?.entries.map((entry) => [
        entry.direction,
        entry.amountMinor,
        entry.typeCode,
        entry.transactions[0]?.counterparty,
      ]),
    ).toEqual([
      ['credit', 7_525n, 'PMNT/RCDT/DMCT', 'SIM PAYMENTS INC'],
      ['debit', 1_000n, 'FEE-MONTHLY', null],
    ]);
  });
});

describe('camt.053 reader: XML as banks write it', () => {
  it('a prefixed namespace, CDATA, character references and comments read like plain elements', async () => {
    const plain = document(
      entryXml('1.00').replace(
        '<BkTxCd>',
        '<AcctSvcrRef><![CDATA[A&B]]></AcctSvcrRef><!-- note --><BkTxCd>',
      ),
      { closing: '1.00' },
    );
    const prefixed = plain
      .replace(/<(\/?)([A-Za-z])/g, '<$1c:$2')
      .replace('<c:Document xmlns=', '<c:Document xmlns:c=');
    expect(prefixed).toContain('<c:Ntry>');
    for (const text of [plain, prefixed]) {
      const [statement] = await statementsOf(writeFile('ok.xml', text));
      expect(statement?.entries[0]).toMatchObject({
        amountMinor: 100n,
        accountServicerRef: 'A&B',
        typeCode: 'X',
      });
    }
  });
});

describe('camt.053 reader: what it refuses, FILE:LINE field: reason', () => {
  it('another namespace or version, naming the one found and the ones accepted', async () => {
    const message = await refusal(
      document('', { namespace: 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.09' }),
    );
    expect(message).toMatch(
      /bad\.xml:2 Document xmlns: namespace "urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.09" is not a camt\.053 version payops reads \(accepted: .*001\.02 … .*001\.08\)/,
    );
    expect(
      await refusal(document('', { namespace: 'urn:iso:std:iso:20022:tech:xsd:camt.052.001.08' })),
    ).toContain('camt.052.001.08');
  });

  it('a DOCTYPE (no XXE, no billion laughs) before any entity is expanded', async () => {
    const xxe = '<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>';
    expect(await refusal(document('', { prolog: xxe }))).toMatch(
      /bad\.xml:1 DOCTYPE: a document type declaration is refused/,
    );
    const laughs =
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>';
    expect(await refusal(document('', { prolog: laughs }))).toContain('DOCTYPE');
  });

  it('an encoding other than UTF-8, and bytes that are not UTF-8', async () => {
    expect(
      await refusal(
        document('').replace(
          '<?xml version="1.0"?>',
          '<?xml version="1.0" encoding="ISO-8859-1"?>',
        ),
      ),
    ).toContain('bad.xml:1 xml encoding: the file declares encoding "ISO-8859-1"');
    const file = path.join(work.dir, 'latin1.xml');
    fs.writeFileSync(
      file,
      Buffer.from(document('').replace('<Id>S1</Id>', '<Id>S\u00fc</Id>'), 'latin1'),
    );
    const error = await partsOf(file).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      message: expect.stringContaining('latin1.xml:3 encoding: invalid UTF-8 at byte '),
      hint: 'ask the bank for the statement again',
    });
  });

  it('a file cut short names the element it ends inside', async () => {
    const text = document(entryXml('1.00'), { closing: '1.00' });
    expect(await refusal(text.slice(0, text.indexOf('<BookgDt>') + 12))).toMatch(
      /bad\.xml:7 BookgDt: the file ends inside <BookgDt>: cut short/,
    );
  });

  it('an amount with more decimals than its currency, an unknown currency, a negative amount', async () => {
    expect(await refusal(document(entryXml('1.001'), { closing: '1.00' }))).toContain(
      'bad.xml:7 Ntry/Amt: "1.001" has more decimals than EUR allows (2)',
    );
    expect(await refusal(document(entryXml('1', 'XYZ'), { closing: '1.00' }))).toContain(
      'bad.xml:7 Ntry/Amt Ccy: "XYZ" is not an ISO 4217 currency code',
    );
    expect(await refusal(document(entryXml('-1.00'), { closing: '1.00' }))).toContain(
      'bad.xml:7 Ntry/Amt',
    );
    expect(await refusal(document(entryXml('0.00'), { closing: '1.00' }))).toContain(
      'must be greater than zero',
    );
  });

  it('a balance after an entry, a missing status, missing balances, XML that is not well formed', async () => {
    const late = document(
      `${entryXml('1.00')}<Bal><Tp><CdOrPrtry><Cd>ITBD</Cd></CdOrPrtry></Tp></Bal>`,
      { closing: '1.00' },
    );
    expect(await refusal(late)).toContain('Stmt/Bal: a balance after an entry');
    expect(
      await refusal(
        document(entryXml('1.00').replace('<Sts><Cd>BOOK</Cd></Sts>', ''), { closing: '1.00' }),
      ),
    ).toContain(':6 Ntry/Sts: missing');
    expect(await refusal(document('').replace(/<Bal>.*OPBD.*<\/Bal>\n/, ''))).toContain(
      'Stmt/Bal: statement S1 has no opening balance',
    );
    expect(await refusal(document('').replace(/<Bal>.*CLBD.*<\/Bal>\n/, ''))).toContain(
      'statement S1 has no closing balance (CLBD)',
    );
    expect(await refusal(document('').replace('<Id>S1</Id>', '<Id>S1</Idx>'))).toMatch(
      /bad\.xml:3 xml: .*not well-formed XML/,
    );
    expect(
      await refusal(
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">&lol;</Document>',
      ),
    ).toContain('xml:');
  });
});

// ---- write → read round trip ----

const SAFE = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,30}[A-Za-z0-9]$/);
const DAYS = fc
  .integer({ min: 0, max: 3650 })
  .map((offset) => new Date(Date.UTC(2020, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10));
const AMOUNT = fc.bigInt({ min: 1n, max: 10n ** 12n });

const transaction = fc.record({
  amountMinor: fc.option(AMOUNT, { nil: null }),
  endToEndId: fc.option(SAFE, { nil: null }),
  remittance: fc.option(SAFE, { nil: null }),
  counterparty: fc.option(SAFE, { nil: null }),
});

const entry = (currency: Currency) =>
  fc
    .record({
      direction: fc.constantFrom('credit' as const, 'debit' as const),
      amountMinor: AMOUNT,
      bookingDate: DAYS,
      valueDate: fc.option(DAYS, { nil: null }),
      accountServicerRef: fc.option(SAFE, { nil: null }),
      typeCode: fc.option(
        fc.constantFrom(
          'PMNT/RCDT/ESCT',
          'PMNT/ICDT/ESCT',
          'ACMT/MDOP/CHRG',
          'PMNT/ICDT/FEES',
          'FEE-MONTHLY',
        ),
        { nil: null },
      ),
      reversal: fc.boolean(),
      transactions: fc.array(transaction, { minLength: 1, maxLength: 4 }),
    })
    .map(
      (drawn): BankEntry => ({
        ...drawn,
        line: 0,
        currency,
        bankCharge:
          drawn.direction === 'debit' &&
          drawn.typeCode !== null &&
          /\/(CHRG|FEES)$/.test(drawn.typeCode),
      }),
    );

const statement = fc
  .constantFrom(EUR, USD, 'JPY' as Currency, 'KWD' as Currency)
  .chain((currency) =>
    fc
      .record({
        statementId: SAFE,
        account: fc.oneof(
          fc.constant('DE89370400440532013000'),
          fc.stringMatching(/^[A-Z0-9]{4,20}$/),
        ),
        openingMinor: fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        day: DAYS,
        entries: fc.array(entry(currency), { maxLength: 6 }),
      })
      .map(({ statementId, account, openingMinor, day, entries }): BankStatement => {
        const closingMinor = entries.reduce(
          (sum, next) => sum + (next.direction === 'credit' ? next.amountMinor : -next.amountMinor),
          openingMinor,
        );
        return {
          header: {
            line: 0,
            statementId,
            account,
            currency,
            opening: { amountMinor: openingMinor, date: day },
          },
          entries,
          footer: { closing: { amountMinor: closingMinor, date: day }, line: 0 },
        };
      }),
  );

/** Lines are where the writer put things; the rest must be what was written. */
function withoutLines(statements: readonly BankStatement[]): unknown {
  return statements.map(({ header, entries, footer }) => ({
    header: { ...header, line: 0 },
    entries: entries.map((one) => ({ ...one, line: 0 })),
    footer: { ...footer, line: 0 },
  }));
}

describe('camt.053 writer', () => {
  it('write → read gives the same statements, for every version 2..8 (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(statement, { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 2, max: 8 }),
        async (statements, camtVersion) => {
          const file = writeFile(
            'round.xml',
            camt053Format.write(statements, { createdAt: '2026-11-24T05:00:00Z', camtVersion }),
          );
          expect(withoutLines(await statementsOf(file))).toEqual(withoutLines(statements));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the hand-written fixture written again reads the same', async () => {
    const statements = await statementsOf(path.join(FIXTURES, 'camt053.xml'));
    const file = writeFile(
      'again.xml',
      camt053Format.write(statements, { createdAt: '2026-11-24T05:00:00Z' }),
    );
    expect(withoutLines(await statementsOf(file))).toEqual(withoutLines(statements));
    expect(fs.readFileSync(file, 'utf8')).toContain(
      'xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"',
    );
  });

  it('streams a 100,000-entry statement and counts every entry', async () => {
    const file = path.join(work.dir, 'big.xml');
    const out = fs.openSync(file, 'w');
    const [head, tail] = document('@@', { opening: '0.00', closing: '100000.00' }).split('@@') as [
      string,
      string,
    ];
    fs.writeSync(out, head);
    const entryText = `${entryXml('1.00')}\n`;
    for (let chunk = 0; chunk < 100; chunk++) fs.writeSync(out, entryText.repeat(1000));
    fs.writeSync(out, tail);
    fs.closeSync(out);
    let entries = 0;
    let creditsMinor = 0n;
    for await (const part of camt053Format.read(file, {})) {
      if (part.kind === 'entry') {
        entries++;
        creditsMinor += part.entry.amountMinor;
      }
    }
    expect(entries).toBe(100_000);
    expect(creditsMinor).toBe(10_000_000n);
  }, 30_000);
});

// ---- hostile review (issue 16): what a hostile supplier sends ----

describe('camt.053 reader: hostile files (review)', () => {
  const booked = (inner: string) =>
    `<Ntry>\n<Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>${inner}<BkTxCd><Prtry><Cd>X</Cd></Prtry></BkTxCd></Ntry>`;
  const status = '<Sts><Cd>BOOK</Cd></Sts>';
  const day = '<BookgDt><Dt>2026-11-23</Dt></BookgDt>';

  it('a field given twice is refused, never the last one silently kept', async () => {
    // Two statuses: PDNG then BOOK would book a pending entry.
    expect(
      await refusal(
        document(booked(`<Sts><Cd>PDNG</Cd></Sts>${status}${day}`), { closing: '1.00' }),
      ),
    ).toContain('bad.xml:7 Ntry/Sts: given twice');
    expect(
      await refusal(
        document(booked(`${status}${day}<BookgDt><Dt>2026-11-24</Dt></BookgDt>`), {
          closing: '1.00',
        }),
      ),
    ).toContain('Ntry/BookgDt: given twice');
    expect(
      await refusal(
        document(
          booked(`${status}${day}<AcctSvcrRef>A</AcctSvcrRef><AcctSvcrRef>B</AcctSvcrRef>`),
          { closing: '1.00' },
        ),
      ),
    ).toContain('Ntry/AcctSvcrRef: given twice');
    expect(
      await refusal(
        document(
          entryXml('1.00').replace(
            '<CdtDbtInd>CRDT</CdtDbtInd>',
            '<CdtDbtInd>CRDT</CdtDbtInd><CdtDbtInd>DBIT</CdtDbtInd>',
          ),
          { closing: '1.00' },
        ),
      ),
    ).toContain('Ntry/CdtDbtInd: given twice');
    expect(
      await refusal(
        document(entryXml('1.00').replace('</Amt>', '</Amt><Amt Ccy="EUR">1.00</Amt>'), {
          closing: '1.00',
        }),
      ),
    ).toContain('Ntry/Amt: given twice');
    // The account switched by a second IBAN, a second statement id, a second account currency.
    expect(
      await refusal(document('').replace('</IBAN>', '</IBAN><IBAN>GB33BUKB20201555555555</IBAN>')),
    ).toContain('Stmt/Acct/Id/IBAN: given twice');
    expect(await refusal(document('').replace('<Id>S1</Id>', '<Id>S1</Id><Id>S2</Id>'))).toContain(
      'Stmt/Id: given twice',
    );
    expect(
      await refusal(document('').replace('<Ccy>EUR</Ccy>', '<Ccy>EUR</Ccy><Ccy>USD</Ccy>')),
    ).toContain('Stmt/Acct/Ccy: given twice');
    expect(
      await refusal(
        document('').replace(
          '<CdtDbtInd>CRDT</CdtDbtInd>',
          '<CdtDbtInd>CRDT</CdtDbtInd><CdtDbtInd>DBIT</CdtDbtInd>',
        ),
      ),
    ).toContain('Bal/CdtDbtInd: given twice');
    const twoEndToEnd = booked(
      `${status}${day}<NtryDtls><TxDtls><Refs><EndToEndId>A</EndToEndId><EndToEndId>B</EndToEndId></Refs></TxDtls></NtryDtls>`,
    );
    expect(await refusal(document(twoEndToEnd, { closing: '1.00' }))).toContain(
      'Ntry/NtryDtls/TxDtls/Refs/EndToEndId: given twice',
    );
  });

  it('several remittance lines are still one field each (Ustrd repeats by design)', async () => {
    const file = writeFile(
      'ok.xml',
      document(
        booked(
          `${status}${day}<NtryDtls><TxDtls><RmtInf><Ustrd>A</Ustrd><Ustrd>B</Ustrd></RmtInf></TxDtls></NtryDtls>`,
        ),
        { closing: '1.00' },
      ),
    );
    const [statementRead] = await statementsOf(file);
    expect(statementRead?.entries[0]?.transactions[0]?.remittance).toBe('A B');
  });

  it('a date-time that is not one is refused, not cut to its first ten characters', async () => {
    expect(
      await refusal(
        document(booked(`${status}<BookgDt><DtTm>2026-11-23Tgarbage</DtTm></BookgDt>`), {
          closing: '1.00',
        }),
      ),
    ).toContain('Ntry/BookgDt: "2026-11-23Tgarbage" is not a date');
    const file = writeFile(
      'ok.xml',
      document(booked(`${status}<BookgDt><DtTm>2026-11-23T10:11:12.5+01:00</DtTm></BookgDt>`), {
        closing: '1.00',
      }),
    );
    expect((await statementsOf(file))[0]?.entries[0]?.bookingDate).toBe('2026-11-23');
  });

  it('an element of another namespace is not the camt element of the same name', async () => {
    const foreign = entryXml('1.00').replace(
      '<Amt Ccy="EUR">1.00</Amt>',
      '<x:Amt xmlns:x="urn:example:other" Ccy="EUR">1.00</x:Amt>',
    );
    expect(await refusal(document(foreign, { closing: '1.00' }))).toContain(
      'bad.xml:6 Ntry/Amt Ccy: missing',
    );
    const innerDefault = document(entryXml('1.00'), { closing: '1.00' }).replace(
      '<BkToCstmrStmt>',
      '<BkToCstmrStmt xmlns="urn:example:other">',
    );
    const file = writeFile('foreign.xml', innerDefault);
    expect(await partsOf(file)).toEqual([]);
  });

  it('one XML node larger than any statement field (a comment, a text, a DOCTYPE) is refused while it streams', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    expect(await refusal(document(`<!--${big}-->`))).toContain('xml: one XML node is larger than');
    expect(await refusal(document('').replace('<Id>S1</Id>', `<Id>${big}</Id>`))).toContain(
      'xml: one XML node is larger than',
    );
  });
});

describe('camt.053 writer: hostile references (review)', () => {
  it('a character XML 1.0 cannot carry is refused by the writer, not written into a file its reader refuses', () => {
    const one: BankStatement = {
      header: {
        line: 0,
        statementId: 'S',
        account: 'DE89370400440532013000',
        currency: EUR,
        opening: { amountMinor: 0n, date: '2026-11-23' },
      },
      entries: [
        {
          line: 0,
          direction: 'credit',
          amountMinor: 1n,
          currency: EUR,
          bookingDate: '2026-11-23',
          valueDate: null,
          accountServicerRef: 'A\u0000B',
          typeCode: null,
          bankCharge: false,
          reversal: false,
          transactions: [
            { amountMinor: null, endToEndId: null, remittance: null, counterparty: null },
          ],
        },
      ],
      footer: { line: 0, closing: { amountMinor: 1n, date: '2026-11-23' } },
    };
    expect(() => camt053Format.write([one], { createdAt: '2026-11-24T05:00:00Z' })).toThrow(
      /cannot be written in XML/,
    );
  });
});

// ---- perf (issue 16): the reader's path bookkeeping and caches, restructured for speed ----

describe('camt.053 reader: element paths and caches (perf)', () => {
  const status = '<Sts><Cd>BOOK</Cd></Sts>';
  const day = '<BookgDt><Dt>2026-11-23</Dt></BookgDt>';
  const withEndToEnd = (refs: string) =>
    `<Ntry>\n<Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>${status}${day}<BkTxCd><Prtry><Cd>X</Cd></Prtry></BkTxCd><NtryDtls><TxDtls>${refs}</TxDtls></NtryDtls></Ntry>`;

  it('a field is read only at its own path: the same name wrapped in unknown elements is no field (property)', async () => {
    const name = fc
      .stringMatching(/^[A-Z][a-z]{1,6}$/)
      .filter(
        (candidate) => !['Refs', 'Amt', 'RmtInf', 'RltdPties', 'AmtDtls'].includes(candidate),
      );
    await fc.assert(
      fc.asyncProperty(fc.array(name, { minLength: 1, maxLength: 3 }), async (wrappers) => {
        const open = wrappers.map((wrapper) => `<${wrapper}>`).join('');
        const close = [...wrappers]
          .reverse()
          .map((wrapper) => `</${wrapper}>`)
          .join('');
        // The real end-to-end id after a wrapped one: only the real one is read, and neither counts as "given twice".
        const file = writeFile(
          'wrapped.xml',
          document(
            withEndToEnd(
              `${open}<Refs><EndToEndId>WRAPPED</EndToEndId></Refs>${close}<Refs><EndToEndId>REAL</EndToEndId></Refs>`,
            ),
            { closing: '1.00' },
          ),
        );
        const [statement] = await statementsOf(file);
        expect(statement?.entries[0]?.transactions[0]?.endToEndId).toBe('REAL');
      }),
      { numRuns: 25 },
    );
  });

  it('siblings and nested contexts keep their own paths (statement, balance, entry, transaction)', async () => {
    const file = writeFile(
      'ok.xml',
      document(
        withEndToEnd(
          '<Refs><EndToEndId>E1</EndToEndId></Refs><RmtInf><Ustrd>R</Ustrd></RmtInf>',
        ).replace('<BkTxCd>', '<AcctSvcrRef>REF1</AcctSvcrRef><BkTxCd>'),
        { closing: '1.00' },
      ),
    );
    const [statement] = await statementsOf(file);
    expect(statement?.header).toMatchObject({
      statementId: 'S1',
      account: 'DE89370400440532013000',
      currency: 'EUR',
      opening: { amountMinor: 0n, date: '2026-11-23' },
    });
    expect(statement?.entries[0]).toMatchObject({
      line: 6,
      amountMinor: 100n,
      accountServicerRef: 'REF1',
      typeCode: 'X',
      transactions: [{ endToEndId: 'E1', remittance: 'R' }],
    });
    expect(statement?.footer.closing.amountMinor).toBe(100n);
  });

  it('an element named like an Object property (constructor, toString) is no statement field, given once or twice', async () => {
    const file = writeFile(
      'ok.xml',
      document('').replace(
        '<Id>S1</Id>',
        '<Id>S1</Id><constructor>a</constructor><constructor>b</constructor><toString>c</toString>',
      ),
    );
    expect((await statementsOf(file))[0]?.header.statementId).toBe('S1');
  });

  it('a day once found valid does not make an invalid one pass (the remembered day)', async () => {
    expect(isIsoDay('2026-02-28')).toBe(true);
    expect(isIsoDay('2026-02-30')).toBe(false);
    expect(isIsoDay('2026-02-28')).toBe(true);
    expect(isIsoDay('2026-2-28')).toBe(false);
    expect(
      await refusal(
        document(`${withEndToEnd('').replace(day, '<BookgDt><Dt>2026-11-31</Dt></BookgDt>')}`, {
          closing: '1.00',
        }),
      ),
    ).toContain('Ntry/BookgDt: "2026-11-31" is not a date');
  });

  it('the parser keeps saxes behaviour with every handler slot declared: an unbound prefix is still refused as XML', async () => {
    expect(new ShapedSaxesParser({ xmlns: true, position: true, fileName: 'x' })).toBeInstanceOf(
      SaxesParser,
    );
    expect(
      await refusal(
        document(withEndToEnd('<y:Refs><EndToEndId>E</EndToEndId></y:Refs>'), { closing: '1.00' }),
      ),
    ).toMatch(/bad\.xml:\d+ xml: .*unbound namespace prefix/);
  });
});
