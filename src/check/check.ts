import type { Database } from '../db/index.js';
import { balances, verifyLedger } from '../ledger/index.js';
import { type Currency, formatAmount } from '../money/index.js';
import type { SimChargeRecord, SimPayoutRecord } from '../psp/sim/engine.js';
import { Wallets, sellerAccount } from '../wallet/wallet.js';

export interface CheckResult {
  name: string;
  ok: boolean;
  /** What was checked, or what is wrong: at most a few lines. */
  details: string[];
}

export interface CheckReport {
  ok: boolean;
  results: CheckResult[];
  /** Things that are not wrong but still need work (e.g. captured at the PSP, retry pending). */
  notes: string[];
}

const MAX_DETAILS = 10;
const CAPTURE_KEY_PREFIX = 'payin.capture:';

/** The joins whose plans must stay linear; test/check/check.test.ts asserts them. */
export const CHECK_QUERIES = {
  // One grouped pass over orders, then a key lookup per event: no index on event_id needed.
  eventsMissingOrders: `SELECT e.event_id, e.order_count, COALESCE(c.orders, 0) AS orders
    FROM events e LEFT JOIN (SELECT event_id, COUNT(*) AS orders FROM orders GROUP BY event_id) c ON c.event_id = e.event_id
    WHERE COALESCE(c.orders, 0) <> e.order_count LIMIT 50`,
  succeededWithoutCapture: `SELECT o.order_id FROM orders o LEFT JOIN ledger_transactions t ON t.idempotency_key = '${CAPTURE_KEY_PREFIX}' || o.order_id
    WHERE o.status = 'succeeded' AND t.id IS NULL LIMIT 50`,
  // Joined on the order id itself so the look-up uses orders' unique index: an expression on
  // o.order_id would scan orders once per capture (a 100,000-order book took over 12 minutes).
  capturesOfUnsucceededOrders: `SELECT t.id, t.idempotency_key, o.status FROM ledger_transactions t
    LEFT JOIN orders o ON o.order_id = substr(t.idempotency_key, ${CAPTURE_KEY_PREFIX.length + 1})
    WHERE t.kind = 'payin.capture' AND (o.status IS NULL OR o.status <> 'succeeded') LIMIT 50`,
} as const;

/**
 * `payops check`: every invariant payops promises, recomputed from the rows. `pspCharges` is the
 * simulated PSP's own record (when its state file is at hand), to prove nothing was charged twice.
 */
export interface PspRecord {
  psp: string;
  charges: SimChargeRecord[];
  payouts: SimPayoutRecord[];
}

export function runChecks(db: Database, pspRecord?: PspRecord): CheckReport {
  const notes: string[] = [];
  const results = [
    checkLedger(db),
    checkWallets(db),
    checkEvents(db),
    checkCaptures(db),
    checkPayouts(db, notes),
    checkRefunds(db),
    checkLeases(db),
    ...(pspRecord ? [checkPspCharges(db, pspRecord.psp, pspRecord.charges, notes), checkPspPayouts(db, pspRecord.payouts)] : []),
  ];
  return { ok: results.every((result) => result.ok), results, notes };
}

function result(name: string, problems: string[], okDetail: string): CheckResult {
  return problems.length === 0
    ? { name, ok: true, details: [okDetail] }
    : { name, ok: false, details: [...problems.slice(0, MAX_DETAILS), ...(problems.length > MAX_DETAILS ? [`… and ${problems.length - MAX_DETAILS} more`] : [])] };
}

function checkLedger(db: Database): CheckResult {
  const report = verifyLedger(db);
  const net = new Map<string, bigint>();
  for (const row of balances(db)) net.set(row.currency, (net.get(row.currency) ?? 0n) + row.debitMinusCreditMinor);
  const problems = report.problems.map((p) => `${p.txId === null ? 'account' : `tx ${p.txId}`}: ${p.problem}`);
  for (const [currency, total] of net) if (total !== 0n) problems.push(`debits − credits in ${currency} is ${total}, not 0`);
  return result('ledger balanced and hash chain intact', problems, `${report.transactionsChecked} transactions, head ${report.headHash.slice(0, 16)}…`);
}

