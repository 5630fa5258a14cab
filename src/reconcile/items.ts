import { type InternalRecord, bookedNetOf, itemIdOf } from './classes.js';
import type { ItemRecord, ReconStore, SideView, StoredRow } from './store.js';
import type { SettlementRow } from './types.js';

/** What a run says about an item; the store adds its id, status and life. */
export type ItemSpec = Pick<
  ItemRecord,
  | 'subject'
  | 'class'
  | 'rowId'
  | 'internalRef'
  | 'probableRef'
  | 'batchId'
  | 'currency'
  | 'amountMinor'
  | 'detail'
>;

/**
 * Opens, refreshes and resolves items, and records each one's life in the run at hand: new the
 * first time its subject is seen, persisting while it stays open, resolved when it closes (by a
 * later file, by a rule, or by a person). Between runs (`runId` null, the review) no life is kept.
 */
export class Items {
  constructor(
    private readonly store: ReconStore,
    private readonly psp: string,
    private readonly runId: bigint | null,
    private readonly at: string,
  ) {}

  itemIdOf(subject: string): string {
    return itemIdOf(this.psp, subject);
  }

  /**
   * The item for this subject, opened or brought up to date; its row id and stable id. An item a
   * decision opens between runs (a batch left short) is counted from `openedInRun`.
   */
  upsert(spec: ItemSpec, openedInRun?: bigint): { id: bigint; itemId: string } {
    const itemId = itemIdOf(this.psp, spec.subject);
    const existing = this.store.item(itemId);
    if (!existing) {
      const runId = this.runId ?? openedInRun;
      if (runId === undefined)
        throw new Error(`item ${itemId} is opened outside a run without the run it belongs to`);
      const id = this.store.insertItem({ ...spec, itemId, psp: this.psp, runId, at: this.at });
      if (this.runId !== null) this.store.itemLife(this.runId, id, 'new', spec.class);
      return { id, itemId };
    }
    this.store.updateItem(existing.id, { ...spec, runId: this.runId, at: this.at });
    if (this.runId !== null)
      this.store.itemLife(
        this.runId,
        existing.id,
        existing.status === 'resolved' ? 'new' : 'persisting',
        spec.class,
      );
    return { id: existing.id, itemId };
  }

  resolve(item: Pick<ItemRecord, 'id' | 'class'>, resolution: string, by: string): boolean {
    const resolved = this.store.resolveItem(item.id, this.runId, resolution, this.at, by);
    if (resolved && this.runId !== null)
      this.store.itemLife(this.runId, item.id, 'resolved', item.class);
    return resolved;
  }

  /** Every item still open at the end of a run is new in it or persisting through it. */
  recordOpenAtEnd(): void {
    if (this.runId === null) return;
    for (const item of this.store.openItems(this.psp)) {
      this.store.itemLife(
        this.runId,
        item.id,
        item.firstRunId === this.runId ? 'new' : 'persisting',
        item.class,
      );
    }
  }
}

export function sideOfRow(row: SettlementRow, source: string): SideView {
  return {
    source,
    type: row.type,
    reference: row.pspReference,
    order: row.merchantReference,
    batch: row.batchId,
    currency: row.currency,
    grossMinor: row.grossMinor.toString(),
    feeMinor: row.feeMinor.toString(),
    netMinor: row.netMinor.toString(),
    status: 'settled',
    at: row.occurredAt,
  };
}

export function sideOfStoredRow(row: StoredRow): SideView {
  return sideOfRow(row, `${row.fileName}:${row.line}`);
}

export function sideOfRecord(record: InternalRecord): SideView {
  return {
    source: 'payops',
    type: record.kind,
    reference: record.pspReference,
    order: record.orderId,
    batch: null,
    currency: record.currency,
    grossMinor: record.grossMinor.toString(),
    feeMinor: record.feeMinor === null ? null : record.feeMinor.toString(),
    netMinor: record.feeMinor === null ? null : bookedNetOf(record).toString(),
    status: record.status,
    at: record.bookedAt,
  };
}
