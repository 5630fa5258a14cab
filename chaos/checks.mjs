// The chaos campaign's end checks: `payops check` against the PSP server's own state file, then
// what check does not cover, recomputed here from the generated input, the books and the PSP's
// state: every accepted event accounted for exactly once, nothing charged, refunded or paid out
// twice at the PSP, nothing left executing, both databases intact, the recorded webhooks replay
// to nothing new, and reconciliation leaves open exactly what was injected, then nothing; each bank
// statement imported once, no payout matched twice, the books' bank account at the bank's balance.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { BANK_SOURCE } from '../dist/bank/accounts.js';
import {
  bankFees as BANK_FEES_ACCOUNT,
  bankOperating as BANK_OPERATING_ACCOUNT,
  bankInTransit as bankInTransitAccount,
  payoutsInTransit as PAYOUTS_IN_TRANSIT_ACCOUNT,
  unidentifiedCredits as UNIDENTIFIED_CREDITS_ACCOUNT,
  unidentifiedDebits as UNIDENTIFIED_DEBITS_ACCOUNT,
} from '../dist/postings/index.js';
import { lines } from './day.mjs';

const MAX_LISTED = 10;

/**
 * @param {{ root: string, operator: { run: Function }, campaign: any, money: any }} options
 * @returns {Promise<{ discrepancies: string[], figures: Record<string, unknown> }>}
 */
export async function endChecks({ operator, campaign, money }) {
  const { files, waves, reconciliation } = campaign;
  const discrepancies = [];
  const problem = (text) => discrepancies.push(text);
  const books = ['--db', files.db];

  // The campaign checked the books and both files once before reconciling (checkBooks); now,
  // with reconciliation done, again, and everything else.
  const headBefore = await ledgerHead(operator, books, problem);
  await checkBooks(operator, files, problem, 'after reconciliation');

  const db = new Sqlite(files.db, { readonly: true, fileMustExist: true });
  const psp = new Sqlite(files.pspState, { readonly: true, fileMustExist: true });
  db.defaultSafeIntegers(true);
  psp.defaultSafeIntegers(true);
  let figures;
  try {
    const input = readInput(waves, money);
    accountForInput(db, psp, input, problem);
    pspRecord(db, psp, problem);
    nothingExecuting(db, problem);
    figures = moneyFigures(db, money);
    figures.webhooks = Object.fromEntries(
      db
        .prepare(
          'SELECT outcome, COUNT(*) AS n FROM webhook_events GROUP BY outcome ORDER BY outcome',
        )
        .all()
        .map((row) => [row.outcome, Number(row.n)]),
    );
    for (const alarm of ['mismatch', 'conflict'])
      if (figures.webhooks[alarm])
        problem(`${figures.webhooks[alarm]} webhook events were a ${alarm}`);
  } finally {
    db.close();
    psp.close();
  }

  await replayWebhooks(operator, books, files.record, headBefore, problem);
  figures.reconciliation = reconciliationFindings(reconciliation, problem);
  bankAndReceivable(files, reconciliation, problem);
  figures.bank = bankLeg(files, reconciliation, problem);
  return { discrepancies, figures };
}

/**
 * `payops check` against the PSP server's state file, then `PRAGMA integrity_check` and
 * `foreign_key_check` on the books and on the PSP's state.
 */
export async function checkBooks(operator, files, problem, when) {
  await payopsCheck(
    operator,
    ['--db', files.db, '--psp', 'http', '--psp-state', files.pspState],
    problem,
    when,
  );
  for (const file of [files.db, files.pspState]) integrity(file, problem, when);
}

async function payopsCheck(operator, args, problem, when) {
  const result = await operator.run(['check', ...args, '--json']);
  let report;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    problem(
      `payops check ${when} printed no report (exit ${result.code}): ${result.stderr.trim()}`,
    );
    return;
  }
  for (const failed of report.results.filter((entry) => !entry.ok))
    problem(`payops check ${when}: ${failed.name}: ${failed.details.join('; ')}`);
  if (result.code !== 0 && report.ok)
    problem(`payops check ${when} exited ${result.code} though every check passed`);
}

