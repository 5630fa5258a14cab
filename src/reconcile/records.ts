import { captureKey, chargebackKey, refundSentKey } from '../postings/index.js';
import { type InternalRecord, type RecordKind, parseInternalRef } from './classes.js';
import type { ChargebackRow, InternalRecordsStore, OrderRow, RefundRow } from './records-store.js';

/**
 * payops' own records of one PSP, read the way reconciliation needs them, without an index of its
 * own on the pay-in tables: orders are found by their order id (unique already), and the few
 * records that must be found by PSP reference (refunds, chargebacks, and orders whose merchant
 * reference did not lead to them) go through temporary tables built once per run.
 */
export class InternalRecords {
  private readonly takenOrders = new Set<string>();
  private wanted = 0;

  constructor(
    private readonly store: InternalRecordsStore,
    private readonly psp: string,
  ) {}

  /**
   * For a run: the refunds and disputes no earlier row has claimed (each is reported once), in
   * temporary tables the run's rows take them from. Decisions between runs never need them.
   */
  prepareCandidates(): void {
    this.store.fillCandidates(this.psp);
  }

  /** Orders by order id, for a chunk of rows' merchant references (any PSP: the caller checks). */
  ordersByIds(orderIds: readonly string[]): Map<string, InternalRecord & { psp: string }> {
    const found = new Map<string, InternalRecord & { psp: string }>();
    if (orderIds.length === 0) return found;
    // Arrays rather than objects per row: this runs for every row of a million-row file.
    for (const order of this.store.ordersByIds(orderIds)) {
      found.set(order[0], {
        kind: 'capture',
        id: order[0],
        orderId: order[0],
        pspReference: order[5],
        currency: order[3],
        grossMinor: order[4],
        feeMinor: order[6],
        status: order[2],
        bookedAt: null,
        psp: order[1],
      });
    }
    return found;
  }

  /** Asks for an order by PSP reference; all asked for are found at once by `resolveWantedReferences`. */
  wantOrderByReference(reference: string): void {
    this.store.wantReference(reference);
    this.wanted++;
  }

  /** One scan of this PSP's orders for every reference asked for since the last call. */
  resolveWantedReferences(): void {
    if (this.wanted === 0) return;
    this.store.findWanted(this.psp);
    this.wanted = 0;
  }

  /** An order of this PSP carrying a reference asked for and resolved before. */
  orderByWantedReference(reference: string): InternalRecord | undefined {
    const orderId = this.store.foundOrderId(reference);
    return orderId === undefined ? undefined : this.order(orderId);
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
      pspReference === null ? undefined : this.store.refundCandidateByReference(pspReference);
    if (!row && orderId !== null) {
      // A candidate with a PSP reference of its own is another refund, unless the row names none.
      const ofOrder = this.store
        .refundCandidatesOfOrder(orderId)
        .filter((candidate) => pspReference === null || candidate.psp_reference === null);
      row = ofOrder.find((candidate) => -candidate.amount_minor === grossMinor) ?? ofOrder[0];
    }
    if (!row) return undefined;
    this.store.takeRefund(row.refund_id);
    return refundOf(row);
  }

  /** A chargeback by its dispute id (the PSP's reference), else one of the order's not yet reported. */
  takeChargeback(pspReference: string | null, orderId: string | null): InternalRecord | undefined {
    let row = pspReference === null ? undefined : this.store.chargebackCandidate(pspReference);
    if (!row && orderId !== null && pspReference === null)
      row = this.store.chargebackCandidatesOfOrder(orderId)[0];
    if (!row) return undefined;
    this.store.takeChargeback(row.dispute_id);
    return chargebackOf(row);
  }

  order(orderId: string): (InternalRecord & { psp: string }) | undefined {
    const row = this.store.order(orderId);
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
      const row = this.store.refund(parsed.id, this.psp);
      return row ? refundOf(row) : undefined;
    }
    const row = this.store.chargeback(parsed.id, this.psp);
    return row ? chargebackOf(row) : undefined;
  }

  /** When payops booked the record: the effective time of its capture, refund or chargeback posting. */
  bookedAt(kind: RecordKind, id: string): string | null {
    const key =
      kind === 'capture'
        ? captureKey(id)
        : kind === 'refund'
          ? refundSentKey(id)
          : chargebackKey(id);
    return this.store.bookedAt(key);
  }

  /**
   * Every record this PSP should report that no row has claimed yet: succeeded captures and
   * refunds, and chargebacks. Found in one pass, then paged, so memory stays flat however many.
   */
  *unsettled(): Generator<InternalRecord> {
    this.store.collectUnsettled(this.psp);
    let afterId = 0n;
    for (;;) {
      const page = this.store.unsettledPage(afterId);
      for (const entry of page) {
        const record = this.byRef(`${entry.kind}:${entry.record_id}`);
        if (record) yield { ...record, bookedAt: this.bookedAt(entry.kind, entry.record_id) };
      }
      const last = page.at(-1);
      if (last === undefined || page.length < this.store.pageSize) return;
      afterId = last.id;
    }
  }
}

function captureOf(row: OrderRow): InternalRecord {
  return {
    kind: 'capture',
    id: row.order_id,
    orderId: row.order_id,
    pspReference: row.psp_reference,
    currency: row.currency,
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
    currency: row.currency,
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
    currency: row.currency,
    grossMinor: -row.amount_minor,
    feeMinor: row.dispute_fee_minor,
    status: 'succeeded',
    bookedAt: null,
  };
}
