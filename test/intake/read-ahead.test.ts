import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type JudgedRecord, judgeRecords } from '../../src/intake/judged.js';
import { judgedRecordsOf, readAhead } from '../../src/intake/read-ahead.js';
import { REPO_ROOT, tempDir } from '../helpers/cli.js';

const BAD = path.join(REPO_ROOT, 'fixtures', 'events', 'bad-lines.ndjson');

async function all(records: AsyncIterable<JudgedRecord>): Promise<JudgedRecord[]> {
  const out: JudgedRecord[] = [];
  for await (const judged of records) out.push(judged);
  return out;
}

/** What the main thread uses of a judged record (the parsed value stays on the thread that read it). */
const seen = ({ record, event, rejection }: JudgedRecord) => ({
  line: record.line,
  text: record.text,
  event,
  rejection,
});

describe('the read-ahead thread of intake', () => {
  let dir: string;
  let cleanup: () => void;
  let file: string;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir('payops-read-ahead-'));
    file = path.join(dir, 'bad-lines.ndjson');
    fs.copyFileSync(BAD, file);
  });
  afterEach(() => cleanup());

  it('reads on this thread from the first record the thread did not deliver when it fails', async () => {
    const worker = new URL('./fixtures/failing-read-worker.mjs', import.meta.url);
    const records = await all(readAhead(worker, file, 'ndjson'));
    const here = await all(judgeRecords(file, 'ndjson'));
    expect(records.map(seen)).toEqual([
      {
        line: 1,
        text: 'from the thread',
        event: undefined,
        rejection: { field: 'f', reason: 'r' },
      },
      ...here.slice(1).map(seen),
    ]);
  });

  it('reads everything on this thread when the thread cannot start', async () => {
    const missing = new URL('./fixtures/no-such-worker.mjs', import.meta.url);
    const records = await all(readAhead(missing, file, 'ndjson'));
    expect(records.map(seen)).toEqual((await all(judgeRecords(file, 'ndjson'))).map(seen));
  });

  it('a small file is read on this thread, with the verdicts of each record', async () => {
    const records = await all(judgedRecordsOf(file, 'ndjson'));
    expect(records.map((judged) => judged.rejection?.field ?? judged.event?.eventId)).toEqual([
      'orders[0].amount',
      'orders[0].amount',
      'currency',
      'paymentToken',
      'orders[0].platformFee',
      'occurredAt',
      'chk_0000001',
      'bad_0008',
      'orders[0].amount',
      'orders[0].sellerId',
      'orders[0].platfromFee',
      'json',
      'good_0013',
    ]);
  });
});
