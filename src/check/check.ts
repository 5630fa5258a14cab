import { orderBirthMismatch, refundBirthMismatch } from '../db/index.js';
import { verifyLedger } from '../ledger/index.js';
import { formatAmount } from '../money/index.js';
import type { PspRefundRecord } from '../psp/port.js';
import type { SimChargeRecord, SimPayoutRecord } from '../psp/sim/engine.js';
import { sellerAccount, sellerAccounts } from '../postings/index.js';
import {
  describeOwner,
  ownerState,
  probeProcess,
  thisProcessOwner,
} from '../work/leases/lease-owner.js';
import { bankPostingProblems, inTransitProblems } from './in-transit.js';
import { reconciliationProblems } from './reconcile.js';
import type { CheckReads, CheckSource } from './check-source.js';

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

/**
 * `payops check`: every invariant payops promises, recomputed from the rows. `pspCharges` is the
 * simulated PSP's own record (when its state file is at hand), to prove nothing was charged twice.
 */
export interface PspRecord {
  psp: string;
  /** The PSP's charges sorted by merchant reference (our order id); read once, streamed. */
  chargesByOrder: Iterable<SimChargeRecord>;
  payouts: SimPayoutRecord[];
  /**
   * When the books' snapshot was taken, if the PSP's record was read after it (a live check):
   * an order the books still have as new that the PSP charged at or after this moment was
   * claimed and charged while check ran. Before it, that charge is a problem.
   */
  booksReadAt?: string;
  /** The PSP's refunds that carry payops' refund id (Stripe's record); the sim's are not read yet. */
  refunds?: PspRefundRecord[];
}

/** Every check on one snapshot of the books (`source.inSnapshot`), in a fixed order. */
export function runChecks(source: CheckSource, pspRecord?: PspRecord): Promise<CheckReport> {
  return source.inSnapshot((reads) => checksOn(reads, pspRecord));
}

/** One after the other (never interleaved): each check's reads are those of one snapshot. */
async function checksOn(reads: CheckReads, pspRecord?: PspRecord): Promise<CheckReport> {
  const notes: string[] = [];
  const results = [
    await checkLedger(reads),
    await checkWallets(reads),
    await checkEvents(reads),
    await checkBirthRecords(reads),
    await checkCaptures(reads),
    await checkPayouts(reads, notes),
    await checkRefunds(reads),
    await checkLeases(reads),
    await checkUnrecordedAnswers(reads),
    await checkReconciliation(reads),
    await checkInTransit(reads),
    await checkBankPostings(reads),
  ];
  if (pspRecord) {
    results.push(await checkPspCharges(reads, pspRecord, notes));
    results.push(await checkPspPayouts(reads, pspRecord.psp, pspRecord.payouts));
  }
  if (pspRecord?.refunds) results.push(checkPspRefunds(pspRecord.psp, pspRecord.refunds));
  return { ok: results.every((result) => result.ok), results, notes };
}

function result(name: string, problems: string[], okDetail: string): CheckResult {
  return problems.length === 0
    ? { name, ok: true, details: [okDetail] }
    : {
        name,
        ok: false,
        details: [
          ...problems.slice(0, MAX_DETAILS),
          ...(problems.length > MAX_DETAILS ? [`… and ${problems.length - MAX_DETAILS} more`] : []),
        ],
      };
}

async function checkLedger(reads: CheckReads): Promise<CheckResult> {
  const report = await verifyLedger(reads);
  const net = new Map<string, bigint>();
  for (const row of await reads.ledgerBalances())
    net.set(row.currency, (net.get(row.currency) ?? 0n) + row.debitMinusCreditMinor);
  const problems = report.problems.map(
    (p) => `${p.txId === null ? 'account' : `tx ${p.txId}`}: ${p.problem}`,
  );
  for (const [currency, total] of net)
    if (total !== 0n) problems.push(`debits - credits in ${currency} is ${total}, not 0`);
  return result(
    'ledger balanced and hash chain intact',
    problems,
    `${report.transactionsChecked} transactions, head ${report.headHash}`,
  );
}

