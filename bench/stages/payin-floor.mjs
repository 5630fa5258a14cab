// The floor of payops' own rows for pay-in: replays, into a fresh book made by `payops init` (the
// same schema, indexes, constraints, triggers and pragmas), exactly the rows a `payops payin run`
// wrote to its book, through the same statements grouped into the same transactions (intake
// batches of 5,000 orders, then per batch of 4,000: the claim, then the record). The values come
// precomputed from the finished book, so no application code runs: no file reading, JSON, validation,
// hashing, posting rules or PSP. Only the write transactions are timed; reading the source is not.
//   node payin-floor.mjs SOURCE_BOOK TARGET_BOOK PAYOPS_BIN [--fold-fee] [--drop-index NAME]… [--rows-via-worker]
// Prints {"seconds": …, "orders": …}. The source must hold one pay-in run and nothing else.
// The options measure what changes of design would be worth, with no code written for them:
// --fold-fee writes each PSP fee's entries into its capture transaction (one journal row per order
// fewer), --drop-index removes an index of the fresh book before the replay. --rows-via-worker
// reads and serializes the batches on a worker thread and times their deserializing here: the
// floor of a payops whose own work all ran on the second core, handing this thread finished rows.
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { deserialize } from 'node:v8';
import { Worker } from 'node:worker_threads';
import Sqlite from 'better-sqlite3';
import { CLAIM_QUERIES } from '../../dist/payments/store.js';
import { floorBatches } from './payin-floor-rows.mjs';

const INTAKE_BATCH = 5_000; // DEFAULT_INTAKE_BATCH in src/intake/intake.ts
const EXECUTION_BATCH = 4_000; // DEFAULT_BATCH_SIZE in src/work/engine.ts
const ENTRY_ROWS_PER_INSERT = 64; // as src/ledger/ledger.ts writes them

const { positionals, values: variant } = parseArgs({
  allowPositionals: true,
  options: {
    'fold-fee': { type: 'boolean', default: false },
    'drop-index': { type: 'string', multiple: true, default: [] },
    'rows-via-worker': { type: 'boolean', default: false },
  },
});
const [sourceFile, targetFile, bin] = positionals;
execFileSync(process.execPath, [bin, 'init', '--db', targetFile], { stdio: 'ignore' });

const source = new Sqlite(sourceFile, { readonly: true });
source.defaultSafeIntegers(true);
const target = new Sqlite(targetFile);
for (const pragma of [
  'journal_mode = WAL',
  'synchronous = FULL',
  'foreign_keys = ON',
  'wal_autocheckpoint = 16384',
  'temp_store = MEMORY',
])
  target.pragma(pragma);
target.defaultSafeIntegers(true);
for (const index of variant['drop-index'])
  target.exec(`DROP INDEX "${index.replaceAll('"', '""')}"`);

const kinds = source.prepare('SELECT DISTINCT kind FROM ledger_transactions').pluck().all();
const foreign = kinds.filter((kind) => kind !== 'payin.capture' && kind !== 'payin.psp-fee');
if (foreign.length > 0)
  throw new Error(`the source book holds more than a pay-in run (${foreign.join(', ')})`);

const lastOrderId = source.prepare('SELECT MAX(id) FROM orders').pluck().get() ?? 0n;

