#!/usr/bin/env node
// Writes pay_out events (DESIGN.md §3) for every Nth order of a checkout events file: the order was
// delivered, its seller share becomes payable. Sellers get stable names and valid German IBANs.
//   node scripts/generate-deliveries.mjs --events fixtures/events/day.ndjson --every 2 --out fixtures/events/deliveries.ndjson
import fs from 'node:fs';
import readline from 'node:readline';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    every: { type: 'string', default: '2' },
    out: { type: 'string' },
  },
});
if (!values.events || !values.out) {
  console.error('usage: generate-deliveries.mjs --events FILE --every N --out FILE');
  process.exit(2);
}

/** A German IBAN for an account number, with ISO 13616 check digits. */
function iban(accountNumber) {
  const bban = `37040044${String(accountNumber).padStart(10, '0')}`;
  const numeric = `${bban}131400`; // "DE00" moved to the end, D=13, E=14
  let remainder = 0;
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
  return `DE${String(98 - remainder).padStart(2, '0')}${bban}`;
}

const every = Number(values.every);
const out = fs.createWriteStream(values.out);
let n = 0;
let written = 0;
for await (const line of readline.createInterface({ input: fs.createReadStream(values.events) })) {
  if (!line.trim()) continue;
  const event = JSON.parse(line);
  for (const order of event.orders ?? []) {
    if (n++ % every !== 0) continue;
    const sellerNumber = Number(order.sellerId.replace(/\D/g, '')) || 0;
    const deliveredAt = new Date(Date.parse(event.occurredAt) + 2 * 86_400_000)
      .toISOString()
      .replace('.000Z', 'Z');
    out.write(
      `${JSON.stringify({
        eventId: `dlv_${order.orderId}`,
        type: 'pay_out',
        occurredAt: deliveredAt,
        orderId: order.orderId,
        seller: {
          id: order.sellerId,
          name: `Seller ${sellerNumber} GmbH`,
          account: { iban: iban(532013000 + sellerNumber) },
        },
      })}\n`,
    );
    written++;
  }
}
out.end();
console.error(`wrote ${written} pay_out events to ${values.out}`);
