import { InputError, NotFoundError, UsageError, assert } from '../errors.js';
import type { Ledger } from '../ledger/index.js';
import { type Currency, formatAmount } from '../money/index.js';
import type { ExecutionTally } from '../work/executors/charge.js';
import type { ReportedCapture } from '../work/executors/charge-recorder.js';
import {
  type InternalRecord,
  bookedNetOf,
  classifyPair,
  internalRef,
  recordKindOf,
} from './classes.js';
import { Items, sideOfRecord, sideOfStoredRow } from './items.js';
import {
  type Leg,
  adjustments,
  bankInTransit,
  bookedFeeAccountOf,
  decisionTransaction,
  feeLegs,
  pspFees,
  pspReceivable,
  pspUnapplied,
  recordReversalLegs,
  rowBookingLegs,
  writeBackTransaction,
  writeOffs,
} from '../postings/index.js';
import { InternalRecords } from './records.js';
import type { InternalRecordsStore } from './records-store.js';
import { describeBreakdown, residualBreakdown } from './residual.js';
import { Settlements } from './settle.js';
import type {
  ActionOption,
  DecisionAction,
  DecisionContext,
  DecisionOutcome,
  ItemOptions,
} from './decision.js';
import { BANK_SOURCE, type LegDecider, type SourceLeg } from './source-leg.js';
import type { ItemRecord, ReconStore, StoredRow } from './store.js';

/** What each decision posts: the rows that say the ledger side of every class (docs/RECONCILIATION.md). */
interface Plan {
  legs: Leg[];
  description: string;
  /** The row's net goes to the bank in its batch once the item is settled. */
  settleRow: boolean;
  /** Money received that nothing explains, held in the suspense liability until a link or a refund clears it. */
  suspense?: boolean;
  /** The suspense capture a refund row clears: recorded on it, so it is not linked to an order afterwards. */
  clears?: ItemRecord | undefined;
}

/**
 * What `Decisions` works with, built from one connection by the SQLite side
 * (src/reconcile/sqlite-recon-stores.ts): `Decisions` names no database.
 */
export interface DecisionStores {
  /** Its own ReconStore (a ReconStore hands out row ids per instance). */
  readonly recon: ReconStore;
  readonly ledger: Ledger;
  /** A new store of payops' own records, for one PSP's `InternalRecords` (it makes its temporary tables). */
  internalRecords(): InternalRecordsStore;
  /** `fn` in one transaction (a savepoint inside one already open), as `inTransaction`. */
  inTransaction<T>(fn: () => T): T;
  /** Pending orders completed from a settlement's figures (the charge recorder), in the caller's transaction. */
  recordReportedCaptures(
    psp: string,
    at: string,
    captures: readonly ReportedCapture[],
  ): ExecutionTally;
  /** The decider of a leg's item (the bank's), on the same connection. */
  legDecider(leg: SourceLeg, recon: ReconStore, context: DecisionContext): LegDecider;
}

/**
 * Decisions on items, each in its own transaction: accept the PSP's figure, write off, link to
 * another record, or keep open with a note. Every decision is recorded with who, when, the note
 * and the transactions it posted. Rules, the interactive review and `--dry-run` all come here.
 */
export class Decisions {
  private readonly store: ReconStore;
  private readonly ledger: Ledger;
  private readonly recordsByPsp = new Map<string, InternalRecords>();

  /**
   * `legs` decide their own items (the bank's, src/bank/source-leg.ts): the caller passes them in,
   * so reconcile does not import the legs built on it.
   */
  constructor(
    private readonly stores: DecisionStores,
    private readonly context: DecisionContext,
    private readonly legs: readonly SourceLeg[] = [],
  ) {
    this.store = stores.recon;
    this.ledger = stores.ledger;
  }

  item(itemId: string): ItemRecord {
    const item = this.store.item(itemId);
    if (!item)
      throw new NotFoundError(`reconciliation item ${itemId} does not exist`, {
        hint: 'see `payops reconcile report`',
      });
    return item;
  }