async function checkWallets(reads: CheckReads): Promise<CheckResult> {
  const ledger = new Map<string, bigint>();
  for (const row of await reads.ledgerBalances({
    accountPrefix: sellerAccounts,
    includeZero: true,
  }))
    ledger.set(`${row.account} ${row.currency}`, row.balanceMinor);
  const problems: string[] = [];
  const seen = new Set<string>();
  const wallets = await reads.wallets();
  for (const wallet of wallets) {
    for (const bucket of ['pending', 'payable'] as const) {
      const key = `${sellerAccount(wallet.sellerId, bucket)} ${wallet.currency}`;
      seen.add(key);
      const walletMinor = bucket === 'pending' ? wallet.pendingMinor : wallet.payableMinor;
      const ledgerMinor = ledger.get(key) ?? 0n;
      if (walletMinor !== ledgerMinor) {
        problems.push(
          `${wallet.sellerId} ${bucket} ${wallet.currency}: wallet ${formatAmount(walletMinor, wallet.currency)}, ledger ${formatAmount(ledgerMinor, wallet.currency)}`,
        );
      }
    }
  }
  for (const [key, minor] of ledger) {
    if (!seen.has(key) && minor !== 0n)
      problems.push(`${key}: ledger holds ${minor} minor units but no wallet does`);
  }
  return result('wallets equal the ledger', problems, `${wallets.length} wallets`);
}

async function checkEvents(reads: CheckReads): Promise<CheckResult> {
  const rows = await reads.eventsMissingOrders();
  const total = await reads.count('events');
  return result(
    'every accepted event has all its orders, each in one state',
    rows.map(
      (row) => `event ${row.event_id}: ${row.order_count} orders accepted, ${row.orders} recorded`,
    ),
    `${total} events`,
  );
}

export const BIRTH_CHECK_NAME =
  'every order and refund is what its event said (fields match the hash recorded at intake)';

/**
 * Each order and refund against the hash of the fields it was born with, bound to its event's
 * content hash: an edit made with the schema's triggers dropped shows here (issue 14, item 5).
 */
async function checkBirthRecords(reads: CheckReads): Promise<CheckResult> {
  const problems: string[] = [];
  let orders = 0;
  let refunds = 0;
  for await (const row of reads.orderBirths()) {
    orders++;
    const problem = orderBirthMismatch(row);
    if (problem !== undefined) problems.push(`order ${row.order_id}: ${problem}`);
  }
  for await (const row of reads.refundBirths()) {
    refunds++;
    const problem = refundBirthMismatch(row);
    if (problem !== undefined) problems.push(`refund ${row.refund_id}: ${problem}`);
  }
  return result(BIRTH_CHECK_NAME, problems, `${orders} orders, ${refunds} refunds`);
}

async function checkCaptures(reads: CheckReads): Promise<CheckResult> {
  const missing = await reads.succeededWithoutCapture();
  const stray = await reads.capturesOfUnsucceededOrders();
  const succeeded = await reads.count('succeededOrders');
  return result(
    'every succeeded order has exactly one capture posting',
    [
      ...missing.map((row) => `order ${row.order_id} succeeded but has no capture posting`),
      ...stray.map(
        (row) =>
          `tx ${row.id} (${row.idempotency_key}) captures an order that is ${row.status ?? 'unknown'}`,
      ),
    ],
    `${succeeded} succeeded orders`,
  );
}

/**
 * Every succeeded payout has exactly one `payout.sent` posting and nothing else does; each
 * wallet's paid-out total is the sum of its succeeded payouts; and what each seller is owed,
 * pending, payable or paid, is exactly their orders' shares less refunds and chargebacks.
 */