async function ledgerHead(operator, books, problem) {
  const result = await operator.run(['ledger', 'verify', ...books, '--json']);
  if (result.code !== 0)
    problem(`payops ledger verify exited ${result.code}: ${result.stderr.trim()}`);
  try {
    return JSON.parse(result.stdout).headHash;
  } catch {
    return undefined;
  }
}

function integrity(file, problem, when) {
  const db = new Sqlite(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma('integrity_check');
    const text = rows.map((row) => row.integrity_check).join('; ');
    if (text !== 'ok') problem(`PRAGMA integrity_check on ${path.basename(file)} ${when}: ${text}`);
    const keys = db.pragma('foreign_key_check');
    if (keys.length > 0)
      problem(
        `PRAGMA foreign_key_check on ${path.basename(file)} ${when}: ${keys.length} rows point nowhere`,
      );
  } finally {
    db.close();
  }
}

/** The generated input of every wave: checkouts, deliveries, refunds, and the last rejects files. */
function readInput(waves, money) {
  const checkouts = new Map();
  const orders = new Map();
  const deliveries = new Map();
  const refunds = new Map();
  const rejected = new Map();
  for (const part of waves.flatMap((wave) => [wave.a, wave.b])) {
    for (const line of lines(part.checkouts)) {
      const event = JSON.parse(line);
      checkouts.set(event.eventId, event);
      for (const order of event.orders) {
        orders.set(order.orderId, {
          ...order,
          eventId: event.eventId,
          currency: event.currency,
          amountMinor: money.parseAmount(order.amount, event.currency),
        });
      }
    }
    for (const file of [part.deliveries1, part.deliveries2]) {
      for (const line of lines(file)) deliveries.set(JSON.parse(line).eventId, JSON.parse(line));
    }
    for (const line of lines(part.refunds)) {
      const event = JSON.parse(line);
      refunds.set(event.eventId, {
        ...event,
        amountMinor: money.parseAmount(event.amount, orders.get(event.orderId).currency),
      });
    }
    // Each run rewrites a file's rejects (`<input>.rejects.ndjson`): the last run's refusals stand.
    for (const file of [part.deliveries1, part.deliveries2, part.refunds]) {
      const rejects = `${file}.rejects.ndjson`;
      if (!fs.existsSync(rejects)) continue;
      for (const line of lines(rejects)) {
        const rejection = JSON.parse(line);
        rejected.set(JSON.parse(rejection.record).eventId, rejection.reason);
      }
    }
  }
  return { checkouts, orders, deliveries, refunds, rejected };
}

/**
 * Every generated event is in the books exactly as often as the rules allow: each checkout and
 * its orders once, final; each delivery once if its order was captured (and not refunded in
 * full before it), else refused with that reason; each refund once if its order had that much
 * left to refund, else refused with that reason; and nothing in the books that was not generated.
 */
