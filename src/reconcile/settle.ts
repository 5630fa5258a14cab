import { assert } from '../errors.js';
import type { Ledger } from '../ledger/index.js';
import { type Currency, formatMoney, money } from '../money/index.js';
import { settlementPspFeesTransaction, settlementTransaction } from '../postings/index.js';
import { batchSubject } from './classes.js';
import type { Items } from './items.js';
import type { BatchRecord, ReconStore, SettlementRecord } from './store.js';

function batchKey(batchId: string, currency: Currency): string {
  return `${batchId}\u0000${currency}`;
}

/**
 * Moves money from the PSP receivable into transit to the bank (assets:bank:in-transit:<psp>, until
 * a bank statement shows it arrived), by payout batch, exactly once per row:
 * - the matched rows of a run go together, one settlement per batch and run;
 * - a row matched or accepted later, or a record found to be in a batch, gets one of its own;
 * - a batch residual is posted by the decision that accepts or writes it off.
 * A settlement waits until its batch's payout row is known (the bank has not received anything
 * before that) and is then posted, effective when the payout was made. Each row points at the
 * settlement that moved it, so `payops check` can prove every settlement posts its rows' net.
 */
export class Settlements {
  private readonly runSettlements = new Map<
    string,
    { id: bigint; netMinor: bigint; rows: number }
  >();
  private readonly runFees = new Map<Currency, bigint>();

  constructor(
    private readonly store: ReconStore,
    private readonly ledger: Ledger,
    private readonly psp: string,
    private readonly runId: bigint | null,
    private readonly fileSha256: string | null,
    private readonly at: string,
  ) {}

  /** A row matched during its run: its net joins the run's settlement of its batch. Null without a batch. */
  matchedRow(batchId: string | null, currency: Currency, netMinor: bigint): bigint | null {
    if (batchId === null) return null;
    assert(this.runId !== null, 'matched rows are settled by a run');
    const key = batchKey(batchId, currency);
    let settlement = this.runSettlements.get(key);
    if (!settlement) {
      const id = this.store.insertSettlement({
        psp: this.psp,
        batchId,
        currency,
        kind: 'rows',
        runId: this.runId,
        itemId: null,
        netMinor: 0n,
        at: this.at,
      });
      settlement = { id, netMinor: 0n, rows: 0 };
      this.runSettlements.set(key, settlement);
    }
    settlement.netMinor += netMinor;
    settlement.rows++;
    return settlement.id;
  }

  /** A PSP fee payops had not booked, from a matched row: booked with the run's fees. */
  bookFee(currency: Currency, feeMinor: bigint): void {
    this.runFees.set(currency, (this.runFees.get(currency) ?? 0n) + feeMinor);
  }

  /**
   * A single row or record settled after its run (a late match, an accepted mismatch, a record
   * found in a batch): its own settlement, posted at once if the batch's payout is known.
   */
  settleOne(
    kind: 'row' | 'record',
    batchId: string,
    currency: Currency,
    netMinor: bigint,
    itemRowId: bigint | null,
    label: string,
  ): { settlementId: bigint; txId: number | null } {
    const settlementId = this.store.insertSettlement({
      psp: this.psp,
      batchId,
      currency,
      kind,
      runId: this.runId,
      itemId: itemRowId,
      netMinor,
      at: this.at,
    });
    const batch = this.store.batch(this.psp, batchId, currency);
    const txId =
      batch?.payoutMinor != null
        ? this.post({ id: settlementId, kind, batchId, currency, netMinor }, batch, label)
        : null;
    return { settlementId, txId };
  }

  /** A batch residual: posted by its decision's own transaction (`txId`), recorded here so the batch sums. */
  recordResidual(
    batchId: string,
    currency: Currency,
    netMinor: bigint,
    itemRowId: bigint,
    txId: number,
  ): void {
    const settlementId = this.store.insertSettlement({
      psp: this.psp,
      batchId,
      currency,
      kind: 'residual',
      runId: this.runId,
      itemId: itemRowId,
      netMinor,
      at: this.at,
    });
    this.store.markSettlementPosted(settlementId, txId, this.at);
  }

  /** End of a run: the nets of its settlements written, and the run's unbooked PSP fees posted. */
  finishRun(feesEffectiveAt: string): void {
    assert(this.runId !== null && this.fileSha256 !== null, 'only a run finishes');
    for (const settlement of this.runSettlements.values())
      this.store.addToSettlement(settlement.id, settlement.netMinor);
    for (const [currency, feeMinor] of this.runFees) {
      if (feeMinor === 0n) continue;
      const run = { psp: this.psp, runId: this.runId, fileSha256: this.fileSha256 };
      this.ledger.post(settlementPspFeesTransaction(run, currency, feeMinor, feesEffectiveAt));
    }
  }

