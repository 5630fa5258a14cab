import { InputError, assert } from '../errors.js';
import type { Ledger } from '../ledger/index.js';
import { type Currency, MAX_SUM_MINOR, formatAmount } from '../money/index.js';
import {
  type ItemClass,
  type ReconClass,
  CLASSES,
  duplicateSubject,
  internalRef,
  rowSubject,
} from './classes.js';
import { type DecisionStores, Decisions } from './decide.js';
import { Items, sideOfRecord, sideOfRow, sideOfStoredRow } from './items.js';
import { type Classification, Matcher, referenceKey } from './matcher.js';
import type { InternalRecords } from './records.js';
import { rulesJson } from './rules.js';
import { Settlements } from './settle.js';
import {
  type BatchDelta,
  type BatchRecord,
  type ItemRecord,
  type ReconStore,
  type RowWriter,
  emptyBatchDelta,
} from './store.js';
import {
  type Bridge,
  type ClassLine,
  ClassCurrencyTally,
  type RuleAction,
  type RunSummary,
  bridgeOf,
  moneyLines,
} from './summary.js';
import type { RunOptions, SettlementInput } from './settlement-import-store.js';
import type { SettlementRow } from './types.js';

const CHUNK = 2_000;
const DAY_MS = 86_400_000;

/**
 * Pure: what a record booked at `bookedAt` and not reported by a file whose last row is at
 * `periodEnd` is: pending while the PSP is inside its grace period (whole days between the two
 * dates), missing_external after; and why, in the item's words.
 */
export function expectationOf(
  bookedAt: string,
  periodEnd: string,
  graceDays: number,
): { recordClass: 'pending' | 'missing_external'; why: string } {
  const ageDays = Math.floor(
    (Date.parse(periodEnd.slice(0, 10)) - Date.parse(bookedAt.slice(0, 10))) / DAY_MS,
  );
  if (ageDays < graceDays)
    return {
      recordClass: 'pending',
      why: `booked ${bookedAt.slice(0, 10)}; the PSP has ${graceDays - ageDays} more day(s) to report it`,
    };
  return {
    recordClass: 'missing_external',
    why: `booked ${bookedAt.slice(0, 10)}, ${ageDays} day(s) before the file's last day; the PSP has not reported it`,
  };
}

/**
 * The stores a run works with besides the import's ReconStore, built from the file's connection by
 * the SQLite side (src/reconcile/sqlite-recon-stores.ts).
 */
export interface RunStores {
  /** For the run's `Decisions` (its rules and the records it classifies against). */
  readonly decisions: DecisionStores;
  readonly ledger: Ledger;
  /** Writes the run's rows in multi-row INSERTs. */
  rowWriter(runId: bigint, psp: string): RowWriter;
}

/**
 * The body of `reconcile run`'s unit of work on SQLite (src/reconcile/sqlite-settlement-import-store.ts
 * runs it inside the file's one transaction): its rows are stored normalized and matched in chunks
 * (memory stays flat), records payops expected and nobody reported are classified, matched rows are
 * settled by batch, and the run's summary is kept. Classification and storage are still interleaved
 * here, each step calling today's synchronous stores.
 */
export class RunSession {
  readonly runId: bigint;
  readonly decisions: Decisions;
  readonly records: InternalRecords;
  private readonly matcher: Matcher;
  private readonly ledger: Ledger;
  private readonly items: Items;
  private readonly settlements: Settlements;
  private readonly rowWriter: RowWriter;
  private readonly at: string;
  private readonly psp: string;
  private readonly batchDeltas = new Map<string, BatchDelta>();
  /** Each batch of this run as stored before it (undefined: new), whose sums the run's rows add to. */
  private readonly batchBases = new Map<string, BatchRecord | undefined>();
  /** Batches whose settlements or payout this run may have changed. */
  private readonly touched = new Map<string, { batchId: string; currency: Currency }>();
  /** Items about records (pending, missing_external), whatever their status, by internal reference. */
  private readonly recordItems: Map<string, ItemRecord>;
  private firstRowId: bigint | null = null;
  private lastRowId: bigint | null = null;
  private rowsRead = 0;
  private periodEnd: string | null = null;
  private readonly quietPending = {
    count: 0,
    money: new Map<Currency, bigint>(),
    countByCurrency: new Map<Currency, number>(),
  };