  /** The actions that make sense for an item, with the proposed one first. */
  optionsFor(item: ItemRecord): ItemOptions {
    const leg = this.legOf(item);
    if (leg) return leg.optionsFor(item);
    const note: ActionOption = {
      action: 'note',
      effect: 'keep it open with a note; nothing is posted',
    };
    const money = (minor: bigint) =>
      `${formatAmount(minor < 0n ? -minor : minor, item.currency)} ${item.currency}`;
    const accept = (effect: string): ActionOption => ({ action: 'accept', effect });
    const writeOff = (minor: bigint): ActionOption => ({
      action: 'write_off',
      effect: `write off ${money(minor)} to ${writeOffs}`,
    });
    const row = item.rowId === null ? undefined : this.store.row(item.rowId);
    switch (item.class) {
      case 'payout_not_received':
      case 'unknown_credit':
      case 'unknown_debit':
      case 'bank_fee':
      case 'balance_mismatch':
        // Only the bank has these classes, and its items are routed to its leg (src/bank/decide.ts) above.
        throw new UsageError(
          `item ${item.itemId} (${item.class}) is a bank item of PSP ${item.psp}: only the bank has this class`,
        );
      case 'pending':
        return {
          options: [
            note,
            {
              action: 'link',
              effect:
                'it was paid in a batch whose rows omit it, or reported under another reference: the item id of that batch or row',
            },
          ],
          proposed: 'note',
          proposal: 'still inside its grace period: the PSP may report it in a later file',
        };
      case 'duplicate':
        return {
          options: [
            {
              action: 'link',
              effect: 'the same movement as the row it repeats: nothing is posted',
            },
            // A payout listed twice was paid once: the bank statement says so, not the file.
            ...(row?.type === 'payout'
              ? []
              : [
                  accept(
                    `the PSP moved the money twice: book ${money(item.amountMinor)} to ${adjustments} and settle it in its batch`,
                  ),
                  ...(row && row.netMinor < 0n ? [writeOff(row.grossMinor)] : []),
                ]),
            note,
          ],
          proposed: 'link',
          proposal: 'the PSP reported this movement before; a repeated line moves no money',
          linkTarget: 'original',
        };
      case 'missing_internal': {
        const record =
          item.probableRef === null ? undefined : this.records(item.psp).byRef(item.probableRef);
        const kindMatches =
          record !== undefined && row !== undefined && record.kind === recordKindOf(row.type);
        const options: ActionOption[] = [
          accept(
            `book it as the PSP states: ${money(row?.grossMinor ?? item.amountMinor)} against ${row ? this.counterForRow(item, row, record) : adjustments}, its fee to ${pspFees}, and settle it in its batch`,
          ),
          ...(row && row.netMinor < 0n ? [writeOff(row.grossMinor)] : []),
          {
            action: 'link',
            effect:
              'pair it with a record of payops (an order, refund or dispute id, or an item id)',
          },
          note,
        ];
        const beyondMinor = row ? this.refundBeyondSuspense(item, row) : undefined;
        if (beyondMinor !== undefined) {
          return {
            options: [
              note,
              ...options.filter(
                (option) => option.action === 'write_off' || option.action === 'link',
              ),
            ],
            proposed: 'note',
            proposal: `it refunds ${money(row?.grossMinor ?? 0n)} of ${row?.merchantReference ?? ''}, whose capture holds only ${money(beyondMinor)} in suspense: ask the PSP; accepting it is refused, it would hide money in ${adjustments}`,
          };
        }
        const alreadySettled =
          record !== undefined &&
          this.settledAlready(
            item.psp,
            internalRef(record.kind, record.id),
            item.rowId ?? undefined,
          ) !== undefined;
        if (kindMatches && record.status === 'succeeded' && !alreadySettled) {
          return {
            options: rotate(options, 'link'),
            proposed: 'link',
            proposal: `it probably is ${record.kind} ${record.id}`,
            linkTarget: internalRef(record.kind, record.id),
          };
        }
        const chargeback =
          row?.type === 'chargeback'
            ? ' (if it is a dispute payops has not fetched, run `payops chargebacks sync` first: the next run matches it)'
            : '';
        return {
          options,
          proposed: 'accept',
          proposal: `the PSP moved money payops has no record of${chargeback}`,
        };
      }
      case 'amount_mismatch': {
        const difference = item.amountMinor;
        return {
          options: [
            accept(
              `adjust by ${difference < 0n ? '-' : '+'}${money(difference)} (${adjustments}) and settle the row`,
            ),
            ...(difference < 0n ? [writeOff(difference)] : []),
            note,
          ],
          proposed: 'accept',
          proposal: `take the PSP's figure: it is what the PSP settled`,
        };
      }
      case 'fee_mismatch': {
        const difference = item.amountMinor;
        return {
          options: [
            accept(
              `book the fee difference ${difference < 0n ? '-' : '+'}${money(difference)} to ${pspFees} and settle the row`,
            ),
            ...(difference > 0n ? [writeOff(difference)] : []),
            note,
          ],
          proposed: 'accept',
          proposal: 'the PSP kept a different fee than it told payops',
        };
      }
      case 'currency_mismatch':
        return {
          options: [
            accept(
              `take payops' record out of the receivable and book the row in its currency, both against ${adjustments}`,
            ),
            note,
          ],
          proposed: 'note',
          proposal: 'a currency difference is rare: ask the PSP before accepting',
        };
      case 'status_mismatch': {
        const record =
          item.internalRef === null ? undefined : this.records(item.psp).byRef(item.internalRef);
        if (
          record?.kind === 'capture' &&
          record.status === 'pending' &&
          record.currency !== item.currency
        ) {
          return {
            options: [note],
            proposed: 'note',
            proposal: `the PSP settled it in ${item.currency}, payops has it in ${record.currency}: completing it from the row would book a ${item.currency} fee as ${record.currency}; run \`payops orders sync\` (the PSP's own answer completes it), and the next run shows what still differs`,
          };
        }
        if (record?.kind === 'capture' && record.status === 'pending') {
          return {
            options: [
              accept(
                'complete the order from the settlement (capture, fee, seller wallet) and settle the row',
              ),
              note,
            ],
            proposed: 'accept',
            proposal: 'the PSP settled a capture payops still has as pending',
          };
        }
        if (record?.kind === 'capture' && record.status === 'failed') {
          return {
            options: [
              accept(
                `hold the buyer's money as a liability (${pspUnapplied(item.psp)}) until it is refunded; the order stays failed`,
              ),
              note,
            ],
            proposed: 'accept',
            proposal:
              'the PSP captured money for an order payops failed: it is owed back to the buyer',
          };
        }
        return {
          options: [note],
          proposed: 'note',
          proposal: `payops has it as ${record?.status ?? 'unknown'}: run \`payops retry run\` (or \`payops dlq requeue ${record?.orderId ?? 'ORDER'}\`); the PSP answers the same key with its capture, and the next run closes this by itself`,
        };
      }
      case 'missing_external': {
        const record =
          item.internalRef === null ? undefined : this.records(item.psp).byRef(item.internalRef);
        const net = record ? bookedNetOf(record) : item.amountMinor;
        const batchItem = this.batchItemWithResidual(item.psp, item.currency, net);
        const options: ActionOption[] = [
          ...(batchItem
            ? [
                {
                  action: 'link' as const,
                  effect: `it was paid in batch ${batchItem.batchId}, whose rows omit it: settle it there`,
                },
              ]
            : []),
          accept(
            `take it out of the receivable against ${adjustments} (the PSP says it never happened)`,
          ),
          ...(net > 0n ? [writeOff(net)] : []),
          ...(batchItem
            ? []
            : [
                {
                  action: 'link' as const,
                  effect:
                    'pair it with a row the PSP reported under another reference (its item id)',
                },
              ]),
          note,
        ];
        if (batchItem)
          return {
            options,
            proposed: 'link',
            proposal: `batch ${batchItem.batchId} was paid exactly this much more than its rows say`,
            linkTarget: batchItem.itemId,
          };
        const held = record ? this.suspenseCaptureOf(item.psp, record) : undefined;
        if (held)
          return {
            options: rotate(options, 'link'),
            proposed: 'link',
            proposal: `the PSP's capture ${held.subject} (${held.itemId}) of this order is held in suspense: linking clears it`,
            linkTarget: held.itemId,
          };
        return {
          options: rotate(options, 'note'),
          proposed: 'note',
          proposal: 'past its grace period: ask the PSP; write it off only when it will not pay',
        };
      }
      case 'batch_total_mismatch': {
        const batch =
          item.batchId === null
            ? undefined
            : this.store.batch(item.psp, item.batchId, item.currency);
        const openRows =
          item.batchId === null
            ? 0
            : this.store.openRowItemsOfBatch(item.psp, item.batchId, item.currency);
        if (!batch || batch.payoutMinor === null || openRows > 0) {
          return {
            options: [note],
            proposed: 'note',
            proposal: `resolve the ${openRows} open row${openRows === 1 ? '' : 's'} of this batch first: the residual is known once they are`,
          };
        }
        const breakdown = residualBreakdown(this.store, {
          ...batch,
          payoutMinor: batch.payoutMinor,
        });
        const residual = breakdown.residualMinor;
        const decomposition = describeBreakdown(breakdown, item.currency);
        const linkOption: ActionOption = {
          action: 'link',
          effect:
            'a record of payops the payout paid though the rows omit it: settle it in this batch',
        };
        if (breakdown.pending.records > 0) {
          // The payout may include a record still inside its grace period: the residual is not known yet.
          return {
            options: [note, linkOption],
            proposed: 'note',
            proposal: `wait: records of ${item.currency} are still pending and the payout may include them; ${decomposition}`,
          };
        }
        const record = this.recordItemWithNet(item.psp, item.currency, residual);
        const options: ActionOption[] = [
          accept(
            `book the residual ${residual < 0n ? '-' : '+'}${money(residual)} between the bank and ${adjustments}`,
          ),
          ...(residual < 0n ? [writeOff(residual)] : []),
          {
            action: 'link',
            effect:
              'a record of payops the payout paid though the rows omit it: settle it in this batch',
          },
          note,
        ];
        if (record)
          return {
            options: rotate(options, 'link'),
            proposed: 'link',
            proposal: `${record.subject} (${record.itemId}) accounts for the residual exactly; ${decomposition}`,
            linkTarget: record.itemId,
          };
        return {
          options,
          proposed: 'accept',
          proposal: `the bank received what the PSP paid: the books follow the bank; ${decomposition}`,
        };
      }
    }
  }

