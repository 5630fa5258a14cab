// Seeds a reconciliation benchmark through payops' own services, in process, without the cost of
// the simulated PSP's bookkeeping: N checkout events (one order each) are read by the real intake,
// and charged by the real executor (claim, record: status, capture and fee postings, wallet) against
// a PSP that answers every charge at once with `ch_bench_<order>` and a 2.9% + 0.30 fee. Then the
// PSP's settlement file for those charges is written with payops' own writer: one capture row per
// order, one payout batch per currency. Usage: reconcile-seed.mjs N DB FILE EVENTS
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dist = (module) => import(path.join(ROOT, 'dist', module));
const [n, dbFile, settlementFile, eventsFile] = [
  Number(process.argv[2]),
  process.argv[3],
  process.argv[4],
  process.argv[5],
];

const generated = spawnSync(
  process.execPath,
  [
    path.join(ROOT, 'scripts', 'generate-events.mjs'),
    '--events',
    String(n),
    '--max-orders',
    '1',
    '--sellers',
    '1000',
    '--seed',
    '1',
    '--out',
    eventsFile,
  ],
  { encoding: 'utf8' },
);
if (generated.status !== 0) throw new Error(generated.stderr);

const { openDatabase } = await dist('db/index.js');
const { ingest } = await dist('intake/intake.js');
const { SqliteIntakeStore } = await dist('intake/sqlite-intake-store.js');
const { PayinExecutor } = await dist('work/executors/charge.js');
const { sqliteBook } = await dist('book/sqlite-book.js');
const { feeFor, parseFeeRule } = await dist('psp/fee-rule.js');
const { PAYOPS_SETTLEMENT_HEADER_LINE, formatPayopsSettlementRow } = await dist(
  'reconcile/settlement-file/payops.js',
);

const db = openDatabase(dbFile, { create: true });
const feeRule = parseFeeRule('2.9%+0.30');
const instantPsp = {
  name: 'sim',
  keyLifetimeMs: 24 * 60 * 60 * 1000,
  async charge(requests) {
    return requests.map((request) => ({
      status: 'succeeded',
      pspReference: `ch_bench_${request.merchantReference}`,
      feeMinor: feeFor(feeRule, request.amountMinor, request.currency),
    }));
  },
  async lookupCharge() {
    return { found: false };
  },
  async refund() {
    throw new Error('not in this benchmark');
  },
  async listDisputes() {
    return [];
  },
  async payout() {
    throw new Error('not in this benchmark');
  },
  close() {},
};
const started = Date.now();
const intake = await ingest(new SqliteIntakeStore(db), [eventsFile], { psp: 'sim' });
const tally = await new PayinExecutor(sqliteBook(db), {
  psp: instantPsp,
  retry: { baseMs: 1000, capMs: 8000, maxAttempts: 3 },
  clock: Date.now,
}).runDue();
if (intake.ordersAccepted !== n || tally.succeeded !== n)
  throw new Error(`seeded ${tally.succeeded} of ${n} orders`);
const seededSeconds = (Date.now() - started) / 1000;

const out = fs.createWriteStream(settlementFile);
const write = (text) =>
  out.write(text) ? Promise.resolve() : new Promise((resolve) => out.once('drain', resolve));
await write(`${PAYOPS_SETTLEMENT_HEADER_LINE}\n`);
const paid = new Map();
let buffer = '';
const day = new Date().toISOString().slice(0, 10);
for (const order of db
  .prepare(
    "SELECT order_id, currency, amount_minor, psp_reference, psp_fee_minor, updated_at FROM orders WHERE status = 'succeeded' ORDER BY id",
  )
  .iterate()) {
  const batchId = `po_bench_${order.currency}`;
  const netMinor = order.amount_minor - order.psp_fee_minor;
  paid.set(order.currency, (paid.get(order.currency) ?? 0n) + netMinor);
  buffer += `${formatPayopsSettlementRow({ line: 0, type: 'capture', pspReference: order.psp_reference, merchantReference: order.order_id, batchId, currency: order.currency, grossMinor: order.amount_minor, feeMinor: order.psp_fee_minor, netMinor, occurredAt: order.updated_at, availableOn: null, providerType: 'capture' })}\n`;
  if (buffer.length > 1 << 16) {
    await write(buffer);
    buffer = '';
  }
}
for (const [currency, netMinor] of [...paid].sort()) {
  buffer += `${formatPayopsSettlementRow({ line: 0, type: 'payout', pspReference: `po_bench_${currency}`, merchantReference: null, batchId: `po_bench_${currency}`, currency, grossMinor: -netMinor, feeMinor: 0n, netMinor: -netMinor, occurredAt: `${day}T23:59:59.999Z`, availableOn: null, providerType: 'payout' })}\n`;
}
await write(buffer);
await new Promise((resolve) => out.end(resolve));
db.close();
process.stdout.write(`${JSON.stringify({ orders: n, rows: n + paid.size, seededSeconds })}\n`);