async function checkPayouts(reads: CheckReads, notes: string[]): Promise<CheckResult> {
  const problems: string[] = [];
  const unposted = await reads.unpostedPayouts();
  for (const row of unposted) problems.push(`payout ${row.payout_id} succeeded but has no posting`);
  const stray = await reads.strayPayoutPostings();
  for (const row of stray)
    problems.push(
      `tx ${row.id} (${row.idempotency_key}) posts a payout that is ${row.status ?? 'unknown'}`,
    );
  // What each order owes its seller is its share less what was refunded or charged back of it:
  // still pending until released, then payable or paid out. A negative payable is a seller who
  // was paid before a refund: a visible debt, recovered from later releases, not an error.
  // One grouped pass over orders and one over payouts: linear in the size of the books.
  const key = (sellerId: string, currency: string) => `${sellerId}\u0000${currency}`;
  // `credited` is what releases ever made payable (each share less what refunds had taken of it
  // while it was pending): every payout and later refund draws on it, so no seller can have been
  // paid more. The identity below cannot see that by itself: any payout moves payable to paid out.
  const owedBy = new Map<string, { released: bigint; unreleased: bigint; credited: bigint }>();
  for await (const row of reads.owedBySeller()) {
    owedBy.set(key(row.seller_id, row.currency), {
      released: BigInt(row.released_minor),
      unreleased: BigInt(row.unreleased_minor),
      credited: BigInt(row.credited_minor),
    });
  }
  const paidBy = new Map<string, bigint>();
  for await (const row of reads.paidBySeller()) {
    paidBy.set(key(row.seller_id, row.currency), BigInt(row.total));
  }
  for (const wallet of await reads.wallets()) {
    const who = `${wallet.sellerId} ${wallet.currency}`;
    const owed = owedBy.get(key(wallet.sellerId, wallet.currency)) ?? {
      released: 0n,
      unreleased: 0n,
      credited: 0n,
    };
    const paid = paidBy.get(key(wallet.sellerId, wallet.currency)) ?? 0n;
    if (wallet.paidOutMinor !== paid)
      problems.push(
        `${who}: wallet paid out ${wallet.paidOutMinor}, succeeded payouts sum to ${paid}`,
      );
    if (paid > owed.credited)
      problems.push(
        `${who}: paid out ${paid}, more than the ${owed.credited} ever released to them`,
      );
    if (wallet.payableMinor + wallet.paidOutMinor !== owed.released) {
      problems.push(
        `${who}: payable ${wallet.payableMinor} + paid out ${wallet.paidOutMinor} ≠ ${owed.released} released less refunds`,
      );
    }
    if (wallet.pendingMinor !== owed.unreleased)
      problems.push(
        `${who}: pending ${wallet.pendingMinor} ≠ ${owed.unreleased} captured, not yet released, less refunds`,
      );
    if (wallet.payableMinor < 0n)
      notes.push(
        `${wallet.sellerId} owes ${formatAmount(-wallet.payableMinor, wallet.currency)} ${wallet.currency} (a refund or chargeback after its payout): recovered from later releases`,
      );
  }
  const count = await reads.count('succeededPayouts');
  return result(
    'every payout posted once; sellers owed exactly their shares less refunds',
    problems,
    `${count} payouts sent`,
  );
}

/**
 * Every succeeded refund is posted once and nothing else is; each order's refunded total is the
 * sum of its succeeded refunds, its reservation covers every refund not declined, and nothing
 * refunds more than was captured.
 */