  /** Takes one decision in its own transaction; a Ctrl-C after it leaves it saved. */
  decide(
    itemId: string,
    action: DecisionAction,
    options: { note?: string; linkTo?: string; rule?: string } = {},
  ): DecisionOutcome {
    return this.stores.inTransaction(() => {
      const item = this.item(itemId);
      const leg = this.legOf(item);
      if (leg) return leg.decide(item, action, options);
      if (action === 'link' && this.inSuspense(item))
        return this.clearSuspense(
          item,
          (options.linkTo ?? '').trim(),
          (options.note ?? '').trim(),
          options.rule,
        );
      if (item.status !== 'open')
        throw new UsageError(`item ${itemId} is already resolved (${item.resolution ?? ''})`, {
          hint: 'see `payops reconcile report`',
        });
      const allowed = this.optionsFor(item).options.map((option) => option.action);
      if (!allowed.includes(action)) {
        throw new UsageError(
          `item ${itemId} (${item.class}): "${action}" is not possible (possible: ${allowed.join(', ')})`,
        );
      }
      const note = (options.note ?? '').trim();
      switch (action) {
        case 'note':
          if (note === '') throw new InputError('note: say why the item stays open');
          this.record(item, 'note', note, null, [], options.rule);
          return { itemId, action, txIds: [], resolved: false, message: 'kept open with a note' };
        case 'link':
          return this.link(
            item,
            options.linkTo ?? this.optionsFor(item).linkTarget,
            note,
            options.rule,
          );
        default:
          return this.post(item, action, note, options.rule);
      }
    });
  }

  /**
   * A record that a decision took out of (or put into) the receivable was reported by the PSP after
   * all: the decision's postings are mirrored, so the row that arrived settles it as booked.
   */
  writeBackIfResolved(psp: string, ref: string, source: string, runId: bigint | null): number[] {
    const txIds: number[] = [];
    for (const item of this.store.resolvedItemsOfRecord(ref)) {
      if (item.psp !== psp || !/^(accepted|written off)/.test(item.resolution ?? '')) continue;
      const decisions = this.store.decisionsOfItem(item.id);
      const posted = decisions
        .filter((decision) => decision.action === 'accept' || decision.action === 'write_off')
        .flatMap((decision) => decision.txIds);
      if (posted.length === 0 || decisions.some((decision) => decision.action === 'write_back'))
        continue;
      const entries = posted.flatMap((txId) => this.ledger.getTransaction(txId).entries);
      const result = this.ledger.post(
        writeBackTransaction(item, { ref, source }, entries, this.now()),
      );
      txIds.push(result.txId);
      this.store.insertDecision({
        itemRowId: item.id,
        action: 'write_back',
        class: item.class,
        rule: 'late-settlement',
        runId,
        decidedBy: this.context.by,
        decidedAt: this.now(),
        note: `settled late by ${source}: the earlier decision's postings are reversed`,
        linkedTo: source,
        txIds: [result.txId],
      });
    }
    return txIds;
  }

  private post(
    item: ItemRecord,
    action: 'accept' | 'write_off',
    note: string,
    rule: string | undefined,
  ): DecisionOutcome {
    if (item.class === 'batch_total_mismatch') return this.settleResidual(item, action, note, rule);
    if (item.class === 'status_mismatch' && action === 'accept') {
      const record = this.recordOf(item);
      if (record.kind === 'capture' && record.status === 'pending')
        return this.completeOrder(item, record, note, rule);
    }
    const plan = this.plan(item, action);
    const txIds = plan.legs.length > 0 ? [this.postLegs(item, action, plan)] : [];
    const resolution = `${action === 'accept' ? 'accepted' : 'written off'}${plan.suspense ? ` into suspense (${pspUnapplied(item.psp)})` : ''}${rule ? ` by rule ${rule}` : ''}`;
    txIds.push(...this.closeRowItem(item, plan.settleRow, resolution));
    this.record(item, action, note, null, txIds, rule);
    if (plan.clears)
      this.record(
        plan.clears,
        'link',
        `cleared by the refund ${item.itemId} booked against the suspense`,
        item.itemId,
        [],
        rule,
      );
    return {
      itemId: item.itemId,
      action,
      txIds,
      resolved: true,
      message: `${resolution}; ${this.postedText(txIds)}`,
    };
  }

