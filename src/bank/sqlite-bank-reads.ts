import type { Database } from '../db/index.js';
import { itemIdOf } from '../reconcile/classes.js';
import { type ItemRecord, ReconStore } from '../reconcile/store.js';
import { BANK_SOURCE } from './accounts.js';
import { payoutRef } from './decide.js';
import { BankDecisionStore, type TransitPayout } from './decisions-store.js';
import type { BankReads, PayoutFacts } from './bank-reads.js';
import { type BankEntryFacts, entryFactsOf } from './review-panel.js';

/** `reconcile payouts`' reads on SQLite, through BankDecisionStore and ReconStore: plain reads, no transaction (as before the port). */
export class SqliteBankReads implements BankReads {
  constructor(private readonly db: Database) {}

  async payoutLegs(
    psp: string | undefined,
  ): Promise<{ payouts: PayoutFacts[]; openBankItems: ItemRecord[] }> {
    const bank = new BankDecisionStore(this.db);
    const store = new ReconStore(this.db);
    const payouts = [...bank.pspPayouts(psp), ...bank.sellerPayouts(psp)];
    return {
      payouts: payouts.map((payout) => factsOf(bank, store, payout)),
      openBankItems: store.openItems(BANK_SOURCE),
    };
  }
}

function factsOf(bank: BankDecisionStore, store: ReconStore, payout: TransitPayout): PayoutFacts {
  const matches = bank.matchesOf(payout);
  const receipt = matches.find((match) => match.part === 'bank');
  const entry = receipt?.entryId == null ? undefined : bank.entry(receipt.entryId);
  return {
    payout,
    matches,
    receiptEntry: entry && { bookingDate: entry.bookingDate, source: entry.source },
    ownItem: store.item(itemIdOf(BANK_SOURCE, payoutRef(payout))),
  };
}

/**
 * The entry a bank item is about, read for the review panel; undefined for payout and balance
 * items. Synchronous: the review's bank leg reads it inside the review's SQLite store.
 */
export function bankEntryOf(db: Database, item: ItemRecord): BankEntryFacts | undefined {
  if (item.psp !== BANK_SOURCE || item.rowId === null) return undefined;
  const entry = new BankDecisionStore(db).entry(item.rowId);
  return entry && entryFactsOf(entry);
}