async function checkRefunds(reads: CheckReads): Promise<CheckResult> {
  const problems: string[] = [];
  const unposted = await reads.unpostedRefunds();
  for (const row of unposted) problems.push(`refund ${row.refund_id} succeeded but has no posting`);
  const stray = await reads.strayRefundPostings();
  for (const row of stray)
    problems.push(`tx ${row.id} (${row.idempotency_key}) posts a refund that did not succeed`);
  // Grouped passes over refunds and chargebacks, then each order with any refund activity by its
  // unique id: linear in the books, whatever the number of orders.
  const expected = new Map<string, { succeeded: bigint; reserved: bigint }>();
  const add = (orderId: string, succeeded: bigint, reserved: bigint) => {
    const current = expected.get(orderId) ?? { succeeded: 0n, reserved: 0n };
    expected.set(orderId, {
      succeeded: current.succeeded + succeeded,
      reserved: current.reserved + reserved,
    });
  };
  for await (const row of reads.refundSumsByOrder()) {
    add(row.order_id, BigInt(row.succeeded), BigInt(row.reserved));
  }
  // Chargebacks count toward an order's refund totals like refunds do (their clawed part).
  for await (const row of reads.chargebacksByOrder()) {
    add(row.order_id, BigInt(row.clawed), BigInt(row.clawed));
  }
  for await (const row of reads.ordersWithRefunds()) {
    if (!expected.has(row.order_id)) add(row.order_id, 0n, 0n);
  }
  for (const [orderId, sums] of expected) {
    const row = await reads.orderTotals(orderId);
    if (!row) {
      problems.push(`refunds or chargebacks name order ${orderId}, which does not exist`);
      continue;
    }
    if (row.refunded_minor !== sums.succeeded)
      problems.push(
        `order ${orderId}: refunded ${row.refunded_minor}, its succeeded refunds and chargebacks sum to ${sums.succeeded}`,
      );
    if (row.refund_reserved_minor !== sums.reserved)
      problems.push(
        `order ${orderId}: reserves ${row.refund_reserved_minor} for refunds, its open and succeeded refunds and chargebacks sum to ${sums.reserved}`,
      );
    if (row.refund_reserved_minor > row.amount_minor)
      problems.push(
        `order ${orderId}: ${row.refund_reserved_minor} reserved for refunds, more than the ${row.amount_minor} captured`,
      );
  }
  const count = await reads.count('succeededRefunds');
  const chargebacks = await reads.unpostedChargebacks();
  for (const row of chargebacks)
    problems.push(`chargeback ${row.dispute_id} is recorded but has no posting`);
  return result(
    'every refund and chargeback posted once; no order refunded beyond its capture',
    problems,
    `${count} refunds`,
  );
}

/** Against the payout PSP's own record: each payout sent at most once, for the amount we booked. */
async function checkPspPayouts(
  reads: CheckReads,
  psp: string,
  transfers: readonly SimPayoutRecord[],
): Promise<CheckResult> {
  const problems: string[] = [];
  const sent = new Map<string, SimPayoutRecord[]>();
  for (const transfer of transfers)
    if (transfer.status === 'succeeded')
      sent.set(transfer.payoutId, [...(sent.get(transfer.payoutId) ?? []), transfer]);
  for (const [payoutId, list] of sent)
    if (list.length > 1)
      problems.push(`payout ${payoutId} was sent ${list.length} times by the PSP`);
  // Only this PSP's payouts: a book that paid through two PSPs is checked against each record in turn.
  const payouts = await reads.payoutsOfPsp(psp);
  for (const payout of payouts) {
    const transfer = sent.get(payout.payout_id)?.[0];
    if (
      payout.status === 'succeeded' &&
      (!transfer || transfer.amountMinor !== payout.amount_minor)
    )
      problems.push(
        `payout ${payout.payout_id} is booked as sent but the PSP has no matching transfer`,
      );
    if (payout.status === 'failed' && transfer)
      problems.push(`payout ${payout.payout_id} is failed in payops but the PSP sent it`);
  }
  // A transfer the books have no payout for: money left that payops does not know it paid (a book restored from a backup, an edit).
  const known = new Set(payouts.map((payout) => payout.payout_id));
  for (const [payoutId, list] of sent) {
    const transfer = list[0];
    if (transfer !== undefined && !known.has(payoutId))
      problems.push(
        `the PSP sent transfer ${payoutId} (${transfer.sellerId}, ${formatAmount(transfer.amountMinor, transfer.currency)} ${transfer.currency}), which is no payout of payops`,
      );
  }
  return result(
    `every payout sent at most once at the PSP (${psp})`,
    problems,
    `${payouts.length} payouts against ${transfers.length} PSP transfers`,
  );
}

