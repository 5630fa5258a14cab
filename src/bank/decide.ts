import { InputError, UsageError, assert } from '../errors.js';
import type { Ledger } from '../ledger/index.js';
import { type Currency, formatAmount } from '../money/index.js';
import type {
  ActionOption,
  DecisionAction,
  DecisionContext,
  DecisionOutcome,
  ItemOptions,
} from '../reconcile/decision.js';
import { Items } from '../reconcile/items.js';
import type { ItemRecord, ReconStore } from '../reconcile/store.js';
import {
  type Leg,
  adjustments,
  balanceLegs,
  bankFees,
  bankOperating,
  clearSuspenseLegs,
  clearTransitLegs,
  decisionTransaction,
  equityOpening,
  payoutsInTransit,
  transitAccountOf,
  unidentifiedCredits,
  unidentifiedDebits,
  writeOffs,
} from '../postings/index.js';
import { BANK_SOURCE } from './accounts.js';
import type { BankStore } from './store.js';
import type {
  BankDecisionStore,
  PayoutKind,
  StoredBankEntry,
  StoredStatement,
  TransitPayout,
} from './decisions-store.js';

const NOTE: ActionOption = {
  action: 'note',
  effect: 'keep it open with a note; nothing is posted',
};

/** `psp-payout:<psp>:<batch>:<currency>` or `seller-payout:<payoutId>`: how bank items name a payout. */
export function payoutRef(
  payout: Pick<TransitPayout, 'kind' | 'psp' | 'ref' | 'currency'>,
): string {
  return payout.kind === 'psp_payout'
    ? `psp-payout:${payout.psp}:${payout.ref}:${payout.currency}`
    : `seller-payout:${payout.ref}`;
}

function parsePayoutRef(
  ref: string,
):
  | { kind: 'psp_payout'; psp: string; batchId: string; currency: Currency }
  | { kind: 'seller_payout'; payoutId: string }
  | undefined {
  if (ref.startsWith('seller-payout:') && ref.length > 'seller-payout:'.length)
    return { kind: 'seller_payout', payoutId: ref.slice('seller-payout:'.length) };
  const match = /^psp-payout:([^:]+):(.+):([A-Z]{3})$/.exec(ref);
  return match
    ? {
        kind: 'psp_payout',
        psp: match[1] as string,
        batchId: match[2] as string,
        currency: match[3] as Currency,
      }
    : undefined;
}

/**
 * What `BankDecisions` works with, built from the decision's connection by the SQLite side
 * (src/bank/sqlite-bank-stores.ts).
 */
export interface BankDecisionStores {
  readonly bank: BankDecisionStore;
  readonly ledger: Ledger;
  /** The operating account's as-of balance; asked for on the first balance decision only. */
  operating(): BankStore;
}

/**
 * Decisions on the bank leg's items (docs/RECONCILIATION.md "Deciding bank items"): what each
 * class may do and what each decision posts, per the shared contract of issue 16. Called by
 * `Decisions` (src/reconcile/decide.ts) inside its transaction, so review, `reconcile decide`,
 * rules and dry runs all take the same path.
 */
export class BankDecisions {
  private readonly bank: BankDecisionStore;
  private readonly ledger: Ledger;
  /** Prepared on the first balance decision only. */
  private operating: BankStore | undefined;

  constructor(
    private readonly stores: BankDecisionStores,
    private readonly store: ReconStore,
    private readonly context: DecisionContext,
  ) {
    this.bank = stores.bank;
    this.ledger = stores.ledger;
  }

