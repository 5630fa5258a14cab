// Posts N two-entry transactions through payops' Ledger in batches, with full durability, and
// prints {seconds} (posting only, generation of the requests included, as a real caller pays it).
import { openDatabase } from '../../dist/db/index.js';
import { Ledger } from '../../dist/ledger/index.js';
import { toCurrency } from '../../dist/money/index.js';

const [n, batch, file] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
const db = openDatabase(file, { create: true });
const ledger = new Ledger(db);
const USD = toCurrency('USD');
const dayMs = Date.parse('2026-11-23T00:00:00Z');
const started = process.hrtime.bigint();
for (let start = 0; start < n; start += batch) {
  const requests = [];
  for (let i = start; i < Math.min(n, start + batch); i++) {
    const amountMinor = BigInt(100 + (i % 10_000));
    requests.push({
      idempotencyKey: `bench-${i}`,
      kind: 'bench.capture',
      description: `capture ${i}`,
      // Effective times move forward through one day, so running balances are in order.
      effectiveAt: new Date(dayMs + Math.floor((i / n) * 86_399_000)).toISOString(),
      entries: [
        { account: 'assets:psp:sim:receivable', currency: USD, direction: 'debit', amountMinor },
        { account: `liabilities:sellers:seller_${i % 1000}:pending`, currency: USD, direction: 'credit', amountMinor },
      ],
    });
  }
  ledger.postBatch(requests);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
db.close();
process.stdout.write(JSON.stringify({ seconds }));