// The statements of src/payments/store.ts (the claim query imported from it), src/ledger/ledger.ts
// and src/wallet/wallet.ts: if those change, these must follow.
const write = {
  event: target.prepare(
    'INSERT INTO events (event_id, type, content_hash, occurred_at, source, received_at, order_count) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ),
  order: target.prepare(
    `INSERT INTO orders (order_id, event_id, payer_id, seller_id, currency, amount_minor, platform_fee_minor, payment_token,
                         metadata, psp, charge_key, status, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'created', ?, ?)`,
  ),
  transition: target.prepare(
    'INSERT INTO order_transitions (order_id, from_status, to_status, attempt, at, cause) VALUES (?, ?, ?, ?, ?, ?)',
  ),
  claimable: target.prepare(CLAIM_QUERIES.newOrders),
  claim: target.prepare(
    `UPDATE orders SET status = 'executing', attempts = attempts + 1, lease_owner = ?, lease_expires_at = ?,
            first_attempt_at = COALESCE(first_attempt_at, ?), next_attempt_at = NULL,
            requeued_at_attempt = CASE WHEN status = 'dead_lettered' THEN attempts ELSE requeued_at_attempt END,
            updated_at = ?
     WHERE id = ? AND status = ?`,
  ),
  finish: target.prepare(
    `UPDATE orders SET status = ?, psp_reference = COALESCE(?, psp_reference), psp_fee_minor = COALESCE(?, psp_fee_minor),
            last_error = ?, next_attempt_at = ?, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
     WHERE id = ? AND status = ? AND COALESCE(lease_owner, '') = ?`,
  ),
  head: target.prepare('SELECT id, hash FROM ledger_transactions ORDER BY id DESC LIMIT 1'),
  transaction: target.prepare(
    `INSERT INTO ledger_transactions
       (id, idempotency_key, kind, description, effective_at, created_at, metadata, reverses_tx_id, body_hash, prev_hash, hash)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (idempotency_key) DO NOTHING`,
  ),
  account: target.prepare(
    'UPDATE ledger_accounts SET balance_minor = ?, max_effective_at = ? WHERE id = ?',
  ),
  wallet: target.prepare(
    `INSERT INTO wallets (seller_id, currency, pending_minor, payable_minor, paid_out_minor, updated_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (seller_id, currency) DO UPDATE SET
       pending_minor = pending_minor + excluded.pending_minor,
       payable_minor = payable_minor + excluded.payable_minor,
       paid_out_minor = paid_out_minor + excluded.paid_out_minor,
       updated_at = excluded.updated_at`,
  ),
};

/** Entry rows are written up to 64 to a statement, the rest of a batch in one statement of its size, as payops does. */
const entryInserts = new Map();
function entryInsert(rows) {
  if (!entryInserts.has(rows)) {
    entryInserts.set(
      rows,
      target.prepare(
        `INSERT INTO ledger_entries (tx_id, account_id, direction, amount_minor, effective_at, backdated, running_balance_minor)
       VALUES ${Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      ),
    );
  }
  return entryInserts.get(rows);
}

// Accounts first, untimed: payops creates the ~2,000 of them lazily in its first batches.
const insertAccount = target.prepare(
  'INSERT INTO ledger_accounts (id, name, currency, type, created_at) VALUES (?, ?, ?, ?, ?)',
);
target.transaction(() => {
  for (const account of source
    .prepare('SELECT id, name, currency, type, created_at FROM ledger_accounts ORDER BY id')
    .raw()
    .iterate())
    insertAccount.run(...account);
})();

let timedNs = 0n;
let deserializeNs = 0n;
function timed(work) {
  const started = process.hrtime.bigint();
  target.transaction(work).immediate();
  timedNs += process.hrtime.bigint() - started;
}

/** Intake: events, orders and their first transition. */
function writeIntake({ orders, transitions, events }) {
  timed(() => {
    let nextEvent = 0;
    for (const order of orders) {
      if (events[nextEvent]?.[0] === order.event_id) write.event.run(...events[nextEvent++][1]);
      const { lastInsertRowid } = write.order.run(
        order.order_id,
        order.event_id,
        order.payer_id,
        order.seller_id,
        order.currency,
        order.amount_minor,
        order.platform_fee_minor,
        order.payment_token,
        order.metadata,
        order.psp,
        order.charge_key,
        order.created_at,
        order.created_at,
      );
      write.transition.run(lastInsertRowid, ...transitions.get(order.id)[0]);
    }
  });
}

/** Execution: per batch, the claim, then the record (order status, ledger, wallets). */
function writeExecution({ orders, transitions, journal, entries }) {
  const owner = 'floor';
  const leaseUntil = '9999-12-31T23:59:59.999Z';

  timed(() => {
    const claimed = write.claimable.all(orders[0].psp, EXECUTION_BATCH);
    if (claimed.length !== orders.length)
      throw new Error(`claimed ${claimed.length} orders, expected ${orders.length}`);
    for (const order of orders) {
      const [from, to, attempt, at, cause] = transitions.get(order.id)[1];
      write.claim.run(owner, leaseUntil, order.first_attempt_at, at, order.id, from);
      write.transition.run(order.id, from, to, attempt, at, cause);
    }
  });

  timed(() => {
    write.head.get();
    for (const order of orders) {
      const [from, to, attempt, at, cause] = transitions.get(order.id)[2];
      write.finish.run(
        to,
        order.psp_reference,
        order.psp_fee_minor,
        order.last_error,
        null,
        at,
        order.id,
        from,
        owner,
      );
      write.transition.run(order.id, from, to, attempt, at, cause);
    }
    const accounts = new Map();
    for (const row of journal) write.transaction.run(...row);
    let start = 0;
    for (; start + ENTRY_ROWS_PER_INSERT <= entries.length; start += ENTRY_ROWS_PER_INSERT) {
      entryInsert(ENTRY_ROWS_PER_INSERT).run(
        ...entries.slice(start, start + ENTRY_ROWS_PER_INSERT).flat(),
      );
    }
    if (start < entries.length)
      entryInsert(entries.length - start).run(...entries.slice(start).flat());
    for (const entry of entries) accounts.set(entry[1], entry);
    for (const [accountId, entry] of accounts) write.account.run(entry[6], entry[4], accountId);
    const wallets = new Map();
    for (const order of orders) {
      if (order.status !== 'succeeded') continue;
      const key = `${order.seller_id}\u0000${order.currency}`;
      const current = wallets.get(key) ?? {
        sellerId: order.seller_id,
        currency: order.currency,
        pendingMinor: 0n,
      };
      current.pendingMinor += order.amount_minor - order.platform_fee_minor;
      wallets.set(key, current);
    }
    for (const wallet of wallets.values())
      write.wallet.run(
        wallet.sellerId,
        wallet.currency,
        wallet.pendingMinor,
        0n,
        0n,
        orders[0].updated_at,
      );
  });
}

const rowOptions = {
  intakeBatch: INTAKE_BATCH,
  executionBatch: EXECUTION_BATCH,
  foldFee: variant['fold-fee'],
};
for await (const batch of variant['rows-via-worker']
  ? batchesFromWorker(sourceFile, rowOptions)
  : floorBatches(sourceFile, rowOptions)) {
  if (batch.phase === 'intake') writeIntake(batch);
  else writeExecution(batch);
}

/**
 * The batches read and serialized on a worker thread, as payops' own work could be prepared on
 * the second core: turning each back into values is this thread's work, so it is timed.
 */
async function* batchesFromWorker(file, options) {
  const taken = new SharedArrayBuffer(4);
  const counter = new Int32Array(taken);
  const worker = new Worker(new URL('./payin-floor-rows.mjs', import.meta.url), {
    workerData: { floorRows: { sourceFile: file, options, taken } },
  });
  const queue = [];
  let wake = () => {};
  let failure;
  worker.on('message', (bytes) => {
    queue.push(bytes);
    wake();
  });
  worker.on('error', (error) => {
    failure = error;
    wake();
  });
  for (;;) {
    while (queue.length === 0 && failure === undefined)
      await new Promise((resolve) => (wake = resolve));
    if (failure !== undefined) throw failure;
    const bytes = queue.shift();
    if (bytes === null) break;
    Atomics.add(counter, 0, 1);
    Atomics.notify(counter, 0);
    const started = process.hrtime.bigint();
    const batch = deserialize(bytes);
    const tookNs = process.hrtime.bigint() - started;
    timedNs += tookNs;
    deserializeNs += tookNs;
    yield batch;
  }
  await worker.terminate();
}

// The replay must have written what payops wrote, row for row (less the fee journal rows when folded).
const folded = variant['fold-fee'] ? ['ledger_transactions'] : [];
for (const table of [
  'events',
  'orders',
  'order_transitions',
  'ledger_transactions',
  'ledger_entries',
].filter((name) => !folded.includes(name))) {
  const [expected, actual] = [source, target].map((db) =>
    db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get(),
  );
  if (expected !== actual)
    throw new Error(`${table}: the floor wrote ${actual} rows, payops ${expected}`);
}
const walletSum = (db) => db.prepare('SELECT TOTAL(pending_minor) FROM wallets').pluck().get();
if (walletSum(source) !== walletSum(target))
  throw new Error("the floor's wallets differ from payops'");
const headHash = (db) =>
  db.prepare('SELECT hash FROM ledger_transactions ORDER BY id DESC LIMIT 1').pluck().get();
if (!variant['fold-fee'] && headHash(source) !== headHash(target))
  throw new Error("the floor's journal head differs from payops'");
target.close();
process.stdout.write(
  JSON.stringify({
    seconds: Number(timedNs) / 1e9,
    orders: Number(lastOrderId),
    ...(variant['rows-via-worker'] ? { deserializeSeconds: Number(deserializeNs) / 1e9 } : {}),
  }),
);
