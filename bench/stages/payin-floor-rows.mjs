// The rows of a finished pay-in run, read from its book and grouped as payops writes them, for
// payin-floor.mjs: per intake batch its orders, their transitions and their new events; per
// execution batch its orders, their transitions, journal rows and entries. Reading is never timed.
// As a worker thread (`workerData.floorRows`), it sends each batch serialized (v8.serialize) so
// that the replay can time turning it back into values on its own thread.
import { serialize } from 'node:v8';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';

/** Each batch in write order: `{ phase: 'intake' | 'execution', orders, transitions, … }`. */
export function* floorBatches(sourceFile, { intakeBatch, executionBatch, foldFee }) {
  const source = new Sqlite(sourceFile, { readonly: true });
  source.defaultSafeIntegers(true);
  const read = {
    orders: source.prepare('SELECT * FROM orders WHERE id BETWEEN ? AND ? ORDER BY id'),
    event: source
      .prepare(
        'SELECT event_id, type, content_hash, occurred_at, source, received_at, order_count FROM events WHERE event_id = ?',
      )
      .raw(),
    transitions: source
      .prepare(
        'SELECT order_id, from_status, to_status, attempt, at, cause FROM order_transitions WHERE order_id BETWEEN ? AND ? ORDER BY id',
      )
      .raw(),
    transactionByKey: source
      .prepare('SELECT * FROM ledger_transactions WHERE idempotency_key = ?')
      .raw(),
    entries: source
      .prepare(
        'SELECT tx_id, account_id, direction, amount_minor, effective_at, backdated, running_balance_minor FROM ledger_entries WHERE tx_id BETWEEN ? AND ? ORDER BY id',
      )
      .raw(),
  };
  const lastOrderId = source.prepare('SELECT MAX(id) FROM orders').pluck().get() ?? 0n;

  /** Each order's transitions in the order they happened: [created, executing, final]. */
  function transitionsOf(firstId, lastId) {
    const byOrder = new Map();
    for (const row of read.transitions.iterate(firstId, lastId)) {
      const list = byOrder.get(row[0]) ?? [];
      list.push(row.slice(1));
      byOrder.set(row[0], list);
    }
    for (const [orderId, list] of byOrder) {
      if (list.length !== 3)
        throw new Error(
          `order ${orderId} has ${list.length} transitions; the floor replays runs without retries (3 each)`,
        );
    }
    return byOrder;
  }

  /** The source's orders in batches of `size` by id, each with its orders' transitions. */
  function* batchesOf(size) {
    for (let first = 1n; first <= lastOrderId; first += BigInt(size)) {
      const last = first + BigInt(size) - 1n;
      yield { orders: read.orders.all(first, last), transitions: transitionsOf(first, last) };
    }
  }

  const insertedEvents = new Set();
  for (const { orders, transitions } of batchesOf(intakeBatch)) {
    const events = [];
    for (const order of orders) {
      if (insertedEvents.has(order.event_id)) continue;
      insertedEvents.add(order.event_id);
      events.push([order.event_id, read.event.get(order.event_id)]);
    }
    yield { phase: 'intake', orders, transitions, events };
  }
  for (const { orders, transitions } of batchesOf(executionBatch)) {
    const journal = [];
    for (const order of orders) {
      for (const key of [`payin.capture:${order.order_id}`, `payin.psp-fee:${order.order_id}`]) {
        const row = read.transactionByKey.get(key);
        if (row) journal.push(row);
      }
    }
    journal.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const entries =
      journal.length === 0 ? [] : read.entries.all(journal[0][0], journal[journal.length - 1][0]);
    if (foldFee) foldFees(journal, entries);
    yield { phase: 'execution', orders, transitions, journal, entries };
  }
  source.close();
}

/** Moves each fee transaction's entries into the capture transaction before it, and drops its journal row. */
function foldFees(journal, entries) {
  const captureOf = new Map();
  let capture = null;
  for (const row of journal) {
    if (row[2] === 'payin.capture') capture = row[0];
    else captureOf.set(row[0], capture);
  }
  for (const entry of entries) entry[0] = captureOf.get(entry[0]) ?? entry[0];
  const captures = journal.filter((row) => row[2] === 'payin.capture');
  journal.length = 0;
  journal.push(...captures);
}

/** How many batches the worker may have sent that the replay has not taken yet. */
const BATCHES_AHEAD = 2;

if (!isMainThread && workerData?.floorRows) {
  const { sourceFile, options, taken } = workerData.floorRows;
  // taken[0]: how many batches the replay has taken; the worker waits while it is BATCHES_AHEAD behind.
  const counter = new Int32Array(taken);
  let sent = 0;
  for (const batch of floorBatches(sourceFile, options)) {
    for (;;) {
      const seen = Atomics.load(counter, 0);
      if (sent - seen < BATCHES_AHEAD) break;
      Atomics.wait(counter, 0, seen);
    }
    parentPort.postMessage(serialize(batch));
    sent++;
  }
  parentPort.postMessage(null);
}