  optionsFor(item: ItemRecord): ItemOptions {
    switch (item.class) {
      case 'amount_mismatch':
        return this.mismatchOptions(item);
      case 'unknown_credit':
      case 'unknown_debit':
        return this.unknownOptions(item);
      case 'bank_fee':
        if (item.detail.bank?.bookedTo === bankFees) {
          return {
            options: [
              {
                action: 'accept',
                effect: `it is already booked to ${bankFees}: nothing is posted`,
              },
              NOTE,
            ],
            proposed: 'accept',
            proposal: "the bank's charge, within the fee cap",
          };
        }
        return {
          options: [
            {
              action: 'accept',
              effect: `book ${this.money(this.entryOf(item).amountMinor, item.currency)} as the bank's charge: Dr ${bankFees} / Cr ${unidentifiedDebits}`,
            },
            NOTE,
          ],
          proposed: 'accept',
          proposal:
            "the bank marks it as its own charge, above the fee cap of the rules: check it against the bank's fee schedule",
        };
      case 'duplicate':
        return this.duplicateOptions(item);
      case 'payout_not_received':
        return this.notReceivedOptions(item);
      case 'balance_mismatch':
        return this.balanceOptions(item);
      default:
        return {
          options: [NOTE],
          proposed: 'note',
          proposal: `a bank item of class ${item.class} is only noted`,
        };
    }
  }

  /** One decision on an open bank item; the caller holds the transaction. */
  decide(
    item: ItemRecord,
    action: DecisionAction,
    options: { note?: string; linkTo?: string; rule?: string },
  ): DecisionOutcome {
    if (item.status !== 'open')
      throw new UsageError(`item ${item.itemId} is already resolved (${item.resolution ?? ''})`, {
        hint: 'see `payops reconcile report`',
      });
    const offered = this.optionsFor(item);
    const allowed = offered.options.map((option) => option.action);
    if (!allowed.includes(action))
      throw new UsageError(
        `item ${item.itemId} (${item.class}): "${action}" is not possible (possible: ${allowed.join(', ')})`,
      );
    const note = (options.note ?? '').trim();
    const rule = options.rule;
    if (action === 'note') {
      if (note === '') throw new InputError('note: say why the item stays open');
      this.record(item, 'note', note, null, [], rule);
      return {
        itemId: item.itemId,
        action,
        txIds: [],
        resolved: false,
        message: 'kept open with a note',
      };
    }
    if (action === 'link')
      return this.link(item, (options.linkTo ?? offered.linkTarget ?? '').trim(), note, rule);
    return this.post(item, action, note, rule);
  }

  private mismatchOptions(item: ItemRecord): ItemOptions {
    const payout = this.payoutOf(item);
    const restMinor = this.remainingOf(payout);
    const what = `${this.money(restMinor, item.currency)} the bank ${restMinor > 0n ? 'did not receive' : 'received beyond the payout'}`;
    return {
      options: [
        {
          action: 'accept',
          effect: `book ${what} to ${adjustments}, clearing ${transitAccountOf(payout)}`,
        },
        {
          action: 'write_off',
          effect: `write off ${what} to ${writeOffs}, clearing ${transitAccountOf(payout)}`,
        },
        NOTE,
      ],
      proposed: 'accept',
      proposal: `the bank moved ${this.money(payout.amountMinor - restMinor, item.currency)} for ${payoutRef(payout)} of ${this.money(payout.amountMinor, item.currency)}: the books follow the bank`,
    };
  }

  private unknownOptions(item: ItemRecord): ItemOptions {
    const entry = this.entryOf(item);
    const credit = item.class === 'unknown_credit';
    const suspense = credit ? unidentifiedCredits : unidentifiedDebits;
    const target = this.linkCandidate(
      credit ? 'psp_payout' : 'seller_payout',
      entry,
      item.probableRef,
    );
    const link: ActionOption = {
      action: 'link',
      effect: `the ${credit ? 'PSP payout' : 'seller payout'} it is (${credit ? 'a batch id' : 'a payout id'}, or the item id of its payout_not_received): moves it from ${suspense} to ${credit ? "the PSP's in-transit" : payoutsInTransit}`,
    };
    const options: ActionOption[] = [
      link,
      {
        action: 'accept',
        effect: `book ${this.money(entry.amountMinor, item.currency)} from ${suspense} to ${adjustments}`,
      },
      {
        action: 'write_off',
        effect: `book ${this.money(entry.amountMinor, item.currency)} from ${suspense} to ${writeOffs}`,
      },
      NOTE,
    ];
    if (target)
      return {
        options,
        proposed: 'link',
        proposal: `${target.label} awaits exactly this amount`,
        linkTarget: target.ref,
      };
    return {
      options: [NOTE, ...options.filter((option) => option.action !== 'note')],
      proposed: 'note',
      proposal: `nothing payops expects explains this ${credit ? 'credit' : 'debit'}: ask the bank who ${credit ? 'paid it' : 'took it'}; it waits in ${suspense}`,
    };
  }