/** Against the PSP's own refunds: each payops refund made at most once (a refund that did not fail). */
function checkPspRefunds(psp: string, refunds: readonly PspRefundRecord[]): CheckResult {
  const made = new Map<string, string[]>();
  for (const refund of refunds)
    if (refund.status !== 'failed' && refund.status !== 'canceled')
      made.set(refund.refundId, [...(made.get(refund.refundId) ?? []), refund.reference]);
  const problems = [...made]
    .filter(([, references]) => references.length > 1)
    .map(
      ([refundId, references]) =>
        `refund ${refundId} was made ${references.length} times at the PSP (${references.join(', ')})`,
    );
  return result(
    `every refund made at most once at the PSP (${psp})`,
    problems,
    `${refunds.length} PSP refunds`,
  );
}

async function checkReconciliation(reads: CheckReads): Promise<CheckResult> {
  const { problems, settlements, decisions } = await reconciliationProblems(reads);
  return result(
    'settlements post each row once; every reconciliation posting has its decision; resolved batches hold their payout',
    problems,
    `${settlements} settlements, ${decisions} decisions`,
  );
}

export const IN_TRANSIT_CHECK_NAME =
  'money in transit: each in-transit account holds what was sent less what bank statements cleared';
export const BANK_POSTINGS_CHECK_NAME =
  'every bank entry posted on the operating account, every bank match on its in-transit account, for exactly its amount';

async function checkInTransit(reads: CheckReads): Promise<CheckResult> {
  const { problems, holdings } = await inTransitProblems(reads);
  return result(
    IN_TRANSIT_CHECK_NAME,
    problems,
    holdings.length === 0 ? 'nothing in transit' : holdings.join(', '),
  );
}

async function checkBankPostings(reads: CheckReads): Promise<CheckResult> {
  const { problems, entries, matches } = await bankPostingProblems(reads);
  return result(
    BANK_POSTINGS_CHECK_NAME,
    problems,
    `${entries} bank entries posted, ${matches} bank matches`,
  );
}

async function checkLeases(reads: CheckReads): Promise<CheckResult> {
  const rows = await reads.executingLeases();
  const now = new Date().toISOString();
  const self = thisProcessOwner();
  const stuck: string[] = [];
  for (const row of rows) {
    if (stuck.length === 50) break;
    if (row.lease_expires_at === null || row.lease_expires_at < now) {
      stuck.push(
        `${row.id} has been executing since its lease expired at ${row.lease_expires_at} (run \`payops retry run\`)`,
      );
    } else if (ownerState(row.lease_owner, self, probeProcess) === 'gone') {
      // A crashed run's lease is not expired yet, but nobody is working on it: the next run recovers it at once.
      stuck.push(
        `${row.id} was left executing by ${describeOwner(row.lease_owner, 'gone')}, which is gone (run \`payops retry run\`: it is recovered at once)`,
      );
    }
  }
  return result(
    'nothing stuck in executing',
    stuck,
    'no expired leases, no lease of a process gone from this host',
  );
}

/**
 * needs_attention: the PSP moved money (or declined) and the books do not show it yet. A failed
 * check (exit 5): the ledger is incomplete until `attention resolve` books the kept answers. Every
 * item in needs_attention must have its kept answer, and every open answer its item.
 */
async function checkUnrecordedAnswers(reads: CheckReads): Promise<CheckResult> {
  // Only a book read below schema version 10 (the migration tests' "before" side) lacks the table; it cannot hold any.
  if (!(await reads.hasTable('unrecorded_answers'))) {
    return result('every PSP answer recorded', [], 'nothing in needs_attention');
  }
  const open = await reads.openUnrecordedAnswers();
  const problems = open.map(
    (row) =>
      `${row.kind} ${row.item_id}: the PSP answered ${row.answer_status}${row.psp_reference ? ` (${row.psp_reference})` : ''} and payops could not record it: ${row.error} (fix the cause, then \`payops attention resolve ${row.item_id}\`)`,
  );
  const orphans = await reads.attentionWithoutAnswer();
  problems.push(
    ...orphans.map(
      (row) =>
        `${row.kind} ${row.item_id} is in needs_attention with no kept PSP answer: establish at the PSP what happened to it`,
    ),
  );
  return result('every PSP answer recorded', problems, 'nothing in needs_attention');
}