  /** Posts every settlement of a batch still waiting, if the batch's payout is known. */
  postReady(batchId: string, currency: Currency): void {
    const batch = this.store.batch(this.psp, batchId, currency);
    if (!batch || batch.payoutMinor === null) return;
    for (const settlement of this.store.unpostedSettlements(this.psp, batchId, currency)) {
      const rows = this.runSettlements.get(batchKey(batchId, currency));
      const label =
        settlement.kind === 'rows'
          ? `${rows?.rows ?? 'the'} matched rows`
          : `settlement ${settlement.id}`;
      this.post(settlement, batch, label);
    }
  }

  private post(
    settlement: Pick<SettlementRecord, 'id' | 'kind' | 'batchId' | 'currency' | 'netMinor'>,
    batch: BatchRecord,
    label: string,
  ): number | null {
    const effectiveAt = this.payoutTime(batch);
    if (settlement.netMinor === 0n) {
      this.store.markSettlementPosted(settlement.id, null, this.at);
      return null;
    }
    const result = this.ledger.post(
      settlementTransaction(this.psp, settlement, label, effectiveAt),
    );
    this.store.markSettlementPosted(settlement.id, result.txId, this.at);
    return result.txId;
  }

  private payoutTime(batch: BatchRecord): string {
    const payoutRow = batch.payoutRowId === null ? undefined : this.store.row(batch.payoutRowId);
    return payoutRow?.occurredAt ?? this.at;
  }

  /**
   * Decides where a batch stands once its rows (or a decision) changed it. Known only with its
   * payout row. The batch is an item (batch_total_mismatch) while its rows do not add up to the
   * payout, or while nothing else is open and the books still do not hold exactly the payout; it
   * closes by itself when no row of it is open and the books hold exactly what the bank received.
   */
  evaluateBatch(items: Items, batchId: string, currency: Currency, by: string): void {
    const batch = this.store.batch(this.psp, batchId, currency);
    if (!batch || batch.payoutMinor === null || batch.payoutRowId === null) return;
    const payoutMinor = batch.payoutMinor;
    const openRowItems = this.store.openRowItemsOfBatch(this.psp, batchId, currency);
    const settledMinor = this.store.settledOfBatch(this.psp, batchId, currency);
    const subject = batchSubject(batchId, currency);
    const existing = this.store.item(items.itemIdOf(subject));
    const payoutRowId = batch.payoutRowId;
    if (openRowItems === 0 && settledMinor === payoutMinor) {
      if (existing?.status === 'open')
        items.resolve(existing, 'settled: the books hold exactly the payout', by);
      this.store.classifyRow(payoutRowId, 'matched', false, null, existing?.id ?? null);
      return;
    }
    const rowsAddUp = batch.rowsNetMinor === payoutMinor;
    if (rowsAddUp && openRowItems > 0) {
      // The open rows explain the gap; the batch is judged once they are resolved.
      if (existing?.status !== 'open')
        this.store.classifyRow(payoutRowId, 'matched', false, null, null);
      return;
    }
    const residualMinor = payoutMinor - (openRowItems === 0 ? settledMinor : batch.rowsNetMinor);
    const why =
      openRowItems === 0
        ? `the books moved ${formatMoney(money(settledMinor, currency))} to the bank for this batch; the PSP paid ${formatMoney(money(payoutMinor, currency))}`
        : `the batch's rows add up to ${formatMoney(money(batch.rowsNetMinor, currency))}; the PSP paid ${formatMoney(money(payoutMinor, currency))}`;
    const { id } = items.upsert(
      {
        subject,
        class: 'batch_total_mismatch',
        rowId: payoutRowId,
        internalRef: null,
        probableRef: null,
        batchId,
        currency,
        amountMinor: residualMinor,
        detail: {
          ours: null,
          theirs: null,
          batch: {
            batchId,
            currency,
            payoutMinor: payoutMinor.toString(),
            rowsNetMinor: batch.rowsNetMinor.toString(),
            settledMinor: settledMinor.toString(),
            openRowItems,
          },
          why,
        },
      },
      batch.firstRunId,
    );
    this.store.classifyRow(payoutRowId, 'batch_total_mismatch', false, null, id);
  }
}