  private duplicateOptions(item: ItemRecord): ItemOptions {
    const suspense = item.detail.bank?.bookedTo ?? null;
    if (suspense === null) {
      return {
        options: [
          {
            action: 'link',
            effect: 'the same entry as the one imported from another file: nothing is posted',
          },
          NOTE,
        ],
        proposed: 'link',
        proposal:
          'another statement file already brought this entry into the books; a repeated line moves no money',
        linkTarget: 'original',
      };
    }
    const amount = this.money(this.entryOf(item).amountMinor, item.currency);
    return {
      options: [
        NOTE,
        {
          action: 'accept',
          effect: `the bank did move it twice: book ${amount} from ${suspense} to ${adjustments}`,
        },
        { action: 'write_off', effect: `book ${amount} from ${suspense} to ${writeOffs}` },
      ],
      proposed: 'note',
      proposal:
        'the same statement moved this entry twice (its balances say so): ask the bank to reverse one; accept once it will not',
    };
  }

  private notReceivedOptions(item: ItemRecord): ItemOptions {
    const payout = this.payoutOf(item);
    const restMinor = this.remainingOf(payout);
    const other = this.store.openItems(BANK_SOURCE).find((candidate) => {
      if (
        candidate.class !== (payout.kind === 'psp_payout' ? 'unknown_credit' : 'unknown_debit') ||
        candidate.currency !== payout.currency
      )
        return false;
      const entry = candidate.rowId === null ? undefined : this.bank.entry(candidate.rowId);
      return entry !== undefined && entry.amountMinor === restMinor;
    });
    const options: ActionOption[] = [
      {
        action: 'link',
        effect: `the ${payout.kind === 'psp_payout' ? 'unknown credit' : 'unknown debit'} item (rm_…) that is this payout: clears it from transit`,
      },
      {
        action: 'write_off',
        effect: `write off ${this.money(restMinor, item.currency)} still in ${transitAccountOf(payout)} to ${writeOffs}`,
      },
      NOTE,
    ];
    if (other)
      return {
        options,
        proposed: 'link',
        proposal: `${other.itemId} (${other.subject}) is of exactly this amount`,
        linkTarget: other.itemId,
      };
    return {
      options: [NOTE, ...options.filter((option) => option.action !== 'note')],
      proposed: 'note',
      proposal: `past its due day: ask the ${payout.kind === 'psp_payout' ? 'PSP' : 'payout PSP'} where it is; write it off only when it will not arrive`,
    };
  }

  private balanceOptions(item: ItemRecord): ItemOptions {
    const statement = this.statementOf(item);
    const differenceMinor =
      statement.closingMinor -
      this.booksOperating(statement.currency, endOfDay(statement.closingDate));
    const counter = this.balanceCounter(statement);
    return {
      options: [
        {
          action: 'accept',
          effect: `book the closing difference ${signed(differenceMinor, item.currency)} ${item.currency} on ${bankOperating} against ${counter}, as of the end of ${statement.closingDate}`,
        },
        NOTE,
      ],
      proposed: counter === equityOpening ? 'accept' : 'note',
      proposal:
        counter === equityOpening
          ? "the first statement of this account: the difference is the bank's history before payops"
          : 'the books miss or hold an entry the bank does not: find it before accepting the difference',
    };
  }

