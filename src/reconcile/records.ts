import type { Database, Statement } from '../db/index.js';
import type { Currency } from '../money/index.js';
import { type InternalRecord, type RecordKind, parseInternalRef } from './classes.js';

interface OrderRow {
  order_id: string;
  psp: string;
  status: string;
  currency: string;
  amount_minor: bigint;
  psp_reference: string | null;
  psp_fee_minor: bigint | null;
}

/** The columns of ORDER_COLUMNS, in order. */
type OrderTuple = [
  orderId: string,
  psp: string,
  status: string,
  currency: string,
  amountMinor: bigint,
  pspReference: string | null,
  pspFeeMinor: bigint | null,
];

interface RefundRow {
  refund_id: string;
  order_id: string;
  currency: string;
  amount_minor: bigint;
  status: string;
  psp_reference: string | null;
}

interface ChargebackRow {
  dispute_id: string;
  order_id: string;
  currency: string;
  amount_minor: bigint;
  dispute_fee_minor: bigint;
}

const ORDER_COLUMNS = 'order_id, psp, status, currency, amount_minor, psp_reference, psp_fee_minor';
const PAGE = 2_000;

/**
 * payops' own records of one PSP, read the way reconciliation needs them, without an index of its
 * own on the pay-in tables: orders are found by their order id (unique already), and the few
 * records that must be found by PSP reference (refunds, chargebacks, and orders whose merchant
 * reference did not lead to them) go through temporary tables built once per run.
 */
export class InternalRecords {
  private readonly s: Record<string, Statement>;
  private readonly takenOrders = new Set<string>();
  private wanted = 0;

