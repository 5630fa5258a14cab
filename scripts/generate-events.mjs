#!/usr/bin/env node
// Writes a deterministic day of checkout events (DESIGN.md §3) for fixtures, the demo and benchmarks.
//   node scripts/generate-events.mjs --events 300 --seed 1 --out fixtures/events/day.ndjson [--format ndjson|csv|json]
//   [--currencies USD:0.5,EUR:0.2,JPY:0.1,KWD:0.2]   (code:weight; the default is USD:0.7,EUR:0.2,JPY:0.1)
// Streams, so --events 1000000 uses constant memory. Amounts are exact decimal strings.
// --sellers-in-turn gives order k to seller k (mod --sellers) instead of a random one, so every
// seller gets orders (the payout benchmark); --no-declines uses only tokens the PSP accepts.
import fs from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string' },
    format: { type: 'string', default: 'ndjson' },
    sellers: { type: 'string', default: '25' },
    'max-orders': { type: 'string', default: '3' },
    prefix: { type: 'string', default: '' },
    'sellers-in-turn': { type: 'boolean', default: false },
    'no-declines': { type: 'boolean', default: false },
    currencies: { type: 'string', default: 'USD:0.7,EUR:0.2,JPY:0.1' },
  },
});
if (!values.out) {
  console.error(
    'usage: generate-events.mjs --events N --seed S --out FILE [--format ndjson|csv|json] [--sellers N] [--max-orders N] [--prefix P] [--sellers-in-turn] [--no-declines] [--currencies USD:0.7,EUR:0.2,JPY:0.1]',
  );
  process.exit(2);
}

// mulberry32: small, fast, deterministic.
let state = Number(values.seed) >>> 0 || 1;
function random() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (weights) => {
  let roll = random();
  for (const [value, weight] of weights) if ((roll -= weight) < 0) return value;
  return weights[weights.length - 1][0];
};

// The currencies this generator knows, with their ISO 4217 exponents: two, none and three decimals.
const EXPONENT = { USD: 2, EUR: 2, GBP: 2, JPY: 0, KRW: 0, KWD: 3, BHD: 3 };
const CURRENCIES = values.currencies.split(',').map((part) => {
  const [code, weight] = part.split(':');
  if (!(code in EXPONENT) || !(Number(weight) > 0)) {
    console.error(
      `--currencies: "${part}" is not CODE:WEIGHT with CODE one of ${Object.keys(EXPONENT).join(', ')} and WEIGHT > 0`,
    );
    process.exit(2);
  }
  return [code, Number(weight)];
});
const weightTotal = CURRENCIES.reduce((sum, [, weight]) => sum + weight, 0);
for (const entry of CURRENCIES) entry[1] /= weightTotal;
const TOKENS = values['no-declines']
  ? [
      ['tok_visa', 0.97],
      ['tok_mastercard', 0.03],
    ]
  : [
      ['tok_visa', 0.96],
      ['tok_mastercard', 0.03],
      ['tok_chargeDeclined', 0.01],
    ];
const total = Number(values.events);
const sellers = Number(values.sellers);
const maxOrders = Number(values['max-orders']);
const prefix = values.prefix;
const dayStartMs = Date.parse('2026-11-23T00:00:00Z');

function amountText(minor, exponent) {
  if (exponent === 0) return String(minor);
  const text = String(minor).padStart(exponent + 1, '0');
  return `${text.slice(0, -exponent)}.${text.slice(-exponent)}`;
}

const out = fs.createWriteStream(values.out);
const write = (text) =>
  out.write(text) ? Promise.resolve() : new Promise((resolve) => out.once('drain', resolve));
if (values.format === 'csv')
  await write(
    'eventId,type,occurredAt,currency,payerId,paymentToken,orderId,sellerId,amount,platformFee,metadata\n',
  );
if (values.format === 'json') await write('[\n');
let orderNumber = 0;
let buffer = '';
for (let i = 1; i <= total; i++) {
  const currency = pick(CURRENCIES);
  const exponent = EXPONENT[currency];
  const occurredAt = new Date(dayStartMs + Math.floor((i / total) * 86_399_000))
    .toISOString()
    .replace('.000Z', 'Z');
  const event = {
    eventId: `${prefix}chk_${String(i).padStart(7, '0')}`,
    type: 'pay_in',
    occurredAt,
    currency,
    payer: { id: `buyer_${1 + Math.floor(random() * 50_000)}` },
    paymentToken: pick(TOKENS),
    orders: [],
  };
  const orders = 1 + Math.floor(random() * maxOrders);
  for (let o = 0; o < orders; o++) {
    orderNumber++;
    const major = 5 + Math.floor(random() * 195);
    const minor =
      exponent === 0 ? major * 100 : major * 10 ** exponent + Math.floor(random() * 10 ** exponent);
    const fee = Math.floor(minor / 10);
    event.orders.push({
      orderId: `${prefix}ord_${String(orderNumber).padStart(8, '0')}`,
      sellerId: `seller_${1 + (values['sellers-in-turn'] ? (orderNumber - 1) % sellers : Math.floor(random() * sellers))}`,
      amount: amountText(minor, exponent),
      platformFee: amountText(fee, exponent),
      ...(random() < 0.3 ? { metadata: { sku: `SKU-${Math.floor(random() * 1000)}` } } : {}),
    });
  }
  if (values.format === 'csv') {
    for (const order of event.orders) {
      const metadata = order.metadata
        ? `"${JSON.stringify(order.metadata).replace(/"/g, '""')}"`
        : '';
      buffer += `${event.eventId},pay_in,${event.occurredAt},${currency},${event.payer.id},${event.paymentToken},${order.orderId},${order.sellerId},${order.amount},${order.platformFee},${metadata}\n`;
    }
  } else {
    buffer += `${values.format === 'json' && i > 1 ? ',\n' : ''}${JSON.stringify(event)}${values.format === 'json' ? '' : '\n'}`;
  }
  if (buffer.length > 1 << 16) {
    await write(buffer);
    buffer = '';
  }
}
if (values.format === 'json') buffer += '\n]\n';
await write(buffer);
out.end();
await new Promise((resolve) => out.on('finish', resolve));
console.error(`wrote ${total} events, ${orderNumber} orders to ${values.out}`);