function checkWallets(db: Database): CheckResult {
  const ledger = new Map<string, bigint>();
  for (const row of balances(db, { accountPrefix: 'liabilities:sellers', includeZero: true })) ledger.set(`${row.account} ${row.currency}`, row.balanceMinor);
  const problems: string[] = [];
  const seen = new Set<string>();
  const wallets = new Wallets(db).all();
  for (const wallet of wallets) {
    for (const bucket of ['pending', 'payable'] as const) {
      const key = `${sellerAccount(wallet.sellerId, bucket)} ${wallet.currency}`;
      seen.add(key);
      const walletMinor = bucket === 'pending' ? wallet.pendingMinor : wallet.payableMinor;
      const ledgerMinor = ledger.get(key) ?? 0n;
      if (walletMinor !== ledgerMinor) {
        problems.push(`${wallet.sellerId} ${bucket} ${wallet.currency}: wallet ${formatAmount(walletMinor, wallet.currency)}, ledger ${formatAmount(ledgerMinor, wallet.currency)}`);
      }
    }
  }
  for (const [key, minor] of ledger) {
    if (!seen.has(key) && minor !== 0n) problems.push(`${key}: ledger holds ${minor} minor units but no wallet does`);
  }
  return result('wallets equal the ledger', problems, `${wallets.length} wallets`);
}

function checkEvents(db: Database): CheckResult {
  const rows = db
    .prepare(CHECK_QUERIES.eventsMissingOrders)
    .all() as { event_id: string; order_count: bigint; orders: bigint }[];
  const total = (db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: bigint }).n;
  return result(
    'every accepted event has all its orders, each in one state',
    rows.map((row) => `event ${row.event_id}: ${row.order_count} orders accepted, ${row.orders} recorded`),
    `${total} events`,
  );
}

function checkCaptures(db: Database): CheckResult {
  const missing = db
    .prepare(CHECK_QUERIES.succeededWithoutCapture)
    .all() as { order_id: string }[];
  const stray = db
    .prepare(CHECK_QUERIES.capturesOfUnsucceededOrders)
    .all() as { id: bigint; idempotency_key: string; status: string | null }[];
  const succeeded = (db.prepare("SELECT COUNT(*) AS n FROM orders WHERE status = 'succeeded'").get() as { n: bigint }).n;
  return result(
    'every succeeded order has exactly one capture posting',
    [
      ...missing.map((row) => `order ${row.order_id} succeeded but has no capture posting`),
      ...stray.map((row) => `tx ${row.id} (${row.idempotency_key}) captures an order that is ${row.status ?? 'unknown'}`),
    ],
    `${succeeded} succeeded orders`,
  );
}

/**
 * Every succeeded payout has exactly one `payout.sent` posting and nothing else does; each
 * wallet's paid-out total is the sum of its succeeded payouts; and what each seller is owed,
 * pending, payable or paid, is exactly their orders' shares less refunds and chargebacks.
 */
function checkPayouts(db: Database, notes: string[]): CheckResult {
  const problems: string[] = [];
  const unposted = db
    .prepare(`SELECT p.payout_id FROM payouts p LEFT JOIN ledger_transactions t ON t.idempotency_key = 'payout.sent:' || p.payout_id
              WHERE p.status = 'succeeded' AND t.id IS NULL LIMIT 50`)
    .all() as { payout_id: string }[];
  for (const row of unposted) problems.push(`payout ${row.payout_id} succeeded but has no posting`);
  const stray = db
    .prepare(`SELECT t.id, t.idempotency_key, p.status FROM ledger_transactions t
              LEFT JOIN payouts p ON p.payout_id = substr(t.idempotency_key, ${'payout.sent:'.length + 1})
              WHERE t.kind = 'payout.sent' AND (p.status IS NULL OR p.status <> 'succeeded') LIMIT 50`)
    .all() as { id: bigint; idempotency_key: string; status: string | null }[];
  for (const row of stray) problems.push(`tx ${row.id} (${row.idempotency_key}) posts a payout that is ${row.status ?? 'unknown'}`);
  // What each order owes its seller is its share less what was refunded or charged back of it:
  // still pending until released, then payable or paid out. A negative payable is a seller who
  // was paid before a refund: a visible debt, recovered from later releases, not an error.
  const owed = db
    .prepare(`SELECT w.seller_id, w.currency, w.pending_minor, w.payable_minor, w.paid_out_minor,
                     (SELECT COALESCE(SUM(amount_minor), 0) FROM payouts p WHERE p.seller_id = w.seller_id AND p.currency = w.currency AND p.status = 'succeeded') AS payouts_minor,
                     (SELECT COALESCE(SUM(amount_minor - platform_fee_minor - refunded_share_minor), 0) FROM orders o
                      WHERE o.seller_id = w.seller_id AND o.currency = w.currency AND o.status = 'succeeded' AND o.released_at IS NOT NULL) AS released_minor,
                     (SELECT COALESCE(SUM(amount_minor - platform_fee_minor - refunded_share_minor), 0) FROM orders o
                      WHERE o.seller_id = w.seller_id AND o.currency = w.currency AND o.status = 'succeeded' AND o.released_at IS NULL) AS unreleased_minor
              FROM wallets w`)
    .all() as { seller_id: string; currency: string; pending_minor: bigint; payable_minor: bigint; paid_out_minor: bigint; payouts_minor: bigint; released_minor: bigint; unreleased_minor: bigint }[];
  for (const row of owed) {
    const who = `${row.seller_id} ${row.currency}`;
    if (row.paid_out_minor !== BigInt(row.payouts_minor)) problems.push(`${who}: wallet paid out ${row.paid_out_minor}, succeeded payouts sum to ${row.payouts_minor}`);
    if (row.payable_minor + row.paid_out_minor !== BigInt(row.released_minor)) {
      problems.push(`${who}: payable ${row.payable_minor} + paid out ${row.paid_out_minor} ≠ ${row.released_minor} released less refunds`);
    }
    if (row.pending_minor !== BigInt(row.unreleased_minor)) problems.push(`${who}: pending ${row.pending_minor} ≠ ${row.unreleased_minor} captured, not yet released, less refunds`);
    if (row.payable_minor < 0n) notes.push(`${row.seller_id} owes ${formatAmount(-row.payable_minor, row.currency as Currency)} ${row.currency} (refunded after being paid): recovered from later releases`);
  }
  const count = (db.prepare("SELECT COUNT(*) AS n FROM payouts WHERE status = 'succeeded'").get() as { n: bigint }).n;
  return result('every payout posted once; sellers owed exactly their shares less refunds', problems, `${count} payouts sent`);
}