function accountForInput(db, psp, input, problem) {
  const list = (what, items) => {
    if (items.length > 0)
      problem(
        `${what} (${items.length}): ${items.slice(0, MAX_LISTED).join(', ')}${items.length > MAX_LISTED ? ', …' : ''}`,
      );
  };
  const events = new Map(
    db
      .prepare('SELECT event_id, type, order_count FROM events')
      .all()
      .map((row) => [row.event_id, row]),
  );
  const booked = new Map(
    db
      .prepare(
        'SELECT order_id, event_id, seller_id, currency, amount_minor, status, refund_reserved_minor, release_event_id FROM orders',
      )
      .all()
      .map((row) => [row.order_id, row]),
  );
  const pspCharges = new Map();
  for (const charge of psp.prepare('SELECT merchant_reference, status FROM sim_charges').all()) {
    pspCharges.set(charge.merchant_reference, [
      ...(pspCharges.get(charge.merchant_reference) ?? []),
      charge.status,
    ]);
  }

  list(
    'checkouts not in the books',
    [...input.checkouts.keys()].filter((id) => events.get(id)?.type !== 'pay_in'),
  );
  list(
    'checkouts with a different number of orders in the books',
    [...input.checkouts.values()]
      .filter(
        (event) =>
          events.has(event.eventId) &&
          Number(events.get(event.eventId).order_count) !== event.orders.length,
      )
      .map((event) => event.eventId),
  );
  list(
    'orders not in the books',
    [...input.orders.keys()].filter((id) => !booked.has(id)),
  );
  list(
    'orders booked with other terms than generated',
    [...input.orders.values()]
      .filter((order) => {
        const row = booked.get(order.orderId);
        return (
          row &&
          (row.event_id !== order.eventId ||
            row.seller_id !== order.sellerId ||
            row.currency !== order.currency ||
            row.amount_minor !== order.amountMinor)
        );
      })
      .map((order) => order.orderId),
  );
  list(
    'orders not final (succeeded or failed)',
    [...booked.values()]
      .filter((row) => !['succeeded', 'failed'].includes(row.status))
      .map((row) => `${row.order_id} ${row.status}`),
  );
  list(
    'failed orders the PSP never declined',
    [...booked.values()]
      .filter(
        (row) =>
          row.status === 'failed' &&
          !(pspCharges.get(row.order_id) ?? []).some(
            (status) => status === 'declined' || status === 'failed',
          ),
      )
      .map((row) => row.order_id),
  );
  list(
    'orders in the books that were never generated',
    [...booked.keys()].filter((id) => !input.orders.has(id)),
  );

  const refundRows = new Map(
    db
      .prepare('SELECT refund_id, order_id, amount_minor, status FROM refunds')
      .all()
      .map((row) => [row.refund_id, row]),
  );
  const chargebacksOf = new Set(
    db
      .prepare('SELECT order_id FROM chargebacks')
      .all()
      .map((row) => row.order_id),
  );
  const unexplained = [];
  for (const delivery of input.deliveries.values()) {
    const order = booked.get(delivery.orderId);
    const released = order?.release_event_id === delivery.eventId;
    if (released !== (events.get(delivery.eventId)?.type === 'pay_out'))
      unexplained.push(`${delivery.eventId} (event and release disagree)`);
    if (released) continue;
    const reason = input.rejected.get(delivery.eventId) ?? 'never refused';
    const explained =
      order &&
      ((order.status === 'failed' && /not captured/.test(reason)) ||
        (order.refund_reserved_minor >= order.amount_minor && /refunded in full/.test(reason)));
    if (!explained)
      unexplained.push(`${delivery.eventId} for a ${order?.status ?? 'missing'} order: ${reason}`);
  }
  list('deliveries neither released nor explained', unexplained);

  const refundsUnexplained = [];
  for (const refund of input.refunds.values()) {
    const row = refundRows.get(refund.eventId);
    const accepted = events.get(refund.eventId)?.type === 'refund';
    if (accepted !== (row !== undefined))
      refundsUnexplained.push(`${refund.eventId} (event and refund disagree)`);
    if (row) {
      if (row.amount_minor !== refund.amountMinor || row.order_id !== refund.orderId)
        refundsUnexplained.push(`${refund.eventId} booked with other terms`);
      if (row.status !== 'succeeded' && row.status !== 'failed')
        refundsUnexplained.push(`${refund.eventId} is ${row.status}`);
      continue;
    }
    const order = booked.get(refund.orderId);
    const reason = input.rejected.get(refund.eventId) ?? 'never refused';
    const explained =
      order &&
      ((order.status === 'failed' && /not captured/.test(reason)) ||
        (chargebacksOf.has(refund.orderId) && /more than is still refundable/.test(reason)));
    if (!explained)
      refundsUnexplained.push(
        `${refund.eventId} for a ${order?.status ?? 'missing'} order: ${reason}`,
      );
  }
  list('refunds neither booked once nor explained', refundsUnexplained);

  const generated = new Set([
    ...input.checkouts.keys(),
    ...input.deliveries.keys(),
    ...input.refunds.keys(),
  ]);
  list(
    'events in the books that were never generated',
    [...events.keys()].filter((id) => !generated.has(id)),
  );
}