  private post(
    item: ItemRecord,
    action: 'accept' | 'write_off',
    note: string,
    rule: string | undefined,
  ): DecisionOutcome {
    const expense = action === 'accept' ? adjustments : writeOffs;
    const by = rule ? ` by rule ${rule}` : '';
    if (item.class === 'amount_mismatch' || item.class === 'payout_not_received')
      return this.clearPayout(item, action, expense, note, rule);
    if (item.class === 'balance_mismatch') return this.acceptBalance(item, note, rule);
    const entry = this.entryOf(item);
    const suspense = item.detail.bank?.bookedTo ?? null;
    if (item.class === 'bank_fee' && suspense === bankFees) {
      const resolution = `accepted: already booked to ${bankFees}${by}`;
      this.resolve(item, resolution);
      this.record(item, action, note, null, [], rule);
      return {
        itemId: item.itemId,
        action,
        txIds: [],
        resolved: true,
        message: `${resolution}; ${this.postedText([])}`,
      };
    }
    assert(
      suspense === unidentifiedCredits || suspense === unidentifiedDebits,
      `bank item ${item.itemId} was booked to a suspense account (${suspense ?? 'none'})`,
    );
    const counter = item.class === 'bank_fee' ? bankFees : expense;
    const txId = this.postLegs(
      item,
      action,
      clearSuspenseLegs(suspense, item.currency, entry.amountMinor, counter),
      `${entry.source} ${entry.direction} ${this.money(entry.amountMinor, item.currency)}: ${suspense} to ${counter}`,
    );
    const resolution = `${action === 'accept' ? 'accepted' : 'written off'} to ${counter}${by}`;
    this.resolve(item, resolution);
    this.record(item, action, note, null, [txId], rule);
    return {
      itemId: item.itemId,
      action,
      txIds: [txId],
      resolved: true,
      message: `${resolution}; ${this.postedText([txId])}`,
    };
  }

  /** What the bank did not move of a payout (short, or never arrived) leaves transit to an expense, recorded as its `difference`. */
  private clearPayout(
    item: ItemRecord,
    action: 'accept' | 'write_off',
    expense: string,
    note: string,
    rule: string | undefined,
  ): DecisionOutcome {
    const payout = this.payoutOf(item);
    const restMinor = this.remainingOf(payout);
    const txIds: number[] = [];
    if (restMinor !== 0n) {
      const txId = this.postLegs(
        item,
        action,
        clearTransitLegs(payout, restMinor, expense),
        `${payoutRef(payout)}: ${signed(restMinor, payout.currency)} of ${this.money(payout.amountMinor, payout.currency)} not moved by the bank`,
      );
      this.bank.insertMatch({
        ...this.matchOf(payout, 'difference', null, item),
        amountMinor: restMinor,
        txId,
      });
      txIds.push(txId);
    }
    const resolution = `${action === 'accept' ? 'accepted' : 'written off'}: ${signed(restMinor, payout.currency)} ${payout.currency} of ${payoutRef(payout)} to ${expense}${rule ? ` by rule ${rule}` : ''}`;
    this.resolve(item, resolution);
    this.record(item, action, note, null, txIds, rule);
    return {
      itemId: item.itemId,
      action,
      txIds,
      resolved: true,
      message: `${resolution}; ${this.postedText(txIds)}`,
    };
  }

  private acceptBalance(item: ItemRecord, note: string, rule: string | undefined): DecisionOutcome {
    const statement = this.statementOf(item);
    const atEnd = endOfDay(statement.closingDate);
    const differenceMinor = statement.closingMinor - this.booksOperating(statement.currency, atEnd);
    const counter = this.balanceCounter(statement);
    const txIds: number[] = [];
    if (differenceMinor !== 0n) {
      const legs = balanceLegs(statement.currency, differenceMinor, counter);
      txIds.push(
        this.postLegs(
          item,
          'accept',
          legs,
          `statement ${statement.account} closing ${statement.closingDate}: the books follow the bank by ${signed(differenceMinor, statement.currency)}`,
          atEnd,
        ),
      );
    }
    const resolution = `accepted: ${signed(differenceMinor, statement.currency)} ${statement.currency} against ${counter}${rule ? ` by rule ${rule}` : ''}`;
    this.resolve(item, resolution);
    this.record(item, 'accept', note, null, txIds, rule);
    return {
      itemId: item.itemId,
      action: 'accept',
      txIds,
      resolved: true,
      message: `${resolution}; ${this.postedText(txIds)}`,
    };
  }