  private plan(item: ItemRecord, action: 'accept' | 'write_off'): Plan {
    const psp = item.psp;
    const expense = action === 'write_off' ? writeOffs : adjustments;
    switch (item.class) {
      case 'missing_internal':
      case 'duplicate': {
        const row = this.rowOf(item);
        const probable =
          item.probableRef === null ? undefined : this.records(psp).byRef(item.probableRef);
        const counter =
          action === 'write_off' ? writeOffs : this.counterForRow(item, row, probable);
        const suspense =
          counter === pspUnapplied(psp) &&
          item.class === 'missing_internal' &&
          row.grossMinor > 0n &&
          probable?.status !== 'failed';
        return {
          legs: rowBookingLegs(psp, row.currency, row.grossMinor, row.feeMinor, counter),
          description: `${row.type} ${row.pspReference ?? `line ${row.line}`} booked as the PSP reported it${counter === adjustments || counter === writeOffs ? '' : ` (held in ${counter})`}`,
          settleRow: true,
          ...(suspense ? { suspense: true } : {}),
          ...(counter === pspUnapplied(psp) && row.type === 'refund'
            ? { clears: this.suspenseCaptureRefunded(item, row) }
            : {}),
        };
      }
      case 'status_mismatch': {
        const row = this.rowOf(item);
        return {
          legs: rowBookingLegs(psp, row.currency, row.grossMinor, row.feeMinor, pspUnapplied(psp)),
          description: `${row.pspReference ?? row.type} settled for failed ${item.internalRef ?? ''}: held for the buyer`,
          settleRow: true,
        };
      }
      case 'amount_mismatch': {
        const row = this.rowOf(item);
        const record = this.recordOf(item);
        const differenceMinor = row.grossMinor - record.grossMinor;
        const feeDifferenceMinor = row.feeMinor - (record.feeMinor ?? 0n);
        return {
          legs: [
            {
              account: pspReceivable(psp),
              currency: row.currency,
              debitMinor: differenceMinor,
            },
            { account: expense, currency: row.currency, debitMinor: -differenceMinor },
            ...feeLegs(psp, row.currency, feeDifferenceMinor),
          ],
          description: `${record.kind} ${record.id}: the PSP settled ${formatAmount(row.grossMinor, row.currency)}, payops booked ${formatAmount(record.grossMinor, record.currency)}`,
          settleRow: true,
        };
      }
      case 'fee_mismatch': {
        const row = this.rowOf(item);
        const record = this.recordOf(item);
        return {
          legs: feeLegs(
            psp,
            row.currency,
            row.feeMinor - (record.feeMinor ?? 0n),
            action === 'write_off' ? writeOffs : pspFees,
          ),
          description: `${record.kind} ${record.id}: PSP fee ${formatAmount(row.feeMinor, row.currency)}, payops booked ${formatAmount(record.feeMinor ?? 0n, record.currency)}`,
          settleRow: true,
        };
      }
      case 'currency_mismatch': {
        const row = this.rowOf(item);
        const record = this.recordOf(item);
        return {
          legs: [
            ...recordReversalLegs(
              psp,
              record.currency,
              record.grossMinor,
              record.feeMinor ?? 0n,
              adjustments,
              bookedFeeAccountOf(record.kind),
            ),
            ...rowBookingLegs(psp, row.currency, row.grossMinor, row.feeMinor, adjustments),
          ],
          description: `${record.kind} ${record.id}: booked in ${record.currency}, settled in ${row.currency}`,
          settleRow: true,
        };
      }
      case 'missing_external': {
        const record = this.recordOf(item);
        return {
          legs: recordReversalLegs(
            psp,
            record.currency,
            record.grossMinor,
            record.feeMinor ?? 0n,
            expense,
            bookedFeeAccountOf(record.kind),
          ),
          description: `${record.kind} ${record.id} never settled by the PSP`,
          settleRow: false,
        };
      }
      case 'pending':
      case 'batch_total_mismatch':
      case 'payout_not_received':
      case 'unknown_credit':
      case 'unknown_debit':
      case 'bank_fee':
      case 'balance_mismatch':
        throw new UsageError(
          `item ${item.itemId} (${item.class}) cannot be ${action === 'accept' ? 'accepted' : 'written off'} this way`,
        );
    }
  }

  private postLegs(
    item: ItemRecord,
    action: 'accept' | 'write_off' | 'link',
    plan: Pick<Plan, 'legs' | 'description'>,
  ): number {
    const sequence =
      this.store.decisionsOfItem(item.id).filter((decision) => decision.txIds.length > 0).length +
      1;
    return this.ledger.post(
      decisionTransaction('reconcile', action, item, sequence, {
        description: plan.description,
        effectiveAt: this.now(),
        legs: plan.legs,
      }),
    ).txId;
  }

  /**
   * A row item is settled: its row becomes what it now is, its net goes to the bank in its batch,
   * the record it pairs with loses any open item of its own, and the batch is judged again.
   */
  private closeRowItem(item: ItemRecord, settleRow: boolean, resolution: string): number[] {
    const txIds: number[] = [];
    const items = this.items(item.psp);
    items.resolve(item, resolution, this.context.by);
    if (item.rowId !== null && settleRow) {
      const row = this.rowOf(item);
      if (row.batchId !== null && row.settlementId === null && row.type !== 'payout') {
        const { settlementId, txId } = this.settlements(item.psp).settleOne(
          'row',
          row.batchId,
          row.currency,
          row.netMinor,
          item.id,
          `${row.type} ${row.pspReference ?? `line ${row.line}`}`,
        );
        this.store.settleRow(row.id, settlementId);
        if (txId !== null) txIds.push(txId);
      }
    }
    this.reevaluateBatchOf(item);
    return txIds;
  }

  private completeOrder(
    item: ItemRecord,
    record: InternalRecord,
    note: string,
    rule: string | undefined,
  ): DecisionOutcome {
    const row = this.rowOf(item);
    assert(row.pspReference !== null, 'a status mismatch row has the PSP reference of its charge');
    // The row's fee becomes the order's: only a row in the order's currency can say what it is.
    if (row.currency !== record.currency)
      throw new InputError(
        `accept: ${row.fileName}:${row.line} is in ${row.currency}, order ${record.id} in ${record.currency}; it cannot complete the order`,
        { hint: 'run `payops orders sync`; the next run shows what still differs' },
      );
    const tally = this.stores.recordReportedCaptures(
      item.psp,
      new Date(this.context.clock()).toISOString(),
      [{ orderId: record.id, pspReference: row.pspReference, feeMinor: row.feeMinor }],
    );
    assert(tally.succeeded === 1, `order ${record.id} was pending and is not completed`);
    const completed = this.recordOf(item);
    const paired = classifyPair(row, completed);
    const txIds: number[] = [];
    let resolved = false;
    if (paired.class === 'matched') {
      this.store.classifyRow(row.id, 'matched', true, item.internalRef, item.id);
      txIds.push(
        ...this.closeRowItem(
          item,
          true,
          `completed${rule ? ` by rule ${rule}` : ''}: order ${record.id} captured from the settlement`,
        ),
      );
      resolved = true;
    } else {
      this.refreshRowItem(
        item,
        row,
        completed,
        paired.class === 'status_mismatch' ? 'amount_mismatch' : paired.class,
        paired.amountMinor,
      );
    }
    this.record(
      item,
      'accept',
      note || `order ${record.id} completed from the settlement`,
      null,
      txIds,
      rule,
    );
    return {
      itemId: item.itemId,
      action: 'accept',
      txIds,
      resolved,
      message: resolved
        ? `order ${record.id} completed and settled`
        : `order ${record.id} completed; it now differs: ${paired.class}`,
    };
  }

