// Posts N two-entry transactions through payops' Ledger in batches, with full durability, and
// prints {seconds} (posting only, generation of the requests included, as a real caller pays it).
//   node ledger-post.mjs N BATCH FILE [DAYS=1] [SELLERS=1000] [BACKDATED_EVERY=0]
// Effective times move forward through DAYS days; every BACKDATED_EVERY-th transaction is dated
// two days back, as a correction would be, so as-of queries meet backdated entries too.
import { openDatabase } from '../../dist/db/index.js';
import { Ledger } from '../../dist/ledger/index.js';
import { toCurrency } from '../../dist/money/index.js';

const [n, batch, file] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
const days = Number(process.argv[5] ?? 1);
const sellers = Number(process.argv[6] ?? 1000);
const backdatedEvery = Number(process.argv[7] ?? 0);
const db = openDatabase(file, { create: true });
const ledger = new Ledger(db);
const USD = toCurrency('USD');
const startMs = Date.parse('2026-11-23T00:00:00Z');
const spanMs = days * 86_400_000 - 1_000;
const started = process.hrtime.bigint();
for (let start = 0; start < n; start += batch) {
  const requests = [];
  for (let i = start; i < Math.min(n, start + batch); i++) {
    const amountMinor = BigInt(100 + (i % 10_000));
    const backdated = backdatedEvery > 0 && i % backdatedEvery === backdatedEvery - 1;
    const effectiveMs = startMs + Math.floor((i / n) * spanMs) - (backdated ? 2 * 86_400_000 : 0);
    requests.push({
      idempotencyKey: `bench-${i}`,
      kind: 'bench.capture',
      description: `capture ${i}`,
      effectiveAt: new Date(effectiveMs).toISOString(),
      entries: [
        { account: 'assets:psp:sim:receivable', currency: USD, direction: 'debit', amountMinor },
        {
          account: `liabilities:sellers:seller_${i % sellers}:pending`,
          currency: USD,
          direction: 'credit',
          amountMinor,
        },
      ],
    });
  }
  ledger.postBatch(requests);
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
db.close();
process.stdout.write(JSON.stringify({ seconds }));