  private link(
    item: ItemRecord,
    target: string,
    note: string,
    rule: string | undefined,
  ): DecisionOutcome {
    if (target === '')
      throw new InputError(
        `link: name what ${item.itemId} is (a batch id, a seller payout id, or an item id rm_…)`,
      );
    if (item.class === 'duplicate') {
      if (target !== 'original')
        throw new InputError(
          `link: a repeated bank entry links to the entry it repeats ("original"), not ${target}`,
        );
      this.resolve(
        item,
        `linked: the same entry as one imported from another file${rule ? ` by rule ${rule}` : ''}`,
      );
      this.record(item, 'link', note, 'original', [], rule);
      return {
        itemId: item.itemId,
        action: 'link',
        txIds: [],
        resolved: true,
        message: 'linked to the entry it repeats; nothing posted',
      };
    }
    if (item.class === 'payout_not_received') {
      const other = this.store.item(target);
      if (
        other?.psp !== BANK_SOURCE ||
        other.status !== 'open' ||
        (other.class !== 'unknown_credit' && other.class !== 'unknown_debit')
      ) {
        throw new InputError(
          `link: ${target} is not an open unknown_credit or unknown_debit item`,
          {
            hint: 'a payout not received links to the bank entry that is it: `payops reconcile items --class unknown_credit`',
          },
        );
      }
      const outcome = this.linkEntry(other, this.payoutOf(item), note, rule);
      return {
        ...outcome,
        itemId: item.itemId,
        resolved: this.store.item(item.itemId)?.status === 'resolved',
      };
    }
    const kind: PayoutKind = item.class === 'unknown_credit' ? 'psp_payout' : 'seller_payout';
    return this.linkEntry(item, this.payoutTarget(kind, target, item.currency), note, rule);
  }

  /**
   * An unknown entry turns out to be a payout: it leaves the suspense for the payout's transit
   * account, becomes the payout's `bank` match, and the payout's own item (not received) closes.
   */
  private linkEntry(
    item: ItemRecord,
    payout: TransitPayout,
    note: string,
    rule: string | undefined,
  ): DecisionOutcome {
    const entry = this.entryOf(item);
    const ref = payoutRef(payout);
    const wanted: PayoutKind = item.class === 'unknown_credit' ? 'psp_payout' : 'seller_payout';
    if (payout.kind !== wanted) {
      throw new InputError(
        `link: ${ref} is a ${payout.kind === 'psp_payout' ? 'PSP payout (money in)' : 'seller payout (money out)'}; the ${entry.direction} ${entry.source} cannot be it`,
        { hint: 'a credit links to a PSP payout, a debit to a seller payout' },
      );
    }
    const received = this.bank.matchesOf(payout).find((match) => match.part === 'bank');
    if (received) {
      const by = received.entryId === null ? undefined : this.bank.entry(received.entryId);
      throw new InputError(
        `link: ${ref} was already received by the bank entry ${by?.source ?? `#${received.entryId}`} (${by?.bookingDate ?? ''})`,
        { hint: 'a payout is received once: accept or write off this entry instead' },
      );
    }
    const restMinor = this.remainingOf(payout);
    const writtenOff = restMinor === 0n ? this.writtenOffWhole(payout, entry) : undefined;
    if (writtenOff) return this.linkWrittenOff(item, payout, entry, writtenOff, note, rule);
    if (entry.currency !== payout.currency || entry.amountMinor !== restMinor) {
      throw new InputError(
        `link: ${ref} awaits ${this.money(restMinor, payout.currency)}, the entry ${entry.source} is ${this.money(entry.amountMinor, entry.currency)}`,
        {
          hint: 'only the same amount links; a different payment: accept or write off this entry, and write off the payout if it will not arrive',
        },
      );
    }
    const suspense = item.class === 'unknown_credit' ? unidentifiedCredits : unidentifiedDebits;
    const legs = clearSuspenseLegs(
      suspense,
      entry.currency,
      entry.amountMinor,
      transitAccountOf(payout),
    );
    const txId = this.postLegs(
      item,
      'link',
      legs,
      `${entry.source} is ${ref}: ${suspense} to ${transitAccountOf(payout)}`,
    );
    this.insertReceipt(payout, entry, item, txId);
    this.resolve(item, `linked to ${ref}${rule ? ` by rule ${rule}` : ''}`);
    this.record(item, 'link', note, ref, [txId], rule);
    const payoutItem = this.store.item(
      new Items(this.store, BANK_SOURCE, this.context.runId, this.now()).itemIdOf(ref),
    );
    if (payoutItem?.status === 'open') {
      this.resolve(payoutItem, `received: ${entry.source}, linked from ${item.itemId}`);
      this.record(payoutItem, 'link', note, item.itemId, [], rule);
    }
    return {
      itemId: item.itemId,
      action: 'link',
      txIds: [txId],
      resolved: true,
      message: `linked to ${ref}; ${this.postedText([txId])}`,
    };
  }