  private settleResidual(
    item: ItemRecord,
    action: 'accept' | 'write_off',
    note: string,
    rule: string | undefined,
  ): DecisionOutcome {
    const batchId = item.batchId as string;
    const batch = this.store.batch(item.psp, batchId, item.currency);
    assert(batch?.payoutMinor != null, 'a batch item has a payout');
    const residualMinor =
      batch.payoutMinor - this.store.settledOfBatch(item.psp, batchId, item.currency);
    const txId = this.postLegs(item, action, {
      legs: [
        {
          account: bankInTransit(item.psp),
          currency: item.currency,
          debitMinor: residualMinor,
        },
        {
          account: action === 'write_off' ? writeOffs : adjustments,
          currency: item.currency,
          debitMinor: -residualMinor,
        },
      ],
      description: `batch ${batchId} in transit to the bank: the PSP paid ${formatAmount(batch.payoutMinor, item.currency)}, the books held ${formatAmount(batch.payoutMinor - residualMinor, item.currency)}`,
    });
    this.settlements(item.psp).recordResidual(batchId, item.currency, residualMinor, item.id, txId);
    this.record(item, action, note, null, [txId], rule);
    this.reevaluateBatchOf(item);
    return {
      itemId: item.itemId,
      action,
      txIds: [txId],
      resolved: this.store.item(item.itemId)?.status === 'resolved',
      message: `batch residual ${formatAmount(residualMinor, item.currency)} ${item.currency}: ${this.postedText([txId])}`,
    };
  }

  private link(
    item: ItemRecord,
    target: string | undefined,
    note: string,
    rule: string | undefined,
  ): DecisionOutcome {
    if (target === undefined || target.trim() === '')
      throw new InputError(
        'link: name the record to link to (an order, refund or dispute id, or an item id rm_…)',
      );
    const wanted = target.trim();
    if (item.class === 'duplicate') {
      if (wanted !== 'original')
        throw new InputError(
          `link: a duplicate links to the row it repeats ("original"), not ${wanted}`,
        );
      this.items(item.psp).resolve(
        item,
        'linked: the same movement as the row it repeats',
        this.context.by,
      );
      this.reevaluateBatchOf(item);
      this.record(item, 'link', note, 'original', [], rule);
      return {
        itemId: item.itemId,
        action: 'link',
        txIds: [],
        resolved: true,
        message: 'linked to the row it repeats; nothing posted',
      };
    }
    if (item.class === 'batch_total_mismatch') {
      const recordItem = this.recordItemOrRecord(item.psp, wanted);
      return this.settleRecordInBatch(recordItem.record, recordItem.item, item, note, rule);
    }
    if (item.class === 'missing_external' || item.class === 'pending') {
      const other = this.store.item(wanted);
      if (other?.class === 'batch_total_mismatch' && other.status === 'open')
        return this.settleRecordInBatch(this.recordOf(item), item, other, note, rule);
      if (other !== undefined && this.inSuspense(other)) {
        const outcome = this.clearSuspense(other, item.internalRef ?? '', note, rule);
        return {
          ...outcome,
          itemId: item.itemId,
          resolved: this.store.item(item.itemId)?.status === 'resolved',
        };
      }
      if (other?.class === 'missing_internal' && other.status === 'open') {
        const outcome = this.pairRow(other, this.recordOf(item), note, rule);
        return {
          ...outcome,
          itemId: item.itemId,
          resolved: this.store.item(item.itemId)?.status === 'resolved',
        };
      }
      throw new InputError(
        `link: ${wanted} is neither an open missing_internal row nor an open batch_total_mismatch`,
      );
    }
    const record = this.recordItemOrRecord(item.psp, wanted).record;
    return this.pairRow(item, record, note, rule);
  }

  /** Pairs an unmatched row with the record a person says it is. */
  private pairRow(
    item: ItemRecord,
    record: InternalRecord,
    note: string,
    rule: string | undefined,
  ): DecisionOutcome {
    const row = this.rowOf(item);
    const ref = internalRef(record.kind, record.id);
    if (record.kind !== recordKindOf(row.type))
      throw new InputError(`link: a ${row.type} row cannot be ${record.kind} ${record.id}`);
    const settled = this.settledAlready(item.psp, ref, row.id);
    if (settled !== undefined) {
      throw new InputError(`link: ${ref} was already settled ${settled}`, {
        hint: 'if the PSP moved this money too (a second charge), accept the row as it states it; else link it to the record it is',
      });
    }
    const paired = classifyPair(row, record);
    // The write-back is its own recorded decision: the link claims only what it posts itself.
    const writtenBack = this.writeBackIfResolved(
      item.psp,
      ref,
      `${row.fileName}:${row.line}`,
      this.context.runId,
    );
    this.resolveRecordItem(item.psp, ref, `settled: linked to ${row.fileName}:${row.line}`);
    const txIds: number[] = [];
    if (paired.class === 'matched') {
      this.store.classifyRow(row.id, 'matched', true, ref, item.id);
      if (record.feeMinor === null && row.feeMinor !== 0n)
        txIds.push(
          this.postLegs(item, 'link', {
            legs: feeLegs(item.psp, row.currency, row.feeMinor),
            description: `PSP fee on ${ref}`,
          }),
        );
      txIds.push(...this.closeRowItem(item, true, `linked to ${ref}`));
      this.record(item, 'link', note, ref, txIds, rule);
      return {
        itemId: item.itemId,
        action: 'link',
        txIds: [...writtenBack, ...txIds],
        resolved: true,
        message: `linked to ${ref}: matched and settled`,
      };
    }
    this.refreshRowItem(item, row, record, paired.class, paired.amountMinor);
    this.record(item, 'link', note, ref, txIds, rule);
    return {
      itemId: item.itemId,
      action: 'link',
      txIds: [...writtenBack, ...txIds],
      resolved: false,
      message: `linked to ${ref}: now ${paired.class}`,
    };
  }

