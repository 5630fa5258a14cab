import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../../src/errors.js';
import { openSettlement } from '../../../src/reconcile/formats/index.js';
import { PAYOPS_SETTLEMENT_HEADER_LINE } from '../../../src/reconcile/settlement-file/payops.js';
import type { SettlementFormat } from '../../../src/reconcile/types.js';
import { tempDirPerTest } from '../../helpers/cli.js';
import { SETTLEMENT_FIXTURES, writeFile } from '../../helpers/settlement.js';

const temp = tempDirPerTest('payops-open-');

async function openError(
  file: string,
  options: Parameters<typeof openSettlement>[1] = {},
): Promise<Error> {
  return openSettlement(file, options).then(
    () => expect.unreachable('openSettlement should have thrown'),
    (error: unknown) => error as Error,
  );
}

describe('openSettlement: detection from the header', () => {
  it.each([
    ['payops.csv', 'payops'],
    ['stripe.csv', 'stripe'],
    ['adyen.csv', 'adyen'],
    ['paypal.csv', 'paypal'],
  ] as [string, SettlementFormat][])('detects %s as %s', async (name, format) => {
    const reader = await openSettlement(path.join(SETTLEMENT_FIXTURES, name));
    expect(reader.format).toBe(format);
  });

  it('takes the format from --format or --mapping without looking at the header', async () => {
    const stripe = await openSettlement(path.join(SETTLEMENT_FIXTURES, 'stripe.csv'), {
      format: 'stripe',
    });
    expect(stripe.format).toBe('stripe');
    const generic = await openSettlement(path.join(SETTLEMENT_FIXTURES, 'generic.csv'), {
      mappingFile: path.join(SETTLEMENT_FIXTURES, 'generic-mapping.json'),
    });
    expect(generic.format).toBe('generic');
  });

  it('names stripe as the closest format of a near-miss Stripe header', async () => {
    const header =
      'balance_transaction_id,created_utc,available_on_utc,currency,gross,fee,net,reporting_category,source_id,payout_id';
    const file = writeFile(
      temp.dir,
      'settlement.csv',
      `${header}
`,
    );
    const error = await openError(file);
    expect((error as InputError).oneLine()).toBe(
      `${file}: not a known settlement format; closest is stripe (missing: automatic_payout_id; unexpected: payout_id) (pass --format, or a --mapping file for a generic CSV)`,
    );
  });

  it('names adyen as the closest format of an Adyen report with a column renamed', async () => {
    const header =
      fs
        .readFileSync(path.join(SETTLEMENT_FIXTURES, 'adyen.csv'), 'utf8')
        .split('\n')[0]
        ?.replace('Batch Number', 'Batch') ?? '';
    const error = await openError(
      writeFile(
        temp.dir,
        'a.csv',
        `${header}
`,
      ),
    );
    expect(error.message).toMatch(/closest is adyen \(missing: Batch Number; unexpected: Batch\)$/);
  });

  it('refuses a CSV of no known format and points to --mapping', async () => {
    const error = await openError(
      writeFile(temp.dir, 'other.csv', 'Booking date,Type,Amount,Currency\n'),
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).oneLine()).toMatch(
      /not a known settlement format; closest is .*\(pass --format, or a --mapping file for a generic CSV\)$/,
    );
  });

  it('names another delimiter instead of comparing one long column, and points to a mapping with that delimiter', async () => {
    const semicolons = await openError(path.join(SETTLEMENT_FIXTURES, 'generic.csv'));
    expect(semicolons).toBeInstanceOf(InputError);
    expect((semicolons as InputError).oneLine()).toMatch(
      /generic\.csv:1 header: the columns are separated by ";", not commas; .*--mapping file whose "delimiter" is ";"/,
    );
    const tabs = await openError(
      writeFile(temp.dir, 'tabs.csv', `${PAYOPS_SETTLEMENT_HEADER_LINE.replaceAll(',', '\t')}\n`),
    );
    expect(tabs.message).toMatch(/:1 header: the columns are separated by tabs, not commas/);
    // A comma inside a quoted column name is not a delimiter.
    const quoted = await openError(writeFile(temp.dir, 'quoted.csv', '"Date, local";"Amount"\n'));
    expect(quoted.message).toMatch(/separated by ";"/);
  });

  it('refuses a UTF-16 or UTF-32 file whole, by its byte order mark', async () => {
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(`${PAYOPS_SETTLEMENT_HEADER_LINE}\r\n`, 'utf16le'),
    ]);
    expect((await openError(writeFile(temp.dir, 'utf16.csv', utf16))).message).toMatch(
      /utf16\.csv:1 encoding: the file is UTF-16LE/,
    );
    expect(
      (
        await openError(
          writeFile(temp.dir, 'utf32.csv', Buffer.from([0x00, 0x00, 0xfe, 0xff, 0, 0, 0, 0x61])),
        )
      ).message,
    ).toMatch(/:1 encoding: the file is UTF-32BE/);
  });

  it('detects a header whose columns are reordered, spaced or capitalised differently', async () => {
    const file = writeFile(
      temp.dir,
      's.csv',
      ' Record_Type ,psp_reference,merchant_reference,batch_id,currency,gross,fee,net,available_on,occurred_at\ncapture,ch_1,ord_1,po_1,USD,25.00,1.03,23.97,2026-11-25,2026-11-23T10:15:00Z\n',
    );
    const reader = await openSettlement(file);
    expect(reader.format).toBe('payops');
    const rows = [];
    for await (const row of reader.rows()) rows.push(row);
    expect(rows).toMatchObject([
      { occurredAt: '2026-11-23T10:15:00.000Z', availableOn: '2026-11-25', netMinor: 2397n },
    ]);
  });

  it('names the closest format and the columns that differ when none fits', async () => {
    const file = writeFile(
      temp.dir,
      'settlement.csv',
      `${PAYOPS_SETTLEMENT_HEADER_LINE.replace('batch_id', 'payout_id')},extra\n`,
    );
    const error = await openError(file);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).oneLine()).toBe(
      `${file}: not a known settlement format; closest is payops (missing: batch_id; unexpected: payout_id, extra) (pass --format, or a --mapping file for a generic CSV)`,
    );
  });

  it('refuses an empty file, a blank first line, a duplicate column and a broken header with their reason', async () => {
    expect((await openError(writeFile(temp.dir, 'empty.csv', ''))).message).toBe(
      `${path.join(temp.dir, 'empty.csv')}: the file is empty (expected a settlement file, starting with its header)`,
    );
    expect((await openError(writeFile(temp.dir, 'bom-only.csv', '\uFEFF\r\n'))).message).toMatch(
      /the file is empty/,
    );
    expect(
      (await openError(writeFile(temp.dir, 'blank.csv', `\n${PAYOPS_SETTLEMENT_HEADER_LINE}\n`)))
        .message,
    ).toMatch(/:1 header: the first line is blank/);
    expect(
      (await openError(writeFile(temp.dir, 'dup.csv', `${PAYOPS_SETTLEMENT_HEADER_LINE},gross\n`)))
        .message,
    ).toMatch(/:1 header: column "gross" appears twice/);
    expect((await openError(writeFile(temp.dir, 'quote.csv', 'a,"b\n'))).message).toMatch(
      /:1 header: a quoted field is never closed/,
    );
    expect(
      (await openError(writeFile(temp.dir, 'binary.csv', Buffer.alloc(70_000, 1)))).message,
    ).toMatch(/:1 header: the first line is longer than 64 KiB/);
    expect((await openError(writeFile(temp.dir, 'control.csv', 'a,b\u0001\n'))).message).toMatch(
      /:1 header: contains a control character \(U\+0001\)/,
    );
  });

  it('refuses a missing file, a directory and contradictory options as usage errors', async () => {
    expect(await openError(path.join(temp.dir, 'nope.csv'))).toBeInstanceOf(UsageError);
    expect((await openError(temp.dir)).message).toMatch(/is a directory/);
    const fixture = path.join(SETTLEMENT_FIXTURES, 'payops.csv');
    expect((await openError(fixture, { format: 'csv' as SettlementFormat })).message).toBe(
      '--format: "csv" is not one of payops, stripe, adyen, paypal, generic',
    );
    expect((await openError(fixture, { format: 'generic' })).message).toMatch(
      /--format generic needs a --mapping FILE/,
    );
    expect((await openError(fixture, { format: 'payops', mappingFile: 'm.json' })).message).toMatch(
      /cannot be used with --format payops/,
    );
  });

  it('with --format, names the columns the file lacks for that format', async () => {
    const file = writeFile(temp.dir, 's.csv', 'record_type,currency,gross\n');
    const error = await openError(file, { format: 'payops' });
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(
      `${file}:1 header: not a payops settlement file (missing: psp_reference, merchant_reference, batch_id, fee, net, occurred_at, available_on)`,
    );
  });
});
