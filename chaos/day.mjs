// The day the chaos campaign runs: per wave, a file of checkouts (several currencies, a few
// declining cards), the deliveries of every second order (pay_out, in two halves delivered at
// different moments), and refunds, full and partial, of some orders, delivered or not.
// Everything is written from the seed, with the project's own generators where they exist.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const CURRENCIES = 'USD:0.45,EUR:0.25,JPY:0.15,KWD:0.15';
const SELLERS = 30;
const REFUND_RATE = 0.15;
const REFUND_REASONS = ['damaged', 'not as described', 'late delivery', 'changed mind'];

/**
 * @typedef {object} Part   a file of checkouts and what follows from it
 * @property {string} checkouts      NDJSON of pay_in events
 * @property {string} deliveries1    pay_out events of half of the delivered orders (paid out in a sequential payout run)
 * @property {string} deliveries2    pay_out events of the other half (paid out by the payout run of a rush)
 * @property {string} refunds        refund events, full and partial
 * @typedef {{ number: number, a: Part, b: Part }} Wave
 */

/**
 * Writes the inputs of one wave into `dir`: two parts, each its own checkouts (`a` charged by a
 * sequential pay-in run, `b` in the rush, beside other processes) with their deliveries and refunds.
 * @param {{ root: string, dir: string, wave: number, events: number, random: import('./random.mjs').Random, money: { formatAmount: Function, parseAmount: Function } }} options
 * @returns {Wave}
 */
export function writeWave({ root, dir, wave, events, random, money }) {
  const part = (letter) => {
    const name = (suffix) => path.join(dir, `wave${wave}${letter}-${suffix}.ndjson`);
    const checkouts = name('checkouts');
    generator(root, 'generate-events.mjs', [
      '--events',
      String(events),
      '--seed',
      String(random.int(1, 2 ** 31 - 1)),
      '--prefix',
      `w${wave}${letter}_`,
      '--sellers',
      String(SELLERS),
      '--max-orders',
      '3',
      '--currencies',
      CURRENCIES,
      '--out',
      checkouts,
    ]);
    const allDeliveries = name('deliveries-all');
    generator(root, 'generate-deliveries.mjs', [
      '--events',
      checkouts,
      '--every',
      '2',
      '--out',
      allDeliveries,
    ]);
    const deliveries = lines(allDeliveries);
    fs.rmSync(allDeliveries);
    const deliveries1 = name('deliveries-1');
    const deliveries2 = name('deliveries-2');
    fs.writeFileSync(
      deliveries1,
      deliveries
        .filter((_, index) => index % 2 === 0)
        .map((line) => `${line}\n`)
        .join(''),
    );
    fs.writeFileSync(
      deliveries2,
      deliveries
        .filter((_, index) => index % 2 === 1)
        .map((line) => `${line}\n`)
        .join(''),
    );
    const refunds = name('refunds');
    fs.writeFileSync(
      refunds,
      refundEvents(
        lines(checkouts).map((line) => JSON.parse(line)),
        random,
        money,
      )
        .map((event) => `${JSON.stringify(event)}\n`)
        .join(''),
    );
    return { checkouts, deliveries1, deliveries2, refunds };
  };
  return { number: wave, a: part('a'), b: part('b') };
}

/** Reads an NDJSON file written here as its non-empty lines. */
export function lines(file) {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

/**
 * Refunds of some orders: in full, in part, or in two parts that together stay within the order.
 * Whether each is accepted depends on the order's fate (a declined order has nothing to refund;
 * a disputed one may have less left); the end checks explain every refusal.
 */
function refundEvents(checkouts, random, money) {
  const refunds = [];
  for (const checkout of checkouts) {
    for (const order of checkout.orders) {
      if (!random.chance(REFUND_RATE)) continue;
      const amountMinor = money.parseAmount(order.amount, checkout.currency);
      const roll = random.next();
      const parts =
        roll < 0.4
          ? [amountMinor]
          : roll < 0.8
            ? [partOf(amountMinor, random)]
            : twoParts(amountMinor, random);
      const at = new Date(Date.parse(checkout.occurredAt) + 3 * 86_400_000).toISOString();
      parts.forEach((partMinor, index) => {
        refunds.push({
          eventId: `rf_${order.orderId}_${index + 1}`,
          type: 'refund',
          occurredAt: at,
          orderId: order.orderId,
          amount: money.formatAmount(partMinor, checkout.currency),
          reason: random.pick(REFUND_REASONS),
        });
      });
    }
  }
  return refunds;
}

function partOf(amountMinor, random) {
  const part = (amountMinor * BigInt(random.int(5, 95))) / 100n;
  return part > 0n ? part : 1n;
}

function twoParts(amountMinor, random) {
  const first = partOf(amountMinor, random);
  const rest = amountMinor - first;
  return rest > 0n ? [first, partOf(rest, random)] : [first];
}

function generator(root, script, args) {
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', script), ...args], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`${script} ${args.join(' ')} failed: ${result.stderr}`);
}