  /**
   * A payout decided away whole (written off or accepted as never arriving) whose money the bank
   * then shows: the one `difference` of exactly the entry's amount, and the account it went to.
   */
  private writtenOffWhole(
    payout: TransitPayout,
    entry: StoredBankEntry,
  ): { counter: string } | undefined {
    const matches = this.bank.matchesOf(payout);
    const [only] = matches;
    if (
      matches.length !== 1 ||
      only?.part !== 'difference' ||
      only.txId === null ||
      only.amountMinor !== entry.amountMinor ||
      entry.currency !== payout.currency
    )
      return undefined;
    const counter = this.ledger
      .getTransaction(Number(only.txId))
      .entries.find((leg) => leg.account !== transitAccountOf(payout));
    return counter ? { counter: counter.account } : undefined;
  }

  /**
   * The late arrival of a payout written off: the entry leaves its suspense for the account the
   * write-off went to (reversing it), becomes the payout's `bank` match, and a negative
   * `difference` undoes the write-off's, so the payout's matches still sum to what the PSP said.
   */
  private linkWrittenOff(
    item: ItemRecord,
    payout: TransitPayout,
    entry: StoredBankEntry,
    writtenOff: { counter: string },
    note: string,
    rule: string | undefined,
  ): DecisionOutcome {
    const ref = payoutRef(payout);
    const suspense = item.class === 'unknown_credit' ? unidentifiedCredits : unidentifiedDebits;
    const legs = clearSuspenseLegs(suspense, entry.currency, entry.amountMinor, writtenOff.counter);
    const txId = this.postLegs(
      item,
      'link',
      legs,
      `${entry.source} is ${ref}, written off before it arrived: ${suspense} to ${writtenOff.counter}, reversing the write-off`,
    );
    this.insertReceipt(payout, entry, item, txId);
    this.bank.insertMatch({
      ...this.matchOf(payout, 'difference', null, item),
      amountMinor: -entry.amountMinor,
      txId,
    });
    this.resolve(
      item,
      `linked to ${ref}, written off before it arrived: the write-off is reversed${rule ? ` by rule ${rule}` : ''}`,
    );
    this.record(item, 'link', note, ref, [txId], rule);
    return {
      itemId: item.itemId,
      action: 'link',
      txIds: [txId],
      resolved: true,
      message: `linked to ${ref}; its write-off reversed to ${writtenOff.counter}; ${this.postedText([txId])}`,
    };
  }

  /** The unique index holds a payout to one receipt whatever a check above missed; its refusal is said in words. */
  private insertReceipt(
    payout: TransitPayout,
    entry: StoredBankEntry,
    item: ItemRecord,
    txId: number,
  ): void {
    try {
      this.bank.insertMatch({
        ...this.matchOf(payout, 'bank', entry.id, item),
        amountMinor: entry.amountMinor,
        txId,
      });
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
      throw new InputError(
        `link: ${payoutRef(payout)} was already received by another bank entry`,
        { hint: 'see `payops reconcile payouts`' },
      );
    }
  }