  constructor(
    private readonly db: Database,
    private readonly psp: string,
  ) {
    db.exec(`
      CREATE TEMP TABLE IF NOT EXISTS recon_refund_candidates (
        refund_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, currency TEXT NOT NULL, amount_minor INTEGER NOT NULL,
        status TEXT NOT NULL, psp_reference TEXT, taken INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX IF NOT EXISTS temp.recon_refund_candidates_by_reference ON recon_refund_candidates (psp_reference);
      CREATE INDEX IF NOT EXISTS temp.recon_refund_candidates_by_order ON recon_refund_candidates (order_id);
      CREATE TEMP TABLE IF NOT EXISTS recon_chargeback_candidates (
        dispute_id TEXT PRIMARY KEY, order_id TEXT NOT NULL, currency TEXT NOT NULL, amount_minor INTEGER NOT NULL,
        dispute_fee_minor INTEGER NOT NULL, taken INTEGER NOT NULL DEFAULT 0);
      CREATE INDEX IF NOT EXISTS temp.recon_chargeback_candidates_by_order ON recon_chargeback_candidates (order_id);
      CREATE TEMP TABLE IF NOT EXISTS recon_wanted_references (reference TEXT PRIMARY KEY) WITHOUT ROWID;
      CREATE TEMP TABLE IF NOT EXISTS recon_found_orders (reference TEXT PRIMARY KEY, order_id TEXT NOT NULL) WITHOUT ROWID;
      CREATE TEMP TABLE IF NOT EXISTS recon_unsettled (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, record_id TEXT NOT NULL);
    `);
    const prepare = (sql: string) => db.prepare(sql);
    this.s = {
      order: prepare(`SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id = ?`),
      ordersByIds: prepare(
        `SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id IN (SELECT value FROM json_each(?))`,
      ),
      wantReference: prepare(
        'INSERT OR IGNORE INTO recon_wanted_references (reference) VALUES (?)',
      ),
      // One pass over this PSP's orders, probing the set of wanted references; the answers stay in SQLite.
      findWanted: prepare(
        `INSERT OR IGNORE INTO recon_found_orders (reference, order_id)
         SELECT psp_reference, order_id FROM orders WHERE psp = ? AND psp_reference IN (SELECT reference FROM recon_wanted_references)`,
      ),
      foundOrder: prepare('SELECT order_id FROM recon_found_orders WHERE reference = ?'),
      refund: prepare(
        'SELECT refund_id, order_id, currency, amount_minor, status, psp_reference FROM refunds WHERE refund_id = ? AND psp = ?',
      ),
      refundCandidateByReference: prepare(
        'SELECT * FROM recon_refund_candidates WHERE psp_reference = ? AND taken = 0',
      ),
      refundCandidatesOfOrder: prepare(
        'SELECT * FROM recon_refund_candidates WHERE order_id = ? AND taken = 0 ORDER BY refund_id',
      ),
      takeRefund: prepare('UPDATE recon_refund_candidates SET taken = 1 WHERE refund_id = ?'),
      chargeback: prepare(
        'SELECT dispute_id, order_id, currency, amount_minor, dispute_fee_minor FROM chargebacks WHERE dispute_id = ? AND psp = ?',
      ),
      chargebackCandidate: prepare(
        'SELECT * FROM recon_chargeback_candidates WHERE dispute_id = ? AND taken = 0',
      ),
      chargebackCandidatesOfOrder: prepare(
        'SELECT * FROM recon_chargeback_candidates WHERE order_id = ? AND taken = 0 ORDER BY dispute_id',
      ),
      takeChargeback: prepare(
        'UPDATE recon_chargeback_candidates SET taken = 1 WHERE dispute_id = ?',
      ),
      bookedAt: prepare('SELECT effective_at FROM ledger_transactions WHERE idempotency_key = ?'),
      // One pass per kind, each record probing the rows' record index: a record is claimed by the
      // row paired with it, whatever reference that row carries (linked, or paired by its order).
      collectUnsettled: prepare(
        `INSERT INTO recon_unsettled (kind, record_id)
         SELECT 'capture', o.order_id FROM orders o WHERE o.status = 'succeeded' AND o.psp = @psp
           AND NOT EXISTS (SELECT 1 FROM recon_rows r WHERE r.psp = o.psp AND r.internal_ref = 'capture:' || o.order_id AND r.paired = 1)
         UNION ALL
         SELECT 'refund', f.refund_id FROM refunds f WHERE f.status = 'succeeded' AND f.psp = @psp
           AND NOT EXISTS (SELECT 1 FROM recon_rows r WHERE r.psp = f.psp AND r.internal_ref = 'refund:' || f.refund_id AND r.paired = 1)
         UNION ALL
         SELECT 'chargeback', c.dispute_id FROM chargebacks c WHERE c.psp = @psp
           AND NOT EXISTS (SELECT 1 FROM recon_rows r WHERE r.psp = c.psp AND r.internal_ref = 'chargeback:' || c.dispute_id AND r.paired = 1)`,
      ),
      unsettledPage: prepare(
        `SELECT id, kind, record_id FROM recon_unsettled WHERE id > ? ORDER BY id LIMIT ${PAGE}`,
      ),
    };
  }

  /**
   * For a run: the refunds and disputes no earlier row has claimed (each is reported once), in
   * temporary tables the run's rows take them from. Decisions between runs never need them.
   */
  prepareCandidates(): void {
    this.db.exec(
      'DELETE FROM recon_refund_candidates; DELETE FROM recon_chargeback_candidates; DELETE FROM recon_wanted_references; DELETE FROM recon_found_orders;',
    );
    // Only records no earlier row has claimed (paired with it, under whatever reference): a refund or dispute is reported once.
    this.db
      .prepare(
        `INSERT INTO recon_refund_candidates (refund_id, order_id, currency, amount_minor, status, psp_reference)
       SELECT f.refund_id, f.order_id, f.currency, f.amount_minor, f.status, f.psp_reference FROM refunds f
       WHERE f.psp = ? AND NOT EXISTS (SELECT 1 FROM recon_rows r WHERE r.psp = f.psp AND r.internal_ref = 'refund:' || f.refund_id AND r.paired = 1)`,
      )
      .run(this.psp);
    this.db
      .prepare(
        `INSERT INTO recon_chargeback_candidates (dispute_id, order_id, currency, amount_minor, dispute_fee_minor)
       SELECT c.dispute_id, c.order_id, c.currency, c.amount_minor, c.dispute_fee_minor FROM chargebacks c
       WHERE c.psp = ? AND NOT EXISTS (SELECT 1 FROM recon_rows r WHERE r.psp = c.psp AND r.internal_ref = 'chargeback:' || c.dispute_id AND r.paired = 1)`,
      )
      .run(this.psp);
  }