/**
 * Merge-joins the PSP's charges (sorted by our order id) with our orders (sorted the same way):
 * every order charged at most once, every booked capture real and for the same amount, and no
 * capture at the PSP that payops failed to book. Both sides stream, so memory stays flat.
 * Order ids are ASCII (validated at intake), so SQLite's byte order and JavaScript's agree.
 */
async function checkPspCharges(
  reads: CheckReads,
  record: PspRecord,
  notes: string[],
): Promise<CheckResult> {
  const { psp, booksReadAt } = record;
  const problems: string[] = [];
  const charges = record.chargesByOrder[Symbol.iterator]();
  let pending = charges.next();
  let checked = 0;
  let chargeCount = 0;
  const takeChargesOf = (orderId: string | undefined): SimChargeRecord[] => {
    const taken: SimChargeRecord[] = [];
    while (!pending.done && (orderId === undefined || pending.value.merchantReference <= orderId)) {
      const charge = pending.value;
      chargeCount++;
      if (orderId !== undefined && charge.merchantReference === orderId) taken.push(charge);
      else if (charge.status === 'succeeded')
        problems.push(
          `the PSP captured ${charge.reference} for ${charge.merchantReference}, which is no order of payops`,
        );
      pending = charges.next();
    }
    return taken;
  };
  for await (const order of reads.ordersOfPsp(psp)) {
    checked++;
    const live = takeChargesOf(order.order_id).filter(
      (charge) => charge.status === 'succeeded' || charge.status === 'pending',
    );
    if (live.length > 1)
      problems.push(
        `order ${order.order_id} was charged ${live.length} times at the PSP (${live.map((c) => c.reference).join(', ')})`,
      );
    const charge = live[0];
    if (order.status === 'succeeded') {
      if (charge?.status !== 'succeeded')
        problems.push(
          `order ${order.order_id} is booked as captured but the PSP has no successful charge for it`,
        );
      else if (charge.amountMinor !== order.amount_minor || charge.currency !== order.currency) {
        problems.push(
          `order ${order.order_id}: booked ${order.amount_minor} ${order.currency}, the PSP charged ${charge.amountMinor} ${charge.currency}`,
        );
      } else if (order.psp_reference !== charge.reference) {
        // Refunds and disputes are sent against this reference: another buyer's charge must never stand here.
        problems.push(
          `order ${order.order_id} names PSP charge ${order.psp_reference ?? 'none'}, but the PSP charged it as ${charge.reference}`,
        );
      }
    } else if (charge?.status === 'succeeded') {
      const line = `order ${order.order_id} was captured by the PSP (${charge.reference}) but is ${order.status} in payops`;
      if (
        order.status === 'created' &&
        booksReadAt !== undefined &&
        charge.createdAt >= booksReadAt
      ) {
        notes.push(
          `order ${order.order_id} was claimed and charged (${charge.reference}) while check ran: the books were read before`,
        );
      } else if (order.status === 'failed' || order.status === 'created') problems.push(line);
      else
        notes.push(
          `${line}: it will be booked when ${order.status === 'dead_lettered' ? 'requeued (`payops dlq requeue`)' : order.status === 'needs_attention' ? 'its cause is fixed and `payops attention resolve` runs' : order.status === 'pending' ? 'its webhook arrives or `payops orders sync` runs' : 'retried'}`,
        );
    }
  }
  takeChargesOf(undefined);
  return result(
    `every order charged at most once at the PSP (${psp})`,
    problems,
    `${checked} orders against ${chargeCount} PSP charges`,
  );
}