  /** A link target: the item id of the payout's own item, its reference, or a batch id / seller payout id. */
  private payoutTarget(kind: PayoutKind, target: string, currency: Currency): TransitPayout {
    const what = kind === 'psp_payout' ? 'PSP payout batch' : 'succeeded seller payout';
    let ref = target;
    if (target.startsWith('rm_')) {
      const other = this.store.item(target);
      if (
        other?.psp !== BANK_SOURCE ||
        other.class !== 'payout_not_received' ||
        other.internalRef === null
      )
        throw new InputError(`link: ${target} is not a payout_not_received item`);
      ref = other.internalRef;
    }
    const parsed = parsePayoutRef(ref);
    if (parsed !== undefined && parsed.kind !== kind)
      throw new InputError(
        `link: ${target} is not a ${what}: a ${kind === 'psp_payout' ? 'credit' : 'debit'} cannot be it`,
      );
    if (parsed?.kind === 'psp_payout')
      return this.knownPayout(
        this.bank.pspPayout(parsed.psp, parsed.batchId, parsed.currency),
        target,
        what,
      );
    if (parsed?.kind === 'seller_payout')
      return this.knownPayout(this.bank.sellerPayout(parsed.payoutId), target, what);
    if (kind === 'seller_payout')
      return this.knownPayout(this.bank.sellerPayout(target), target, what);
    const psps = this.bank.pspsWithBatch(target, currency);
    if (psps.length > 1)
      throw new InputError(
        `link: batch ${target} (${currency}) was paid by ${psps.join(' and ')}`,
        { hint: `name it whole: psp-payout:<psp>:${target}:${currency}` },
      );
    return this.knownPayout(
      psps[0] === undefined ? undefined : this.bank.pspPayout(psps[0], target, currency),
      `${target} (${currency})`,
      what,
    );
  }

  private knownPayout(
    payout: TransitPayout | undefined,
    target: string,
    what: string,
  ): TransitPayout {
    if (payout === undefined)
      throw new InputError(`link: payops has no ${what} ${target}`, {
        hint: 'see `payops reconcile payouts`',
      });
    return payout;
  }

  /** The payout an unknown entry probably is: its proposed reference, else the one open payout item of exactly its amount. */
  private linkCandidate(
    kind: PayoutKind,
    entry: StoredBankEntry,
    probableRef: string | null,
  ): { ref: string; label: string } | undefined {
    const fits = (payout: TransitPayout | undefined) =>
      payout !== undefined &&
      payout.currency === entry.currency &&
      this.remainingOf(payout) === entry.amountMinor &&
      !this.bank.matchesOf(payout).some((match) => match.part === 'bank');
    const proposed = probableRef === null ? undefined : parsePayoutRef(probableRef);
    if (proposed?.kind === kind && fits(this.payoutFromRef(probableRef as string)))
      return { ref: probableRef as string, label: probableRef as string };
    const waiting = this.store
      .openItems(BANK_SOURCE)
      .filter(
        (candidate) =>
          candidate.class === 'payout_not_received' &&
          candidate.internalRef !== null &&
          parsePayoutRef(candidate.internalRef)?.kind === kind,
      )
      .filter((candidate) => fits(this.payoutFromRef(candidate.internalRef as string)));
    return waiting.length === 1
      ? {
          ref: (waiting[0] as ItemRecord).itemId,
          label: `${(waiting[0] as ItemRecord).internalRef ?? ''} (${(waiting[0] as ItemRecord).itemId})`,
        }
      : undefined;
  }

  private payoutFromRef(ref: string): TransitPayout | undefined {
    const parsed = parsePayoutRef(ref);
    if (parsed === undefined) return undefined;
    return parsed.kind === 'psp_payout'
      ? this.bank.pspPayout(parsed.psp, parsed.batchId, parsed.currency)
      : this.bank.sellerPayout(parsed.payoutId);
  }