  /** A record the payout paid though its rows omit it: settled in that batch at payops' figure. */
  private settleRecordInBatch(
    record: InternalRecord,
    recordItem: ItemRecord | undefined,
    batchItem: ItemRecord,
    note: string,
    rule: string | undefined,
  ): DecisionOutcome {
    const batchId = batchItem.batchId as string;
    const ref = internalRef(record.kind, record.id);
    if (record.currency !== batchItem.currency)
      throw new InputError(
        `link: ${ref} is in ${record.currency}, batch ${batchId} in ${batchItem.currency}`,
      );
    if (record.status !== 'succeeded')
      throw new InputError(
        `link: ${ref} is ${record.status}, not booked: it cannot have been paid out`,
      );
    const settled = this.settledAlready(batchItem.psp, ref);
    if (settled !== undefined) {
      throw new InputError(
        `link: ${ref} was already settled ${settled}; batch ${batchId} did not pay it again`,
        { hint: 'link the batch to the record its payout did pay, or accept its residual' },
      );
    }
    const items = this.items(batchItem.psp);
    const earlier = recordItem ?? this.store.item(items.itemIdOf(ref));
    // A record a decision took out of the books (accepted or written off as missing_external) is
    // put back first, as a late row would do, so the batch settles it as it was booked.
    let writtenBack: number[] = [];
    if (earlier?.status === 'resolved') {
      if (!/^(accepted|written off)/.test(earlier.resolution ?? ''))
        throw new InputError(
          `link: ${ref} was resolved (${earlier.resolution ?? ''}); it cannot be settled in batch ${batchId}`,
        );
      writtenBack = this.writeBackIfResolved(
        batchItem.psp,
        ref,
        `batch ${batchId}`,
        this.context.runId,
      );
    }
    const subjectItem =
      earlier?.status === 'open'
        ? earlier
        : this.store.itemById(
            items.upsert(
              {
                subject: ref,
                class: earlier?.class ?? 'pending',
                rowId: null,
                internalRef: ref,
                probableRef: null,
                batchId: null,
                currency: record.currency,
                amountMinor: record.grossMinor,
                detail: earlier?.detail ?? {
                  ours: sideOfRecord(record),
                  theirs: null,
                  why: 'linked to a batch before its grace period ended',
                },
              },
              batchItem.firstRunId,
            ).id,
          );
    assert(
      subjectItem !== undefined && subjectItem.status === 'open',
      `${ref} has an open item to settle`,
    );
    const { txId } = this.settlements(batchItem.psp).settleOne(
      'record',
      batchId,
      record.currency,
      bookedNetOf(record),
      subjectItem.id,
      `${ref}, omitted from its rows`,
    );
    items.resolve(subjectItem, `linked to batch ${batchId}: paid in its payout`, this.context.by);
    const txIds = txId === null ? [] : [txId];
    this.record(subjectItem, 'link', note, `batch ${batchId}`, txIds, rule);
    if (subjectItem.id !== batchItem.id) this.record(batchItem, 'link', note, ref, [], rule);
    this.settlements(batchItem.psp).evaluateBatch(
      items,
      batchId,
      batchItem.currency,
      this.context.by,
    );
    const batchResolved = this.store.item(batchItem.itemId)?.status === 'resolved';
    const posted = [...writtenBack, ...txIds];
    return {
      itemId: batchItem.itemId,
      action: 'link',
      txIds: posted,
      resolved: batchResolved,
      message: `${ref} settled in batch ${batchId}${writtenBack.length > 0 ? ' (the earlier decision on it written back)' : ''}${batchResolved ? '; the batch is settled' : ''}`,
    };
  }

  /**
   * Why a record cannot be settled a second time, or undefined when it can be: a row is paired
   * with it (whatever reference that row carries), or a decision settled it in a batch whose rows
   * omitted it.
   */
  private settledAlready(psp: string, ref: string, exceptRowId?: bigint): string | undefined {
    if (this.store.isRecordPaired(psp, ref, exceptRowId)) return 'by another row of the PSP';
    const resolution = this.store.item(this.items(psp).itemIdOf(ref))?.resolution ?? '';
    if (resolution.startsWith('linked to batch '))
      return `in ${resolution.slice('linked to '.length).split(':')[0] ?? 'a batch'} by a decision`;
    return undefined;
  }

  private refreshRowItem(
    item: ItemRecord,
    row: StoredRow,
    record: InternalRecord,
    rowClass: string,
    amountMinor: bigint,
  ): void {
    assert(
      rowClass !== 'matched' && rowClass !== 'pending',
      'a refreshed row item stays a mismatch',
    );
    const ref = internalRef(record.kind, record.id);
    this.items(item.psp).upsert({
      subject: item.subject,
      class: rowClass as ItemRecord['class'],
      rowId: row.id,
      internalRef: ref,
      probableRef: null,
      batchId: row.batchId,
      currency: row.currency,
      amountMinor,
      detail: {
        ours: sideOfRecord(record),
        theirs: sideOfStoredRow(row),
        why: `linked by ${this.context.by}; now ${rowClass}`,
      },
    });
    this.store.classifyRow(row.id, rowClass as ItemRecord['class'], true, ref, item.id);
  }

  private resolveRecordItem(psp: string, ref: string, resolution: string): void {
    const open = this.store.item(this.items(psp).itemIdOf(ref));
    if (open?.status === 'open') this.items(psp).resolve(open, resolution, this.context.by);
  }

  private reevaluateBatchOf(item: ItemRecord): void {
    const batchId =
      item.batchId ?? (item.rowId === null ? null : (this.store.row(item.rowId)?.batchId ?? null));
    if (batchId === null) return;
    const settlements = this.settlements(item.psp);
    settlements.postReady(batchId, item.currency);
    settlements.evaluateBatch(this.items(item.psp), batchId, item.currency, this.context.by);
  }

