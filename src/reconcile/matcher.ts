import { formatAmount } from '../money/index.js';
import { type InternalRecord, type ReconClass, classifyPair } from './classes.js';
import type { InternalRecords } from './records.js';
import type { ReconStore } from './store.js';
import type { SettlementRow } from './types.js';

/** Where a row stands after matching: its class, the record it was paired with or probably belongs to. */
export interface Classification {
  class: ReconClass;
  /** True when the row found its record (matched, or a mismatch of the pair). */
  paired: boolean;
  /** The paired record, or the one the row probably belongs to (missing_internal). */
  record: InternalRecord | undefined;
  amountMinor: bigint;
  /** One sentence for the review: why this class. */
  why: string;
  /** For a duplicate: the row it repeats. */
  originalRowId?: bigint;
}

/** What a chunk of rows needs from the database, fetched in two queries rather than two per row. */
export interface ChunkLookups {
  /** `type\0reference` → the first row already stored with it. */
  originals: Map<string, bigint>;
  orders: Map<string, InternalRecord & { psp: string }>;
}

export function referenceKey(type: string, reference: string): string {
  return `${type}\u0000${reference}`;
}

/**
 * Pairs settlement rows with payops' records: by the PSP's reference first, then by the merchant
 * reference (our order id); then classifies the pair. A row whose PSP reference was reported
 * before is a duplicate, whatever else it says.
 */
export class Matcher {
  constructor(
    private readonly records: InternalRecords,
    private readonly store: ReconStore,
    private readonly psp: string,
  ) {}

  lookups(rows: readonly SettlementRow[]): ChunkLookups {
    const references = new Set<string>();
    const orderIds = new Set<string>();
    for (const row of rows) {
      if (row.pspReference !== null) references.add(row.pspReference);
      if (row.merchantReference !== null) orderIds.add(row.merchantReference);
    }
    return {
      originals: this.store.originalRows(this.psp, [...references]),
      orders: this.records.ordersByIds([...orderIds]),
    };
  }

  /**
   * Classifies one row. `defer` (during import) postpones a capture whose merchant reference does
   * not lead to its order: its PSP reference is looked up with all the others in one pass later.
   * `selfId` is the row's own id when it is already stored (re-evaluation), so it is not its own duplicate.
   */
  classify(
    row: SettlementRow,
    lookups: ChunkLookups,
    options: {
      defer: boolean;
      selfId?: bigint;
      orderByReference?: (reference: string) => InternalRecord | undefined;
    },
  ): Classification | 'defer' {
    if (row.pspReference !== null) {
      const originalRowId = lookups.originals.get(referenceKey(row.type, row.pspReference));
      if (originalRowId !== undefined && originalRowId !== options.selfId) {
        return {
          class: 'duplicate',
          paired: false,
          record: undefined,
          amountMinor: row.grossMinor,
          why: `the PSP reported ${row.type} ${row.pspReference} before`,
          originalRowId,
        };
      }
    }
    const probable =
      row.merchantReference === null ? undefined : lookups.orders.get(row.merchantReference);
    switch (row.type) {
      case 'payout':
        // Its class is its batch's: settled by batch evaluation once every row of the batch is in.
        return {
          class: 'matched',
          paired: false,
          record: undefined,
          amountMinor: row.grossMinor,
          why: 'the payout of its batch',
        };
      case 'fee':
        return {
          class: 'matched',
          paired: false,
          record: undefined,
          amountMinor: row.grossMinor,
          why: 'a PSP fee not tied to one payment: booked as a PSP fee',
        };
      case 'capture': {
        if (probable && probable.psp === this.psp) {
          const samePayment =
            probable.pspReference === row.pspReference && row.pspReference !== null;
          if (
            samePayment ||
            (probable.pspReference === null && this.records.takeOrder(probable.id))
          )
            return this.pair(row, probable);
        }
        if (row.pspReference !== null) {
          if (options.defer) {
            this.records.wantOrderByReference(row.pspReference);
            return 'defer';
          }
          const byReference = options.orderByReference?.(row.pspReference);
          if (byReference) return this.pair(row, byReference);
        }
        return this.missing(row, probable);
      }
      case 'refund': {
        const record = this.records.takeRefund(
          row.pspReference,
          row.merchantReference,
          row.grossMinor,
        );
        return record ? this.pair(row, record) : this.missing(row, probable);
      }
      case 'chargeback': {
        const record = this.records.takeChargeback(row.pspReference, row.merchantReference);
        return record ? this.pair(row, record) : this.missing(row, probable);
      }
      case 'chargeback_reversal':
      case 'adjustment':
        return this.missing(
          row,
          probable,
          `payops keeps no record of a PSP ${row.type.replace('_', ' ')}`,
        );
    }
  }

  /** A row against the record it is already paired with (re-evaluation): only the pair's class can change. */
  classifyWith(row: SettlementRow, record: InternalRecord): Classification {
    return this.pair(row, record);
  }

  private pair(row: SettlementRow, record: InternalRecord): Classification {
    const paired = classifyPair(row, record);
    return {
      class: paired.class,
      paired: true,
      record,
      amountMinor: paired.amountMinor,
      why: whyOf(paired.class, row, record),
    };
  }

  private missing(
    row: SettlementRow,
    probable: InternalRecord | undefined,
    why?: string,
  ): Classification {
    const probably = probable
      ? `; it probably belongs to order ${probable.id} (${probable.status})`
      : row.merchantReference
        ? `; payops has no order ${row.merchantReference}`
        : '';
    return {
      class: 'missing_internal',
      paired: false,
      record: probable,
      amountMinor: row.grossMinor,
      why: `${why ?? `payops has no ${row.type} ${row.pspReference ?? `at line ${row.line}`}`}${probably}`,
    };
  }
}

function whyOf(rowClass: ReconClass, row: SettlementRow, record: InternalRecord): string {
  const money = (minor: bigint) => `${formatAmount(minor, row.currency)} ${row.currency}`;
  switch (rowClass) {
    case 'status_mismatch':
      return `payops has ${record.kind} ${record.id} as ${record.status}; the PSP settled it`;
    case 'currency_mismatch':
      return `payops booked ${record.kind} ${record.id} in ${record.currency}; the PSP settled it in ${row.currency}`;
    case 'amount_mismatch':
      return `the PSP settled ${money(row.grossMinor)}; payops booked ${money(record.grossMinor)} (difference ${money(row.grossMinor - record.grossMinor)})`;
    case 'fee_mismatch':
      return `the PSP charged a fee of ${money(row.feeMinor)}; payops booked ${money(record.feeMinor ?? 0n)}`;
    default:
      return `the PSP settled ${record.kind} ${record.id} as payops booked it`;
  }
}