  /** Orders by order id, for a chunk of rows' merchant references (any PSP: the caller checks). */
  ordersByIds(orderIds: readonly string[]): Map<string, InternalRecord & { psp: string }> {
    const found = new Map<string, InternalRecord & { psp: string }>();
    if (orderIds.length === 0) return found;
    // Arrays rather than objects per row: this runs for every row of a million-row file.
    for (const [orderId, psp, status, currency, amountMinor, pspReference, pspFeeMinor] of this.s
      .ordersByIds!.raw(true)
      .all(JSON.stringify(orderIds)) as OrderTuple[]) {
      found.set(orderId, {
        kind: 'capture',
        id: orderId,
        orderId,
        pspReference,
        currency: currency as Currency,
        grossMinor: amountMinor,
        feeMinor: pspFeeMinor,
        status,
        bookedAt: null,
        psp,
      });
    }
    return found;
  }

  /** Asks for an order by PSP reference; all asked for are found at once by `resolveWantedReferences`. */
  wantOrderByReference(reference: string): void {
    this.s.wantReference!.run(reference);
    this.wanted++;
  }

  /** One scan of this PSP's orders for every reference asked for since the last call. */
  resolveWantedReferences(): void {
    if (this.wanted === 0) return;
    this.s.findWanted!.run(this.psp);
    this.db.exec('DELETE FROM recon_wanted_references');
    this.wanted = 0;
  }

  /** An order of this PSP carrying a reference asked for and resolved before. */
  orderByWantedReference(reference: string): InternalRecord | undefined {
    const found = this.s.foundOrder!.get(reference) as { order_id: string } | undefined;
    return found === undefined ? undefined : this.order(found.order_id);
  }

  /**
   * An order this run already paired through its merchant reference (it had no PSP reference of
   * its own) is not paired again: a second row for it is a second charge, not the same one.
   */
  takeOrder(orderId: string): boolean {
    if (this.takenOrders.has(orderId)) return false;
    this.takenOrders.add(orderId);
    return true;
  }

  /** A refund by the PSP's reference, else one of the order's not yet reported (the same amount first). */
  takeRefund(
    pspReference: string | null,
    orderId: string | null,
    grossMinor: bigint,
  ): InternalRecord | undefined {
    let row =
      pspReference === null
        ? undefined
        : (this.s.refundCandidateByReference!.get(pspReference) as RefundRow | undefined);
    if (!row && orderId !== null) {
      // A candidate with a PSP reference of its own is another refund, unless the row names none.
      const ofOrder = (this.s.refundCandidatesOfOrder!.all(orderId) as RefundRow[]).filter(
        (candidate) => pspReference === null || candidate.psp_reference === null,
      );
      row = ofOrder.find((candidate) => -candidate.amount_minor === grossMinor) ?? ofOrder[0];
    }
    if (!row) return undefined;
    this.s.takeRefund!.run(row.refund_id);
    return refundOf(row);
  }