/** What `payops check` does not read from the PSP's record: refunds, disputes, stored responses. */
function pspRecord(db, psp, problem) {
  const live = psp
    .prepare(
      "SELECT merchant_reference, COUNT(*) AS n FROM sim_charges WHERE status IN ('succeeded', 'pending') GROUP BY merchant_reference HAVING n > 1",
    )
    .all();
  for (const row of live.slice(0, MAX_LISTED))
    problem(`order ${row.merchant_reference} has ${row.n} live charges at the PSP`);
  const stillPending = psp
    .prepare("SELECT COUNT(*) AS n FROM sim_charges WHERE status = 'pending'")
    .get().n;
  if (stillPending > 0n)
    problem(`${stillPending} charges are still pending at the PSP at the end of the day`);
  const withoutResponse = psp
    .prepare(
      'SELECT COUNT(*) AS n FROM sim_charges c LEFT JOIN sim_idempotency i ON i.idempotency_key = c.idempotency_key WHERE i.idempotency_key IS NULL',
    )
    .get().n;
  if (withoutResponse > 0n)
    problem(`${withoutResponse} charges at the PSP have no stored response for their key`);

  const pspRefunds = new Map();
  for (const row of psp
    .prepare("SELECT refund_id, amount_minor, status FROM sim_refunds WHERE status = 'succeeded'")
    .all()) {
    pspRefunds.set(row.refund_id, [...(pspRefunds.get(row.refund_id) ?? []), row]);
  }
  for (const [refundId, rows] of pspRefunds)
    if (rows.length > 1) problem(`refund ${refundId} was sent ${rows.length} times by the PSP`);
  for (const row of db.prepare('SELECT refund_id, amount_minor, status FROM refunds').all()) {
    const sent = pspRefunds.get(row.refund_id)?.[0];
    if (row.status === 'succeeded' && (!sent || sent.amount_minor !== row.amount_minor))
      problem(`refund ${row.refund_id} is booked as sent but the PSP has no matching refund`);
    if (row.status !== 'succeeded' && sent)
      problem(`refund ${row.refund_id} is ${row.status} in payops but the PSP refunded it`);
    pspRefunds.delete(row.refund_id);
  }
  for (const refundId of pspRefunds.keys())
    problem(`the PSP refunded ${refundId}, which payops does not know`);
  const overRefunded = psp
    .prepare(`SELECT c.merchant_reference FROM sim_charges c JOIN sim_refunds r ON r.charge_id = c.id AND r.status = 'succeeded'
                                    GROUP BY c.id HAVING SUM(r.amount_minor) > c.amount_minor`)
    .all();
  for (const row of overRefunded)
    problem(`the PSP refunded more than it captured on ${row.merchant_reference}`);

  const disputes = psp
    .prepare(
      'SELECT d.id, d.amount_minor, c.merchant_reference FROM sim_disputes d JOIN sim_charges c ON c.id = d.charge_id',
    )
    .all();
  const chargebacks = new Map(
    db
      .prepare('SELECT dispute_id, order_id, amount_minor FROM chargebacks')
      .all()
      .map((row) => [row.dispute_id, row]),
  );
  for (const dispute of disputes) {
    const id = `dp_sim_${dispute.id.toString().padStart(8, '0')}`;
    const booked = chargebacks.get(id);
    if (!booked) problem(`dispute ${id} on ${dispute.merchant_reference} was never booked`);
    else if (
      booked.order_id !== dispute.merchant_reference ||
      booked.amount_minor !== dispute.amount_minor
    )
      problem(`dispute ${id} was booked with other terms`);
    chargebacks.delete(id);
  }
  for (const id of chargebacks.keys()) problem(`chargeback ${id} has no dispute at the PSP`);

  const payouts = psp
    .prepare(
      "SELECT payout_id, COUNT(*) AS n FROM sim_payouts WHERE status = 'succeeded' GROUP BY payout_id HAVING n > 1",
    )
    .all();
  for (const row of payouts) problem(`payout ${row.payout_id} was sent ${row.n} times by the PSP`);
}

