import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toCurrency } from '../../../src/money/index.js';
import { openSettlement } from '../../../src/reconcile/formats/index.js';
import {
  PAYOPS_SETTLEMENT_HEADER_LINE,
  formatPayopsSettlementRow,
} from '../../../src/reconcile/settlement-file/payops.js';
import type { SettlementRow } from '../../../src/reconcile/types.js';
import { tempDir } from '../../helpers/cli.js';

const ROWS = 200_000;
const USD = toCurrency('USD');

let dir: string;
let cleanup: () => void;
let file: string;

/** Row i of the generated file: captures of 0.01 × (i % 5000 + 1) with a 1 % fee, one batch per 10,000 rows. */
function generatedRow(index: number): SettlementRow {
  const grossMinor = BigInt((index % 5000) + 1);
  const feeMinor = grossMinor / 100n;
  return {
    line: 0,
    type: 'capture',
    pspReference: `ch_${String(index).padStart(8, '0')}`,
    merchantReference: `ord_${String(index).padStart(8, '0')}`,
    batchId: `po_${Math.floor(index / 10_000)}`,
    currency: USD,
    grossMinor,
    feeMinor,
    netMinor: grossMinor - feeMinor,
    occurredAt: new Date(Date.UTC(2026, 10, 23) + index * 1000).toISOString(),
    availableOn: '2026-11-25',
    providerType: 'capture',
  };
}

beforeAll(() => {
  ({ dir, cleanup } = tempDir('payops-stream-'));
  file = path.join(dir, 'settlement.csv');
  const descriptor = fs.openSync(file, 'w');
  let chunk = `${PAYOPS_SETTLEMENT_HEADER_LINE}\n`;
  for (let index = 0; index < ROWS; index++) {
    chunk += `${formatPayopsSettlementRow(generatedRow(index))}\n`;
    if (chunk.length > 1 << 20) {
      fs.writeSync(descriptor, chunk);
      chunk = '';
    }
  }
  fs.writeSync(descriptor, chunk);
  fs.closeSync(descriptor);
});
afterAll(() => cleanup());

describe('reading a large settlement file', () => {
  it(`streams ${ROWS.toLocaleString('en')} payops rows in order, each one once, holding only the current chunk`, async () => {
    const reader = await openSettlement(file, { strict: true });
    let count = 0;
    let netTotal = 0n;
    let expectedNetTotal = 0n;
    let lastLine = 1;
    let outOfOrder = 0;
    for await (const row of reader.rows()) {
      if (row.line !== lastLine + 1) outOfOrder++; // counted, not expect()ed: 200,000 expect calls cost seconds
      lastLine = row.line;
      netTotal += row.netMinor;
      expectedNetTotal += generatedRow(count).netMinor;
      if (count % 49_999 === 0) expect(row).toEqual({ ...generatedRow(count), line: count + 2 });
      count++;
    }
    expect(outOfOrder).toBe(0);
    expect(count).toBe(ROWS);
    expect(lastLine).toBe(ROWS + 1);
    expect(netTotal).toBe(expectedNetTotal);
  });
});