  constructor(
    stores: RunStores,
    private readonly store: ReconStore,
    private readonly input: SettlementInput,
    private readonly options: RunOptions,
  ) {
    this.psp = options.psp;
    this.at = new Date(options.clock()).toISOString();
    this.runId = store.insertRun({
      psp: this.psp,
      fileSha256: input.sha256,
      fileName: input.name,
      fileBytes: input.bytes,
      format: input.format,
      graceDays: options.rules.graceDays,
      rules: JSON.stringify(rulesJson(options.rules)),
      runBy: options.by,
      at: this.at,
    });
    this.decisions = new Decisions(stores.decisions, {
      clock: options.clock,
      by: options.by,
      runId: this.runId,
      dryRun: options.dryRun,
    });
    this.records = this.decisions.records(this.psp);
    this.records.prepareCandidates();
    this.matcher = new Matcher(this.records, store, this.psp);
    this.ledger = stores.ledger;
    this.items = new Items(store, this.psp, this.runId, this.at);
    this.settlements = new Settlements(
      store,
      this.ledger,
      this.psp,
      this.runId,
      input.sha256,
      this.at,
    );
    this.rowWriter = stores.rowWriter(this.runId, this.psp);
    this.recordItems = new Map(
      store.recordItems(this.psp).map((item) => [item.internalRef as string, item]),
    );
  }

  get rowCount(): number {
    return this.rowsRead;
  }