function nothingExecuting(db, problem) {
  for (const table of ['orders', 'refunds', 'payouts']) {
    const n = db
      .prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE status NOT IN ('succeeded', 'failed')`)
      .get().n;
    if (n > 0n) problem(`${n} ${table} are not final (executing, scheduled or dead-lettered)`);
  }
}

/** Counts and money moved per currency, from the books. */
function moneyFigures(db, money) {
  const perCurrency = {};
  const add = (currency, field, minor) => {
    perCurrency[currency] ??= {
      captured: 0n,
      refunded: 0n,
      chargedBack: 0n,
      paidOut: 0n,
      pspFees: 0n,
    };
    perCurrency[currency][field] += minor;
  };
  for (const row of db
    .prepare(
      "SELECT currency, SUM(amount_minor) AS s, SUM(COALESCE(psp_fee_minor, 0)) AS f FROM orders WHERE status = 'succeeded' GROUP BY currency",
    )
    .all()) {
    add(row.currency, 'captured', row.s);
    add(row.currency, 'pspFees', row.f);
  }
  for (const row of db
    .prepare(
      "SELECT currency, SUM(amount_minor) AS s FROM refunds WHERE status = 'succeeded' GROUP BY currency",
    )
    .all())
    add(row.currency, 'refunded', row.s);
  for (const row of db
    .prepare('SELECT currency, SUM(amount_minor) AS s FROM chargebacks GROUP BY currency')
    .all())
    add(row.currency, 'chargedBack', row.s);
  for (const row of db
    .prepare(
      "SELECT currency, SUM(amount_minor) AS s FROM payouts WHERE status = 'succeeded' GROUP BY currency",
    )
    .all())
    add(row.currency, 'paidOut', row.s);
  const count = (sql) => Number(db.prepare(sql).get().n);
  return {
    orders: {
      total: count('SELECT COUNT(*) AS n FROM orders'),
      succeeded: count("SELECT COUNT(*) AS n FROM orders WHERE status = 'succeeded'"),
      failed: count("SELECT COUNT(*) AS n FROM orders WHERE status = 'failed'"),
      released: count('SELECT COUNT(*) AS n FROM orders WHERE released_at IS NOT NULL'),
    },
    refunds: count("SELECT COUNT(*) AS n FROM refunds WHERE status = 'succeeded'"),
    payouts: count("SELECT COUNT(*) AS n FROM payouts WHERE status = 'succeeded'"),
    chargebacks: count('SELECT COUNT(*) AS n FROM chargebacks'),
    moneyMoved: Object.fromEntries(
      Object.entries(perCurrency)
        .sort()
        .map(([currency, sums]) => [
          currency,
          Object.fromEntries(
            Object.entries(sums).map(([field, minor]) => [
              field,
              money.formatAmount(minor, currency),
            ]),
          ),
        ]),
    ),
  };
}

/** Every delivery the listener recorded, replayed offline: already applied, so the books do not change. */
async function replayWebhooks(operator, books, record, headBefore, problem) {
  if (!fs.existsSync(record)) {
    problem('the webhook listener recorded no delivery');
    return;
  }
  const result = await operator.run(['webhooks', 'replay', record, ...books, '--json']);
  if (result.code !== 0)
    problem(`webhooks replay exited ${result.code}: ${result.stderr.trim().split('\n')[0]}`);
  const after = await ledgerHead(operator, books, problem);
  if (headBefore !== undefined && after !== headBefore)
    problem('replaying the recorded webhook deliveries changed the ledger');
}

/**
 * What reconciliation left open must be exactly what was injected into the settlement files
 * (each in its expected class, plus the batch totals those injections unbalance); after the
 * operator decided every item, nothing may be open.
 */
function reconciliationFindings(reconciliation, problem) {
  const expected = reconciliation.settled
    .flatMap(({ file, manifest }) => [
      ...manifest.injected.map(
        (injection) =>
          `${injection.expectedClass} ${injection.pspReference}${injection.line === null ? '' : ` ${file}:${injection.line}`}`,
      ),
      ...manifest.batches
        .filter((batch) => batch.payoutMinor !== null && batch.differenceMinor !== '0')
        .map((batch) => `batch_total_mismatch ${batch.batchId} ${batch.differenceMinor}`),
    ])
    .sort();
  const found = reconciliation.openAfterRuns
    .map((item) => {
      if (item.class === 'batch_total_mismatch')
        return `${item.class} ${item.batchId} ${item.amount.amountMinor}`;
      if (item.class === 'missing_external') return `${item.class} ${item.ours?.reference ?? ''}`;
      return `${item.class} ${item.theirs?.reference ?? ''}${item.theirs?.source ? ` ${item.theirs.source}` : ''}`;
    })
    .sort();
  const unexplained = found.filter((item) => !expected.includes(item));
  const notFound = expected.filter((item) => !found.includes(item));
  for (const item of unexplained)
    problem(`reconciliation left open an item nothing injected: ${item}`);
  for (const item of notFound)
    problem(`reconciliation did not find an injected discrepancy: ${item}`);
  for (const item of reconciliation.openAfterDecisions)
    problem(
      `reconciliation item ${item.itemId} (${item.class}) is still open after it was decided`,
    );
  return {
    files: reconciliation.settled.length,
    injected: reconciliation.settled.reduce(
      (sum, { manifest }) => sum + manifest.injected.length,
      0,
    ),
    openAfterRuns: found.length,
    explainedByInjection: found.length - unexplained.length,
    openAfterDecisions: reconciliation.openAfterDecisions.length,
  };
}

/**
 * Once every item is resolved, the PSP receivable is empty in every currency, and the money the
 * PSP paid out less what payops paid to sellers is in the bank's accounts: a settled PSP payout
 * waits in assets:bank:in-transit:http and a sent seller payout in liabilities:payouts:in-transit
 * until a bank statement moves them to (or out of) assets:bank:operating. What a statement posts
 * besides (the bank's charges, entries no payout explains, held in the unidentified suspense
 * accounts until decided) moves money between these accounts and those, never out of the sum, so
 * the identity holds whether or not, and however often, a statement was reconciled.
 */
function bankAndReceivable(files, reconciliation, problem) {
  const db = new Sqlite(files.db, { readonly: true, fileMustExist: true });
  db.defaultSafeIntegers(true);
  try {
    const balance = balanceOf(db);
    for (const [currency, net] of balance('assets:psp:http:receivable'))
      if (net !== 0n)
        problem(
          `assets:psp:http:receivable holds ${net} minor units of ${currency} after every settlement was reconciled`,
        );
    const expectedBank = new Map();
    for (const { manifest } of reconciliation.settled)
      for (const batch of manifest.batches)
        if (batch.payoutMinor !== null)
          expectedBank.set(
            batch.currency,
            (expectedBank.get(batch.currency) ?? 0n) + BigInt(batch.payoutMinor),
          );
    for (const row of db
      .prepare(
        "SELECT currency, SUM(amount_minor) AS s FROM payouts WHERE status = 'succeeded' GROUP BY currency",
      )
      .all())
      expectedBank.set(row.currency, (expectedBank.get(row.currency) ?? 0n) - row.s);
    const accounts = [
      BANK_OPERATING_ACCOUNT,
      bankInTransitAccount('http'),
      PAYOUTS_IN_TRANSIT_ACCOUNT,
      BANK_FEES_ACCOUNT,
      UNIDENTIFIED_CREDITS_ACCOUNT,
      UNIDENTIFIED_DEBITS_ACCOUNT,
    ];
    const bank = new Map();
    for (const account of accounts)
      for (const [currency, net] of balance(account))
        bank.set(currency, (bank.get(currency) ?? 0n) + net);
    for (const currency of new Set([...expectedBank.keys(), ...bank.keys()])) {
      if ((bank.get(currency) ?? 0n) !== (expectedBank.get(currency) ?? 0n))
        problem(
          `${accounts.join(' + ')} hold ${bank.get(currency) ?? 0n} minor units of ${currency}; the PSP paid out less sellers were paid makes ${expectedBank.get(currency) ?? 0n}`,
        );
    }
  } finally {
    db.close();
  }
}

/** The debit-positive balance per currency of one ledger account. */
function balanceOf(db) {
  const statement =
    db.prepare(`SELECT a.currency, SUM(CASE e.direction WHEN 'debit' THEN e.amount_minor ELSE -e.amount_minor END) AS net
      FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id WHERE a.name = ? GROUP BY a.currency`);
  return (account) => new Map(statement.all(account).map((row) => [row.currency, row.net]));
}

/**
 * The bank leg, after its kills: every statement file is one run (one recon_runs row per file
 * SHA-256, however often it was killed and run again); no payout has two `bank` matches; every
 * seller payout left and every PSP payout arrived once, with its own amount (nothing was injected
 * into the statements); the books' operating account ends at the bank's closing balance of the
 * last statement, and nothing is left in transit.
 */
function bankLeg(files, reconciliation, problem) {
  const statements = reconciliation.bank?.statements ?? [];
  const db = new Sqlite(files.db, { readonly: true, fileMustExist: true });
  db.defaultSafeIntegers(true);
  try {
    const runs = db
      .prepare(
        'SELECT file_sha256, COUNT(*) AS n FROM recon_runs WHERE psp = ? GROUP BY file_sha256',
      )
      .all(BANK_SOURCE);
    const runsOf = new Map(runs.map((row) => [row.file_sha256, Number(row.n)]));
    for (const { file } of statements) {
      const sha = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      if (runsOf.get(sha) !== 1)
        problem(`bank statement ${path.basename(file)} was imported ${runsOf.get(sha) ?? 0} times`);
      runsOf.delete(sha);
    }
    for (const sha of runsOf.keys())
      problem(`a bank run ${sha} imported a file the campaign never wrote`);
    const twice = db
      .prepare(
        "SELECT payout_kind, payout_ref, COUNT(*) AS n FROM bank_matches WHERE part = 'bank' GROUP BY payout_kind, payout_ref HAVING n > 1",
      )
      .all();
    for (const row of twice.slice(0, MAX_LISTED))
      problem(`${row.payout_kind} ${row.payout_ref} was matched ${row.n} times`);
    const matched = (kind) =>
      new Map(
        db
          .prepare(
            'SELECT payout_ref, SUM(amount_minor) AS s FROM bank_matches WHERE payout_kind = ? GROUP BY payout_ref',
          )
          .all(kind)
          .map((row) => [row.payout_ref, row.s]),
      );
    const sellerMatches = matched('seller_payout');
    const sellers = db
      .prepare("SELECT payout_id, amount_minor FROM payouts WHERE status = 'succeeded'")
      .all();
    const sellerGaps = sellers
      .filter((row) => sellerMatches.get(row.payout_id) !== row.amount_minor)
      .map(
        (row) =>
          `${row.payout_id} (${sellerMatches.get(row.payout_id) ?? 'none'} of ${row.amount_minor})`,
      );
    if (sellerGaps.length > 0)
      problem(
        `${sellerGaps.length} seller payouts not matched once with their amount: ${sellerGaps.slice(0, MAX_LISTED).join(', ')}`,
      );
    const pspMatches = matched('psp_payout');
    const batches = reconciliation.settled
      .flatMap(({ manifest }) => manifest.batches)
      .filter((batch) => batch.payoutMinor !== null && BigInt(batch.payoutMinor) > 0n);
    const pspGaps = batches
      .filter((batch) => pspMatches.get(batch.batchId) !== BigInt(batch.payoutMinor))
      .map(
        (batch) =>
          `${batch.batchId} (${pspMatches.get(batch.batchId) ?? 'none'} of ${batch.payoutMinor})`,
      );
    if (pspGaps.length > 0)
      problem(
        `${pspGaps.length} PSP payouts not received once with their amount: ${pspGaps.join(', ')}`,
      );
    operatingAtClosing(db, statements, problem);
    const balance = balanceOf(db);
    for (const account of [bankInTransitAccount('http'), PAYOUTS_IN_TRANSIT_ACCOUNT]) {
      for (const [currency, net] of balance(account))
        if (net !== 0n)
          problem(
            `${account} still holds ${net} minor units of ${currency} after the bank's statements`,
          );
    }
    return {
      statements: statements.length,
      formats: [...new Set(statements.map((s) => s.format))],
      runs: runs.length,
      sellerPayoutsMatched: sellerMatches.size,
      pspPayoutsMatched: pspMatches.size,
      openAfterRuns: reconciliation.bank?.open ?? null,
      seconds: reconciliation.bank?.seconds ?? null,
    };
  } finally {
    db.close();
  }
}

/** The books' operating account per currency equals the closing balance of the last statement of that currency. */
function operatingAtClosing(db, statements, problem) {
  const closing = new Map();
  for (const { manifest } of statements)
    for (const s of manifest.statements) closing.set(s.currency, BigInt(s.closing.amountMinor));
  const operating = balanceOf(db)(BANK_OPERATING_ACCOUNT);
  for (const currency of new Set([...closing.keys(), ...operating.keys()])) {
    if ((operating.get(currency) ?? 0n) !== (closing.get(currency) ?? 0n))
      problem(
        `${BANK_OPERATING_ACCOUNT} holds ${operating.get(currency) ?? 0n} minor units of ${currency}; the bank's last statement closes at ${closing.get(currency) ?? 0n}`,
      );
  }
}