/**
 * Every succeeded refund is posted once and nothing else is; each order's refunded total is the
 * sum of its succeeded refunds, its reservation covers every refund not declined, and nothing
 * refunds more than was captured.
 */
function checkRefunds(db: Database): CheckResult {
  const problems: string[] = [];
  const unposted = db
    .prepare(`SELECT r.refund_id FROM refunds r LEFT JOIN ledger_transactions t ON t.idempotency_key = 'refund.sent:' || r.refund_id
              WHERE r.status = 'succeeded' AND t.id IS NULL LIMIT 50`)
    .all() as { refund_id: string }[];
  for (const row of unposted) problems.push(`refund ${row.refund_id} succeeded but has no posting`);
  const stray = db
    .prepare(`SELECT t.id, t.idempotency_key FROM ledger_transactions t
              LEFT JOIN refunds r ON r.refund_id = substr(t.idempotency_key, ${'refund.sent:'.length + 1})
              WHERE t.kind = 'refund.sent' AND (r.status IS NULL OR r.status <> 'succeeded') LIMIT 50`)
    .all() as { id: bigint; idempotency_key: string }[];
  for (const row of stray) problems.push(`tx ${row.id} (${row.idempotency_key}) posts a refund that did not succeed`);
  const totals = db
    // Chargebacks count toward an order's refund totals like refunds do (their clawed part).
    .prepare(`SELECT o.order_id, o.amount_minor, o.refunded_minor, o.refund_reserved_minor,
                     (SELECT COALESCE(SUM(amount_minor), 0) FROM refunds r WHERE r.order_id = o.order_id AND r.status = 'succeeded')
                       + (SELECT COALESCE(SUM(clawed_minor), 0) FROM chargebacks c WHERE c.order_id = o.order_id) AS succeeded_minor,
                     (SELECT COALESCE(SUM(amount_minor), 0) FROM refunds r WHERE r.order_id = o.order_id AND r.status <> 'failed')
                       + (SELECT COALESCE(SUM(clawed_minor), 0) FROM chargebacks c WHERE c.order_id = o.order_id) AS reserved_minor
              FROM orders o WHERE o.refund_reserved_minor <> 0 OR o.refunded_minor <> 0
                 OR EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.order_id) OR EXISTS (SELECT 1 FROM chargebacks c WHERE c.order_id = o.order_id)`)
    .all() as { order_id: string; amount_minor: bigint; refunded_minor: bigint; refund_reserved_minor: bigint; succeeded_minor: bigint; reserved_minor: bigint }[];
  for (const row of totals) {
    if (row.refunded_minor !== BigInt(row.succeeded_minor)) problems.push(`order ${row.order_id}: refunded ${row.refunded_minor}, its succeeded refunds sum to ${row.succeeded_minor}`);
    if (row.refund_reserved_minor !== BigInt(row.reserved_minor)) problems.push(`order ${row.order_id}: reserves ${row.refund_reserved_minor} for refunds, its open and succeeded refunds sum to ${row.reserved_minor}`);
    if (row.refund_reserved_minor > row.amount_minor) problems.push(`order ${row.order_id}: ${row.refund_reserved_minor} reserved for refunds, more than the ${row.amount_minor} captured`);
  }
  const count = (db.prepare("SELECT COUNT(*) AS n FROM refunds WHERE status = 'succeeded'").get() as { n: bigint }).n;
  const chargebacks = db.prepare(`SELECT c.dispute_id FROM chargebacks c LEFT JOIN ledger_transactions t ON t.idempotency_key = 'chargeback:' || c.dispute_id WHERE t.id IS NULL LIMIT 50`).all() as { dispute_id: string }[];
  for (const row of chargebacks) problems.push(`chargeback ${row.dispute_id} is recorded but has no posting`);
  return result('every refund and chargeback posted once; no order refunded beyond its capture', problems, `${count} refunds`);
}