  /**
   * Where a row payops has no record of is booked when accepted (DESIGN §6):
   * - money for an order payops failed is the buyer's: the unapplied liability, returned from it;
   * - money received that nothing explains (a missing_internal row with a positive gross) is owed
   *   to someone until identified: the same suspense liability, which a link or a refund clears;
   * - a refund of such a capture (same order reference) comes out of the suspense;
   * - anything else (money paid out that nothing explains, a duplicate) is an adjustment.
   */
  private counterForRow(
    item: ItemRecord,
    row: StoredRow,
    probable: InternalRecord | undefined,
  ): string {
    if (probable?.kind === 'capture' && probable.status === 'failed') return pspUnapplied(item.psp);
    if (item.class !== 'missing_internal') return adjustments;
    if (row.grossMinor > 0n) return pspUnapplied(item.psp);
    if (row.type === 'refund' && this.suspenseCaptureRefunded(item, row) !== undefined)
      return pspUnapplied(item.psp);
    return adjustments;
  }

  /** The capture held in suspense that this refund row gives back (same order reference and currency, not more than it). */
  private suspenseCaptureRefunded(item: ItemRecord, row: StoredRow): ItemRecord | undefined {
    if (row.merchantReference === null) return undefined;
    return this.store
      .suspenseCapturesOf(item.psp, row.merchantReference, row.currency)
      .find((capture) => {
        const captureRow = capture.rowId === null ? undefined : this.store.row(capture.rowId);
        return captureRow !== undefined && this.suspenseRemainderOf(capture) >= -row.grossMinor;
      });
  }

  /** A refund row of an order whose capture was held in suspense, for more than the suspense still holds of it. */
  private refundBeyondSuspense(item: ItemRecord, row: StoredRow): bigint | undefined {
    if (
      item.class !== 'missing_internal' ||
      row.type !== 'refund' ||
      row.merchantReference === null
    )
      return undefined;
    const held = this.store.suspenseCapturesOf(item.psp, row.merchantReference, row.currency);
    if (held.length === 0 || this.suspenseCaptureRefunded(item, row) !== undefined)
      return undefined;
    return held.reduce((sum, capture) => sum + this.suspenseRemainderOf(capture), 0n);
  }

  /** A capture held in suspense whose row names this order, of its amount. */
  private suspenseCaptureOf(psp: string, record: InternalRecord): ItemRecord | undefined {
    if (record.kind !== 'capture' || record.status !== 'succeeded') return undefined;
    return this.store
      .suspenseCapturesOf(psp, record.orderId, record.currency)
      .find((held) => this.suspenseRemainderOf(held) === record.grossMinor);
  }

  /** An item accepted into the suspense of which some money is still held: a later refund or a link clears it. */
  private inSuspense(item: ItemRecord): boolean {
    return this.suspenseRemainderOf(item) > 0n;
  }

  /**
   * What an item accepted into the suspense still holds there: its row's gross less what the
   * refunds booked against it and the links to orders cleared. Zero for any other item.
   */
  private suspenseRemainderOf(item: ItemRecord): bigint {
    if (
      item.status !== 'resolved' ||
      !(item.resolution ?? '').startsWith('accepted into suspense') ||
      item.rowId === null
    )
      return 0n;
    const row = this.store.row(item.rowId);
    if (row === undefined) return 0n;
    let clearedMinor = 0n;
    for (const decision of this.store.decisionsOfItem(item.id)) {
      if (decision.action !== 'link') continue;
      if (decision.txIds.length > 0) clearedMinor += this.suspenseDebitOf(item.psp, decision.txIds);
      else clearedMinor += this.refundedBy(decision.linkedTo);
    }
    return row.grossMinor - clearedMinor;
  }

  /** What these transactions took out of the suspense (a link to an order posts it itself). */
  private suspenseDebitOf(psp: string, txIds: readonly number[]): bigint {
    const suspense = pspUnapplied(psp);
    return txIds
      .flatMap((txId) => this.ledger.getTransaction(txId).entries)
      .filter((entry) => entry.account === suspense)
      .reduce(
        (sum, entry) =>
          sum + (entry.direction === 'debit' ? entry.amountMinor : -entry.amountMinor),
        0n,
      );
  }

  /** The amount of the refund row whose accepted item a refund-clearing link names. */
  private refundedBy(refundItemId: string | null): bigint {
    const refund = refundItemId === null ? undefined : this.store.item(refundItemId);
    const row = refund?.rowId == null ? undefined : this.store.row(refund.rowId);
    return row !== undefined && row.grossMinor < 0n ? -row.grossMinor : 0n;
  }

  /**
   * A capture held in suspense turns out to be an order's (the order shows up, or an operator
   * says which): the suspense is cleared against the receivable the order's own capture posting
   * filled. Dr suspense (row gross) / Cr psp receivable (gross − the order's booked fee) / Cr
   * expenses:psp-fees (the order's booked fee): the row's own booking already put the PSP's fee
   * in psp-fees and the row's net went to the bank, so afterwards the receivable holds nothing of
   * either and psp-fees holds the fee the PSP kept, once.
   */
  private clearSuspense(
    item: ItemRecord,
    target: string,
    note: string,
    rule: string | undefined,
  ): DecisionOutcome {
    const row = this.rowOf(item);
    const { record } = this.recordItemOrRecord(item.psp, target);
    const ref = internalRef(record.kind, record.id);
    if (record.kind !== 'capture' || record.status !== 'succeeded')
      throw new InputError(
        `link: ${ref} is not a captured order; a capture held in suspense links to the order it paid`,
      );
    const remainderMinor = this.suspenseRemainderOf(item);
    if (
      remainderMinor !== row.grossMinor &&
      record.currency === row.currency &&
      record.grossMinor === row.grossMinor
    ) {
      // Refunds already gave part of it back: the order's own books would need that refund too.
      throw new InputError(
        `link: ${row.pspReference ?? `line ${row.line}`} holds ${formatAmount(remainderMinor, row.currency)} ${row.currency} in suspense (the PSP refunded ${formatAmount(row.grossMinor - remainderMinor, row.currency)} of it); ${ref} is ${formatAmount(record.grossMinor, record.currency)} ${record.currency}`,
        {
          hint: 'a link clears only what remains in suspense: record the refund of that order in payops first, or link it to an order of the amount that remains',
        },
      );
    }
    if (record.currency !== row.currency || record.grossMinor !== remainderMinor) {
      throw new InputError(
        `link: ${ref} is ${formatAmount(record.grossMinor, record.currency)} ${record.currency}, the suspense holds ${formatAmount(remainderMinor, row.currency)} ${row.currency} of the row`,
        { hint: 'link it to the order it paid, of the same amount and currency' },
      );
    }
    const settled = this.settledAlready(item.psp, ref, row.id);
    if (settled !== undefined) throw new InputError(`link: ${ref} was already settled ${settled}`);
    const orderFeeMinor = record.feeMinor ?? 0n;
    const txId = this.postLegs(item, 'link', {
      legs: [
        { account: pspUnapplied(item.psp), currency: row.currency, debitMinor: remainderMinor },
        {
          account: pspReceivable(item.psp),
          currency: row.currency,
          debitMinor: -(remainderMinor - orderFeeMinor),
        },
        { account: pspFees, currency: row.currency, debitMinor: -orderFeeMinor },
      ],
      description: `suspense cleared: ${row.pspReference ?? `line ${row.line}`} paid ${ref}`,
    });
    this.store.classifyRow(row.id, 'matched', true, ref, item.id);
    this.resolveRecordItem(
      item.psp,
      ref,
      `settled: ${row.fileName}:${row.line}, held in suspense, linked to it`,
    );
    this.record(item, 'link', note, ref, [txId], rule);
    return {
      itemId: item.itemId,
      action: 'link',
      txIds: [txId],
      resolved: true,
      message: `suspense cleared: linked to ${ref}; ${this.postedText([txId])}`,
    };
  }