  private payoutOf(item: ItemRecord): TransitPayout {
    const payout = item.internalRef === null ? undefined : this.payoutFromRef(item.internalRef);
    assert(
      payout !== undefined,
      `bank item ${item.itemId} names its payout (${item.internalRef ?? 'none'})`,
    );
    return payout;
  }

  /** What of a payout no bank entry and no decision has cleared yet. */
  private remainingOf(payout: TransitPayout): bigint {
    return this.bank
      .matchesOf(payout)
      .reduce((rest, match) => rest - match.amountMinor, payout.amountMinor);
  }

  private entryOf(item: ItemRecord): StoredBankEntry {
    const entry = item.rowId === null ? undefined : this.bank.entry(item.rowId);
    assert(entry !== undefined, `bank item ${item.itemId} has its bank entry`);
    return entry;
  }

  private statementOf(item: ItemRecord): StoredStatement {
    const match = /^balance:(.+):([A-Z]{3}):(\d{4}-\d{2}-\d{2})$/.exec(item.subject);
    const statement = match
      ? this.bank.statementClosing(match[1] as string, match[2] as Currency, match[3] as string)
      : undefined;
    assert(
      statement !== undefined,
      `balance item ${item.itemId} has its statement (${item.subject})`,
    );
    return statement;
  }

  /** equity:opening when no earlier statement of the account was imported (the bank's history before payops), else adjustments. */
  private balanceCounter(statement: StoredStatement): string {
    return this.bank.hasEarlierStatement(
      statement.account,
      statement.currency,
      statement.openingDate,
    )
      ? adjustments
      : equityOpening;
  }

  private booksOperating(currency: Currency, asOf: string): bigint {
    // The one-account as-of query: balances() would compute every account of the book (one per seller).
    return (this.operating ??= this.stores.operating()).operatingBalance(currency, asOf);
  }

  private matchOf(
    payout: TransitPayout,
    part: 'bank' | 'difference',
    entryId: bigint | null,
    item: ItemRecord,
  ) {
    return {
      kind: payout.kind,
      part,
      entryId,
      itemId: item.id,
      psp: payout.psp,
      ref: payout.ref,
      currency: payout.currency,
      runId: this.context.runId,
      at: this.now(),
    };
  }

  private postLegs(
    item: ItemRecord,
    action: 'accept' | 'write_off' | 'link',
    legs: Leg[],
    description: string,
    effectiveAt = this.now(),
  ): number {
    const sequence =
      this.store.decisionsOfItem(item.id).filter((decision) => decision.txIds.length > 0).length +
      1;
    return this.ledger.post(
      decisionTransaction(
        'bank',
        action,
        { itemId: item.itemId, class: item.class, psp: BANK_SOURCE },
        sequence,
        { description, effectiveAt, legs },
      ),
    ).txId;
  }

  private resolve(item: ItemRecord, resolution: string): void {
    new Items(this.store, BANK_SOURCE, this.context.runId, this.now()).resolve(
      item,
      resolution,
      this.context.by,
    );
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

  private postedText(txIds: readonly number[]): string {
    if (txIds.length === 0) return this.context.dryRun ? 'would post nothing' : 'posted nothing';
    if (this.context.dryRun)
      return `would post ${txIds.length} transaction${txIds.length === 1 ? '' : 's'}`;
    return `posted ${txIds.map((id) => `#${id}`).join(', ')}`;
  }

  private money(minor: bigint, currency: Currency): string {
    return `${formatAmount(minor < 0n ? -minor : minor, currency)} ${currency}`;
  }

  private now(): string {
    return new Date(this.context.clock()).toISOString();
  }
}

/** The instant a statement's closing balance is stated at: the end of its day (contract: bank postings' effective time). */
function endOfDay(day: string): string {
  return `${day}T23:59:59.999Z`;
}

function signed(minor: bigint, currency: Currency): string {
  return minor < 0n ? `-${formatAmount(-minor, currency)}` : `+${formatAmount(minor, currency)}`;
}