  async importRows(): Promise<void> {
    let chunk: SettlementRow[] = [];
    for await (const row of this.input.rows) {
      chunk.push(row);
      if (chunk.length === CHUNK) {
        this.importChunk(chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) this.importChunk(chunk);
  }

  private importChunk(chunk: readonly SettlementRow[]): void {
    const lookups = this.matcher.lookups(chunk);
    for (const row of chunk) {
      const id = this.store.allocateRowId();
      this.firstRowId ??= id;
      this.lastRowId = id;
      this.rowsRead++;
      if (this.periodEnd === null || row.occurredAt > this.periodEnd)
        this.periodEnd = row.occurredAt;
      const classification = this.matcher.classify(row, lookups, { defer: true });
      // A payout listed twice is one payout: the repeat is a duplicate, not money for the bank.
      if (
        !(
          row.type === 'payout' &&
          classification !== 'defer' &&
          classification.class === 'duplicate'
        )
      )
        this.addToBatch(row, id);
      if (classification === 'defer') {
        this.rowWriter.add(id, row, 'unclassified', false, null, null, null, null);
      } else {
        this.writeRow(id, row, classification, false);
      }
      if (row.pspReference !== null) {
        const key = referenceKey(row.type, row.pspReference);
        if (!lookups.originals.has(key)) lookups.originals.set(key, id);
      }
    }
    this.rowWriter.flush();
    this.options.onRows?.(chunk.length);
  }

  /** Captures whose merchant reference did not lead to their order, looked up by PSP reference in one pass. */
  classifyDeferred(): void {
    if (this.firstRowId === null) return;
    this.records.resolveWantedReferences();
    let afterId = this.firstRowId - 1n;
    for (;;) {
      const ids = this.store.unclassifiedRowIds(this.runId, afterId);
      if (ids.length === 0) return;
      const rows = ids.map((id) => this.store.row(id)).filter((row) => row !== undefined);
      const lookups = this.matcher.lookups(rows);
      for (const row of rows) {
        const classification = this.matcher.classify(row, lookups, {
          defer: false,
          selfId: row.id,
          orderByReference: (reference) => this.records.orderByWantedReference(reference),
        });
        assert(classification !== 'defer', 'a deferred row is classified without deferring again');
        this.writeRow(row.id, row, classification, true);
      }
      afterId = ids[ids.length - 1] as bigint;
    }
  }

  /**
   * Writes a classified row: a matched row's fee (if payops had none) and its settlement; any
   * other class an item. A row that pairs with a record closes the record's own open item, and
   * undoes an earlier decision that took the record out of the books (a late settlement).
   */
  private writeRow(id: bigint, row: SettlementRow, given: Classification, stored: boolean): void {
    let classification = given;
    const ref =
      classification.paired && classification.record
        ? internalRef(classification.record.kind, classification.record.id)
        : null;
    const recordItem = ref === null ? undefined : this.recordItems.get(ref);
    if (
      ref !== null &&
      recordItem?.status === 'resolved' &&
      recordItem.resolution?.startsWith('linked to batch')
    ) {
      classification = {
        class: 'duplicate',
        paired: false,
        record: undefined,
        amountMinor: row.grossMinor,
        why: `${ref} was settled in ${recordItem.resolution.slice('linked to '.length).split(':')[0]} by a decision`,
      };
    }
    const paired = classification.paired;
    // First, before the row's own item: a row whose reference is its record's id (a chargeback's
    // dispute id, a PSP that uses the order id) has the record's subject, so its item is the
    // record's item, which must be settled (or its decision written back) before the row takes it over.
    if (paired && ref !== null)
      this.settleRecordItem(ref, `${this.input.name}:${row.line}`, classification.class);
    let itemId: bigint | null = null;
    let settlementId: bigint | null = null;
    let feeRunId: bigint | null = null;
    if (classification.class === 'matched') {
      if (row.type !== 'payout') {
        const unbookedFee =
          row.type === 'fee' ||
          (classification.record !== undefined && classification.record.feeMinor === null)
            ? row.feeMinor
            : 0n;
        if (unbookedFee !== 0n) {
          this.settlements.bookFee(row.currency, unbookedFee);
          feeRunId = this.runId;
        }
        settlementId = this.settlements.matchedRow(row.batchId, row.currency, row.netMinor);
      }
    } else {
      const record = classification.record;
      itemId = this.items.upsert({
        subject:
          classification.class === 'duplicate'
            ? duplicateSubject(this.input.sha256, row.line)
            : rowSubject(row, this.input.sha256),
        class: classification.class as ItemClass,
        rowId: id,
        internalRef: paired ? ref : null,
        probableRef: !paired && record ? internalRef(record.kind, record.id) : null,
        batchId: row.batchId,
        currency: row.currency,
        amountMinor: classification.amountMinor,
        detail: {
          ours: record
            ? sideOfRecord({ ...record, bookedAt: this.records.bookedAt(record.kind, record.id) })
            : null,
          theirs: sideOfRow(row, `${this.input.name}:${row.line}`),
          why: classification.why,
        },
      }).id;
    }
    if (stored) {
      this.store.classifyRow(id, classification.class, paired, paired ? ref : null, itemId);
      if (settlementId !== null) this.store.settleRow(id, settlementId);
      if (feeRunId !== null) this.store.bookRowFee(id, feeRunId);
    } else {
      this.rowWriter.add(
        id,
        row,
        classification.class,
        paired,
        paired ? ref : null,
        itemId,
        feeRunId,
        settlementId,
      );
    }
  }

  /** A record reported at last: its open item closes, and an earlier decision on it is written back. */
  private settleRecordItem(ref: string, source: string, rowClass: ReconClass): void {
    const recordItem = this.recordItems.get(ref);
    if (!recordItem) return;
    if (recordItem.status === 'open') {
      this.items.resolve(
        recordItem,
        `settled: reported by ${source}${rowClass === 'matched' ? '' : ` (now ${rowClass})`}`,
        this.options.by,
      );
      this.recordItems.set(ref, { ...recordItem, status: 'resolved' });
    } else {
      this.decisions.writeBackIfResolved(this.psp, ref, source, this.runId);
    }
  }

  /**
   * Open mismatches of earlier files are looked at again: the order may have been completed
   * since, or the missing record booked. One that now matches closes by itself and is settled.
   */
  reevaluateOpenRows(): void {
    const open = this.store
      .openItems(this.psp)
      .filter(
        (item) =>
          item.rowId !== null &&
          item.class !== 'duplicate' &&
          item.class !== 'batch_total_mismatch',
      );
    const rows = open
      .map((item) => ({ item, row: this.store.row(item.rowId as bigint) }))
      .filter((entry) => entry.row !== undefined && entry.row.runId !== this.runId);
    for (const { row } of rows)
      if (row?.pspReference && row.type === 'capture')
        this.records.wantOrderByReference(row.pspReference);
    if (rows.length > 0) this.records.resolveWantedReferences();
    for (const { item, row } of rows) {
      if (!row) continue;
      const lookups = this.matcher.lookups([row]);
      const record = item.internalRef === null ? undefined : this.records.byRef(item.internalRef);
      const classification = record
        ? this.matcher.classifyWith(row, record)
        : this.matcher.classify(row, lookups, {
            defer: false,
            selfId: row.id,
            orderByReference: (reference) => this.records.orderByWantedReference(reference),
          });
      assert(classification !== 'defer', 'a re-evaluated row is classified at once');
      const source = `${row.fileName}:${row.line}`;
      if (classification.class === 'matched') {
        const ref = classification.record
          ? internalRef(classification.record.kind, classification.record.id)
          : null;
        this.store.classifyRow(row.id, 'matched', classification.paired, ref, item.id);
        if (classification.record?.feeMinor === null && row.feeMinor !== 0n) {
          this.settlements.bookFee(row.currency, row.feeMinor);
          this.store.bookRowFee(row.id, this.runId);
        }
        this.items.resolve(
          item,
          `settled: matches ${ref ?? 'its record'} since this run`,
          this.options.by,
        );
        if (row.batchId !== null && row.settlementId === null) {
          const { settlementId } = this.settlements.settleOne(
            'row',
            row.batchId,
            row.currency,
            row.netMinor,
            item.id,
            `${row.type} ${row.pspReference ?? `line ${row.line}`}, matched late`,
          );
          this.store.settleRow(row.id, settlementId);
          this.touch(row.batchId, row.currency);
        }
        if (ref !== null) this.settleRecordItem(ref, source, 'matched');
        continue;
      }
      const ref =
        classification.paired && classification.record
          ? internalRef(classification.record.kind, classification.record.id)
          : null;
      const probable =
        !classification.paired && classification.record ? classification.record : undefined;
      this.items.upsert({
        subject: item.subject,
        class: classification.class as ItemClass,
        rowId: row.id,
        internalRef: ref,
        probableRef: probable ? internalRef(probable.kind, probable.id) : null,
        batchId: row.batchId,
        currency: row.currency,
        amountMinor: classification.amountMinor,
        detail: {
          ours: classification.record
            ? sideOfRecord({
                ...classification.record,
                bookedAt: this.records.bookedAt(
                  classification.record.kind,
                  classification.record.id,
                ),
              })
            : null,
          theirs: sideOfStoredRow(row),
          why: classification.why,
        },
      });
      this.store.classifyRow(row.id, classification.class, classification.paired, ref, item.id);
      if (ref !== null) this.settleRecordItem(ref, source, classification.class);
    }
  }

  /**
   * Records payops booked up to the end of the file's period that no row has claimed: pending
   * while inside the grace period (counted quietly, or an item when rules say so), then
   * missing_external. A record resolved by a decision is not expected again.
   */
  expectRecords(): void {
    if (this.periodEnd === null) return;
    for (const record of this.records.unsettled()) {
      const bookedAt = record.bookedAt ?? this.at;
      if (bookedAt > this.periodEnd) continue;
      const ref = internalRef(record.kind, record.id);
      const existing = this.recordItems.get(ref);
      if (existing?.status === 'resolved') continue;
      const { recordClass, why } = expectationOf(
        bookedAt,
        this.periodEnd,
        this.options.rules.graceDays,
      );
      if (recordClass === 'pending' && this.options.rules.quietPending && existing === undefined) {
        this.quietPending.count++;
        this.quietPending.money.set(
          record.currency,
          (this.quietPending.money.get(record.currency) ?? 0n) + record.grossMinor,
        );
        this.quietPending.countByCurrency.set(
          record.currency,
          (this.quietPending.countByCurrency.get(record.currency) ?? 0) + 1,
        );
        continue;
      }
      const { id } = this.items.upsert({
        subject: ref,
        class: recordClass,
        rowId: null,
        internalRef: ref,
        probableRef: null,
        batchId: null,
        currency: record.currency,
        amountMinor: record.grossMinor,
        detail: { ours: sideOfRecord(record), theirs: null, why },
      });
      this.recordItems.set(ref, { ...(this.store.itemById(id) as ItemRecord) });
    }
  }

  /** Batches with rows in this run: sums added, settlements posted once the payout is known, judged. */
  settleBatches(): void {
    for (const delta of this.batchDeltas.values()) this.store.addBatch(this.psp, this.runId, delta);
    this.settlements.finishRun(this.periodEnd ?? this.at);
    for (const { batchId, currency } of this.touched.values()) {
      this.settlements.postReady(batchId, currency);
      this.settlements.evaluateBatch(this.items, batchId, currency, this.options.by);
    }
  }

  finish(actions: RuleAction[]): RunSummary {
    this.items.recordOpenAtEnd();
    const summary = this.summarize(actions);
    this.store.finishRun(
      this.runId,
      this.rowsRead,
      this.input.rejectedCount(),
      this.periodEnd,
      new Date(this.options.clock()).toISOString(),
      JSON.stringify(summary),
    );
    return summary;
  }

  private summarize(actions: RuleAction[]): RunSummary {
    const lines = new Map<
      ReconClass,
      { rows: number; records: number; money: Map<Currency, bigint> }
    >();
    const line = (rowClass: ReconClass) => {
      let entry = lines.get(rowClass);
      if (!entry) {
        entry = { rows: 0, records: 0, money: new Map() };
        lines.set(rowClass, entry);
      }
      return entry;
    };
    const add = (money: Map<Currency, bigint>, currency: Currency, minor: bigint) =>
      money.set(currency, (money.get(currency) ?? 0n) + minor);
    const byCurrency = new ClassCurrencyTally();
    if (this.firstRowId !== null && this.lastRowId !== null) {
      for (const row of this.store.rowTallies(this.firstRowId, this.lastRowId)) {
        const entry = line(row.class);
        entry.rows += row.count;
        if (row.paired) entry.records += row.count;
        // A payout row's money is its batch's, shown in the bridge.
        const grossMinor = row.class === 'matched' && !row.payout ? row.grossMinor : 0n;
        if (row.class === 'matched' && !row.payout) add(entry.money, row.currency, grossMinor);
        byCurrency.add(row.class, row.currency, {
          rows: row.count,
          records: row.paired ? row.count : 0,
          amountMinor: grossMinor,
        });
      }
      for (const row of this.store.rowItemMoney(this.firstRowId, this.lastRowId)) {
        add(line(row.class).money, row.currency, row.amountMinor);
        byCurrency.add(row.class, row.currency, { amountMinor: row.amountMinor });
      }
    }
    for (const item of this.store.recordItemsOfRun(this.runId)) {
      const entry = line(item.class);
      entry.records++;
      add(entry.money, item.currency, item.amountMinor);
      byCurrency.add(item.class, item.currency, { records: 1, amountMinor: item.amountMinor });
    }
    if (this.quietPending.count > 0) {
      const entry = line('pending');
      entry.records += this.quietPending.count;
      for (const [currency, minor] of this.quietPending.money) {
        add(entry.money, currency, minor);
        byCurrency.add('pending', currency, {
          records: this.quietPending.countByCurrency.get(currency) ?? 0,
          amountMinor: minor,
        });
      }
    }
    const classes: ClassLine[] = CLASSES.filter((rowClass) => lines.has(rowClass)).map(
      (rowClass) => {
        const entry = lines.get(rowClass) as {
          rows: number;
          records: number;
          money: Map<Currency, bigint>;
        };
        return {
          class: rowClass,
          rows: entry.rows,
          records: entry.records,
          money: moneyLines(entry.money),
        };
      },
    );
    const open = new Map<ItemClass, { count: number; money: Map<Currency, bigint> }>();
    for (const item of this.store.openItems(this.psp)) {
      if (item.class === 'pending' && this.options.rules.quietPending) continue;
      const entry = open.get(item.class) ?? { count: 0, money: new Map() };
      entry.count++;
      add(entry.money, item.currency, item.amountMinor);
      open.set(item.class, entry);
    }
    const batches: Bridge[] = [...this.touched.values()].map(({ batchId, currency }) =>
      bridgeOf(this.store, this.psp, batchId, currency),
    );
    return {
      runId: this.runId.toString(),
      psp: this.psp,
      file: {
        name: this.input.name,
        sha256: this.input.sha256,
        format: this.input.format,
        bytes: this.input.bytes,
        rowsRead: this.rowsRead,
        rowsRejected: this.input.rejectedCount(),
      },
      periodEnd: this.periodEnd,
      graceDays: this.options.rules.graceDays,
      quietPending: this.options.rules.quietPending,
      quietPendingByCurrency: [...this.quietPending.money]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([currency, minor]) => ({
          currency,
          records: this.quietPending.countByCurrency.get(currency) ?? 0,
          amountMinor: minor.toString(),
        })),
      classes,
      byCurrency: byCurrency.sorted(CLASSES),
      life: this.store.lifeOfRun(this.runId),
      open: [...open].map(([openClass, entry]) => ({
        class: openClass,
        rows: entry.count,
        records: 0,
        money: moneyLines(entry.money),
      })),
      openCount: [...open.values()].reduce((sum, entry) => sum + entry.count, 0),
      batches,
      rules: actions,
    };
  }

  private addToBatch(row: SettlementRow, rowId: bigint): void {
    if (row.batchId === null) return;
    const key = `${row.batchId}\u0000${row.currency}`;
    let delta = this.batchDeltas.get(key);
    if (!delta) {
      delta = emptyBatchDelta(row.batchId, row.currency);
      this.batchDeltas.set(key, delta);
      this.batchBases.set(key, this.store.batch(this.psp, row.batchId, row.currency));
    }
    this.touch(row.batchId, row.currency);
    if (row.type === 'payout') {
      delta.payoutRows++;
      delta.payoutMinor -= row.netMinor;
      delta.payoutRowId ??= rowId;
    } else {
      delta.rowCount++;
      if (row.type === 'capture') delta.capturesMinor += row.grossMinor;
      else if (row.type === 'refund') delta.refundsMinor += row.grossMinor;
      else if (row.type === 'chargeback') delta.chargebacksMinor += row.grossMinor;
      else delta.otherMinor += row.grossMinor;
      delta.feesMinor += row.feeMinor;
      delta.rowsNetMinor += row.netMinor;
    }
    this.checkBatchSums(row, delta, this.batchBases.get(key));
  }

  /**
   * A batch's stored sums (this run's rows added to earlier runs') stay within MAX_SUM_MINOR, so
   * they, their bridge and its difference fit in 64 bits. A file that passes it is refused whole:
   * its amounts are not a real settlement.
   */
  private checkBatchSums(
    row: SettlementRow,
    delta: BatchDelta,
    base: BatchRecord | undefined,
  ): void {
    const sums: [string, string, bigint][] = [
      ['gross', 'captures', delta.capturesMinor + (base?.capturesMinor ?? 0n)],
      ['gross', 'refunds', delta.refundsMinor + (base?.refundsMinor ?? 0n)],
      ['gross', 'chargebacks', delta.chargebacksMinor + (base?.chargebacksMinor ?? 0n)],
      ['gross', 'adjustments', delta.otherMinor + (base?.otherMinor ?? 0n)],
      ['fee', 'fees', delta.feesMinor + (base?.feesMinor ?? 0n)],
      ['net', 'net', delta.rowsNetMinor + (base?.rowsNetMinor ?? 0n)],
      ['net', 'payouts', delta.payoutMinor + (base?.payoutMinor ?? 0n)],
    ];
    for (const [field, what, totalMinor] of sums) {
      if (totalMinor <= MAX_SUM_MINOR && totalMinor >= -MAX_SUM_MINOR) continue;
      const amount = (minor: bigint) => `${formatAmount(minor, row.currency)} ${row.currency}`;
      throw new InputError(
        `${this.input.name}:${row.line} ${field}: the ${what} of batch ${row.batchId} in ${row.currency} would total ${amount(totalMinor)}, ` +
          `more than a batch may sum to (${amount(MAX_SUM_MINOR)}); nothing was imported`,
        {
          hint: 'no PSP settles that much in one batch: check the amounts of the file (and its currency) with its sender',
        },
      );
    }
  }

  private touch(batchId: string, currency: Currency): void {
    this.touched.set(`${batchId}\u0000${currency}`, { batchId, currency });
  }
}