  /** A chargeback by its dispute id (the PSP's reference), else one of the order's not yet reported. */
  takeChargeback(pspReference: string | null, orderId: string | null): InternalRecord | undefined {
    let row =
      pspReference === null
        ? undefined
        : (this.s.chargebackCandidate!.get(pspReference) as ChargebackRow | undefined);
    if (!row && orderId !== null && pspReference === null)
      row = (this.s.chargebackCandidatesOfOrder!.all(orderId) as ChargebackRow[])[0];
    if (!row) return undefined;
    this.s.takeChargeback!.run(row.dispute_id);
    return chargebackOf(row);
  }

  order(orderId: string): (InternalRecord & { psp: string }) | undefined {
    const row = this.s.order!.get(orderId) as OrderRow | undefined;
    return row ? { ...captureOf(row), psp: row.psp } : undefined;
  }

  /** A record by its internal reference ("capture:ord_1"), whatever its state; undefined if there is none. */
  byRef(ref: string): InternalRecord | undefined {
    const parsed = parseInternalRef(ref);
    if (!parsed) return undefined;
    if (parsed.kind === 'capture') {
      const order = this.order(parsed.id);
      return order && order.psp === this.psp ? order : undefined;
    }
    if (parsed.kind === 'refund') {
      const row = this.s.refund!.get(parsed.id, this.psp) as RefundRow | undefined;
      return row ? refundOf(row) : undefined;
    }
    const row = this.s.chargeback!.get(parsed.id, this.psp) as ChargebackRow | undefined;
    return row ? chargebackOf(row) : undefined;
  }

  /** When payops booked the record: the effective time of its capture, refund or chargeback posting. */
  bookedAt(kind: RecordKind, id: string): string | null {
    const key =
      kind === 'capture'
        ? `payin.capture:${id}`
        : kind === 'refund'
          ? `refund.sent:${id}`
          : `chargeback:${id}`;
    const row = this.s.bookedAt!.get(key) as { effective_at: string } | undefined;
    return row?.effective_at ?? null;
  }

  /**
   * Every record this PSP should report that no row has claimed yet: succeeded captures and
   * refunds, and chargebacks. Found in one pass, then paged, so memory stays flat however many.
   */
  *unsettled(): Generator<InternalRecord> {
    this.db.exec('DELETE FROM recon_unsettled');
    this.s.collectUnsettled!.run({ psp: this.psp });
    let afterId = 0n;
    for (;;) {
      const page = this.s.unsettledPage!.all(afterId) as {
        id: bigint;
        kind: RecordKind;
        record_id: string;
      }[];
      for (const entry of page) {
        const record = this.byRef(`${entry.kind}:${entry.record_id}`);
        if (record) yield { ...record, bookedAt: this.bookedAt(entry.kind, entry.record_id) };
      }
      if (page.length < PAGE) return;
      afterId = (page[page.length - 1] as { id: bigint }).id;
    }
  }
}

function captureOf(row: OrderRow): InternalRecord {
  return {
    kind: 'capture',
    id: row.order_id,
    orderId: row.order_id,
    pspReference: row.psp_reference,
    currency: row.currency as Currency,
    grossMinor: row.amount_minor,
    feeMinor: row.psp_fee_minor,
    status: row.status,
    bookedAt: null,
  };
}

function refundOf(row: RefundRow): InternalRecord {
  // payops does not track a fee on refunds: whatever fee the PSP reports on one gets booked.
  return {
    kind: 'refund',
    id: row.refund_id,
    orderId: row.order_id,
    pspReference: row.psp_reference,
    currency: row.currency as Currency,
    grossMinor: -row.amount_minor,
    feeMinor: null,
    status: row.status,
    bookedAt: null,
  };
}

function chargebackOf(row: ChargebackRow): InternalRecord {
  return {
    kind: 'chargeback',
    id: row.dispute_id,
    orderId: row.order_id,
    pspReference: row.dispute_id,
    currency: row.currency as Currency,
    grossMinor: -row.amount_minor,
    feeMinor: row.dispute_fee_minor,
    status: 'succeeded',
    bookedAt: null,
  };
}