/** Against the payout PSP's own record: each payout sent at most once, for the amount we booked. */
function checkPspPayouts(db: Database, transfers: readonly SimPayoutRecord[]): CheckResult {
  const problems: string[] = [];
  const sent = new Map<string, SimPayoutRecord[]>();
  for (const transfer of transfers) if (transfer.status === 'succeeded') sent.set(transfer.payoutId, [...(sent.get(transfer.payoutId) ?? []), transfer]);
  for (const [payoutId, list] of sent) if (list.length > 1) problems.push(`payout ${payoutId} was sent ${list.length} times by the PSP`);
  const payouts = db.prepare("SELECT payout_id, status, amount_minor FROM payouts").all() as { payout_id: string; status: string; amount_minor: bigint }[];
  for (const payout of payouts) {
    const transfer = sent.get(payout.payout_id)?.[0];
    if (payout.status === 'succeeded' && (!transfer || transfer.amountMinor !== payout.amount_minor)) problems.push(`payout ${payout.payout_id} is booked as sent but the PSP has no matching transfer`);
    if (payout.status === 'failed' && transfer) problems.push(`payout ${payout.payout_id} is failed in payops but the PSP sent it`);
  }
  return result('every payout sent at most once at the PSP', problems, `${payouts.length} payouts against ${transfers.length} PSP transfers`);
}

function checkLeases(db: Database): CheckResult {
  const stuck = db
    .prepare(`SELECT order_id, lease_expires_at FROM orders WHERE status = 'executing' AND lease_expires_at < @now
              UNION ALL SELECT payout_id, lease_expires_at FROM payouts WHERE status = 'executing' AND lease_expires_at < @now LIMIT 50`)
    .all({ now: new Date().toISOString() }) as { order_id: string; lease_expires_at: string }[];
  return result(
    'nothing stuck in executing',
    stuck.map((row) => `${row.order_id} has been executing since its lease expired at ${row.lease_expires_at} (run \`payops retry run\`)`),
    'no expired leases',
  );
}

function checkPspCharges(db: Database, psp: string, charges: readonly SimChargeRecord[], notes: string[]): CheckResult {
  const problems: string[] = [];
  const live = new Map<string, SimChargeRecord[]>();
  for (const charge of charges) {
    if (charge.status === 'succeeded' || charge.status === 'pending') live.set(charge.merchantReference, [...(live.get(charge.merchantReference) ?? []), charge]);
  }
  for (const [orderId, list] of live) {
    if (list.length > 1) problems.push(`order ${orderId} was charged ${list.length} times at the PSP (${list.map((c) => c.reference).join(', ')})`);
  }
  const orders = db
    .prepare('SELECT order_id, status, amount_minor, currency FROM orders WHERE psp = ?')
    .iterate(psp) as Iterable<{ order_id: string; status: string; amount_minor: bigint; currency: string }>;
  let checked = 0;
  for (const order of orders) {
    checked++;
    const charge = live.get(order.order_id)?.[0];
    if (order.status === 'succeeded') {
      if (!charge || charge.status !== 'succeeded') problems.push(`order ${order.order_id} is booked as captured but the PSP has no successful charge for it`);
      else if (charge.amountMinor !== order.amount_minor || charge.currency !== order.currency) {
        problems.push(`order ${order.order_id}: booked ${order.amount_minor} ${order.currency}, the PSP charged ${charge.amountMinor} ${charge.currency}`);
      }
    } else if (charge?.status === 'succeeded') {
      const line = `order ${order.order_id} was captured by the PSP (${charge.reference}) but is ${order.status} in payops`;
      if (order.status === 'failed' || order.status === 'created') problems.push(line);
      else notes.push(`${line}: it will be booked when ${order.status === 'dead_lettered' ? 'requeued (`payops dlq requeue`)' : 'retried'}`);
    }
  }
  return result(`every order charged at most once at the PSP (${psp})`, problems, `${checked} orders against ${charges.length} PSP charges`);
}