  private batchItemWithResidual(
    psp: string,
    currency: Currency,
    netMinor: bigint,
  ): ItemRecord | undefined {
    return this.store.openItems(psp).find((candidate) => {
      if (
        candidate.class !== 'batch_total_mismatch' ||
        candidate.currency !== currency ||
        candidate.batchId === null
      )
        return false;
      const batch = this.store.batch(psp, candidate.batchId, currency);
      return (
        batch?.payoutMinor != null &&
        this.store.openRowItemsOfBatch(psp, candidate.batchId, currency) === 0 &&
        batch.payoutMinor - this.store.settledOfBatch(psp, candidate.batchId, currency) === netMinor
      );
    });
  }

  private recordItemWithNet(
    psp: string,
    currency: Currency,
    netMinor: bigint,
  ): ItemRecord | undefined {
    const records = this.records(psp);
    return this.store.openItems(psp).find((candidate) => {
      if (
        (candidate.class !== 'missing_external' && candidate.class !== 'pending') ||
        candidate.currency !== currency ||
        candidate.internalRef === null
      )
        return false;
      const record = records.byRef(candidate.internalRef);
      return (
        record !== undefined && record.status === 'succeeded' && bookedNetOf(record) === netMinor
      );
    });
  }

  /** A link target: an item id naming a record, an internal reference, or a bare order, refund or dispute id. */
  private recordItemOrRecord(
    psp: string,
    target: string,
  ): { record: InternalRecord; item: ItemRecord | undefined } {
    const records = this.records(psp);
    const asItem = target.startsWith('rm_') ? this.store.item(target) : undefined;
    if (target.startsWith('rm_') && (!asItem || asItem.internalRef === null))
      throw new InputError(`link: ${target} is not an item about one of payops' records`);
    const refs = asItem
      ? [asItem.internalRef as string]
      : target.includes(':')
        ? [target]
        : [`capture:${target}`, `refund:${target}`, `chargeback:${target}`];
    for (const ref of refs) {
      const record = records.byRef(ref);
      if (record) {
        const item = this.store.item(this.items(psp).itemIdOf(ref));
        return { record, item: item?.status === 'open' ? item : undefined };
      }
    }
    throw new InputError(`link: payops has no order, refund or dispute "${target}" at ${psp}`);
  }

  private record(
    item: ItemRecord,
    action: DecisionAction,
    note: string,
    linkedTo: string | null,
    txIds: readonly number[],
    rule: string | undefined,
  ): void {
    this.store.insertDecision({
      itemRowId: item.id,
      action,
      class: item.class,
      rule: rule ?? null,
      runId: this.context.runId,
      decidedBy: this.context.by,
      decidedAt: this.now(),
      note,
      linkedTo,
      txIds,
    });
  }

  private rowOf(item: ItemRecord): StoredRow {
    const row = item.rowId === null ? undefined : this.store.row(item.rowId);
    assert(row !== undefined, `item ${item.itemId} has its settlement row`);
    return row;
  }

  private recordOf(item: ItemRecord): InternalRecord {
    const record =
      item.internalRef === null ? undefined : this.records(item.psp).byRef(item.internalRef);
    assert(record !== undefined, `item ${item.itemId} has its record ${item.internalRef ?? ''}`);
    return record;
  }

  records(psp: string): InternalRecords {
    let records = this.recordsByPsp.get(psp);
    if (!records) {
      records = new InternalRecords(this.stores.internalRecords(), psp);
      this.recordsByPsp.set(psp, records);
    }
    return records;
  }

  /** The leg that decides the item, if it is one of a leg's (a bank item is never decided as a PSP's). */
  private legOf(item: ItemRecord): LegDecider | undefined {
    const leg = this.legs.find((candidate) => candidate.source === item.psp);
    assert(
      leg !== undefined || item.psp !== BANK_SOURCE,
      `item ${item.itemId} is a bank item: Decisions needs the bank leg to decide it`,
    );
    return leg && this.stores.legDecider(leg, this.store, this.context);
  }

  private items(psp: string): Items {
    return new Items(this.store, psp, this.context.runId, this.now());
  }

  private settlements(psp: string): Settlements {
    return new Settlements(this.store, this.ledger, psp, this.context.runId, null, this.now());
  }

  /** "posted #12, #13", or in a dry run "would post 2 transactions" (the ids are rolled back with it). */
  private postedText(txIds: readonly number[]): string {
    if (txIds.length === 0) return this.context.dryRun ? 'would post nothing' : 'posted nothing';
    if (this.context.dryRun)
      return `would post ${txIds.length} transaction${txIds.length === 1 ? '' : 's'}`;
    return `posted ${txIds.map((id) => `#${id}`).join(', ')}`;
  }

  private now(): string {
    return new Date(this.context.clock()).toISOString();
  }
}

/** The options with `first` moved to the front. */
function rotate(options: ActionOption[], first: DecisionAction): ActionOption[] {
  return [
    ...options.filter((option) => option.action === first),
    ...options.filter((option) => option.action !== first),
  ];
}
