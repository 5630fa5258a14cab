import type { OrderBirthRow, RefundBirthRow } from '../db/index.js';
import type { AccountBalance } from '../ledger/balances.js';
import type { LedgerVerifyReads } from '../ledger/verify.js';
import type { WalletBalance } from '../wallet/wallet-store.js';
import type {
  AccountNetRow,
  AttentionRow,
  ClawedRow,
  DisputeIdRow,
  EntryGroupRow,
  EventOrdersRow,
  FeeRunRow,
  InternalRefRow,
  LeaseRow,
  MatchGroupRow,
  MatchedRow,
  OpenAnswerRow,
  OrderIdRow,
  OrderTotalsRow,
  OwedRow,
  PaidBatchRow,
  PaidRow,
  PayoutIdRow,
  PspOrderRow,
  PspPayoutRow,
  RefundIdRow,
  RefundSumsRow,
  SettlementRow,
  SettlementRowsRow,
  StrayPostingRow,
  TxKindRow,
  UnpostedEntryRow,
  UnsettledRow,
} from './check-rows.js';

/**
 * check's own read-only storage port (DESIGN.md §10): `payops check` recomputes every invariant
 * from the rows through it, and asks no service. `inSnapshot` is the one unit of work: every read
 * of `work` sees the books as of one moment, whatever other processes commit meanwhile (SQLite:
 * one read transaction; PostgreSQL: one REPEATABLE READ, READ ONLY transaction on one connection).
 * Nothing in it writes.
 */
export interface CheckSource {
  inSnapshot<T>(work: (reads: CheckReads) => Promise<T>): Promise<T>;
}

export type CheckCount =
  | 'events'
  | 'succeededOrders'
  | 'succeededPayouts'
  | 'succeededRefunds'
  | 'bankMatches';

/**
 * The reads of one snapshot, rows checked as they are read. A read that returns a list reads it
 * whole, as check always has (most are LIMIT 50, or one row per seller, PSP, account, settlement
 * or bank transaction); what walks orders, refunds or the journal row by row is an async
 * iteration, so memory stays flat. The journal's own reads are the ledger verification's.
 */
export interface CheckReads extends LedgerVerifyReads {
  /** The first read of a snapshot: it fixes what every later read of it sees. */
  fixSnapshot(): Promise<void>;
  count(what: CheckCount): Promise<bigint>;
  /** Only a book read below a table's schema version (the migration tests' "before" side) lacks it. */
  hasTable(name: 'unrecorded_answers' | 'bank_matches'): Promise<boolean>;
  /** Balances now, as `ledger balance` reads them (src/ledger/balances.ts). */
  ledgerBalances(query?: {
    accountPrefix?: string;
    includeZero?: boolean;
  }): Promise<AccountBalance[]>;
  /** Every wallet, by seller and currency. */
  wallets(): Promise<WalletBalance[]>;

  eventsMissingOrders(): Promise<EventOrdersRow[]>;
  orderBirths(): AsyncIterable<OrderBirthRow>;
  refundBirths(): AsyncIterable<RefundBirthRow>;
  succeededWithoutCapture(): Promise<OrderIdRow[]>;
  capturesOfUnsucceededOrders(): Promise<StrayPostingRow[]>;

  unpostedPayouts(): Promise<PayoutIdRow[]>;
  strayPayoutPostings(): Promise<StrayPostingRow[]>;
  owedBySeller(): AsyncIterable<OwedRow>;
  paidBySeller(): AsyncIterable<PaidRow>;
  payoutsOfPsp(psp: string): Promise<PspPayoutRow[]>;

  unpostedRefunds(): Promise<RefundIdRow[]>;
  strayRefundPostings(): Promise<{ id: bigint; idempotency_key: string }[]>;
  refundSumsByOrder(): AsyncIterable<RefundSumsRow>;
  chargebacksByOrder(): AsyncIterable<ClawedRow>;
  ordersWithRefunds(): AsyncIterable<OrderIdRow>;
  orderTotals(orderId: string): Promise<OrderTotalsRow | undefined>;
  unpostedChargebacks(): Promise<DisputeIdRow[]>;

  executingLeases(): Promise<LeaseRow[]>;
  openUnrecordedAnswers(): Promise<OpenAnswerRow[]>;
  attentionWithoutAnswer(): Promise<AttentionRow[]>;
  /** Sorted by order id, streamed: the merge join with the PSP's charges keeps memory flat. */
  ordersOfPsp(psp: string): AsyncIterable<PspOrderRow>;

  transitBalances(names: { prefix: string; payouts: string }): Promise<AccountNetRow[]>;
  transitSettled(prefix: string): Promise<AccountNetRow[]>;
  transitSent(payouts: string): Promise<AccountNetRow[]>;
  bankMatchesByKind(): Promise<MatchedRow[]>;
  bankMatchesByTx(): Promise<MatchGroupRow[]>;
  bankEntriesByTx(): Promise<EntryGroupRow[]>;
  unpostedBankEntries(): Promise<UnpostedEntryRow[]>;
  /** What transaction `txId` moved on the account, as debits less credits. */
  movedOn(txId: bigint, account: string, currency: string): Promise<bigint>;
  /** What transaction `txId` moved on the account, whatever its currency. */
  movedOnAnyCurrency(txId: bigint, account: string): Promise<bigint>;

  rowsBySettlement(): AsyncIterable<SettlementRowsRow>;
  settlements(): Promise<SettlementRow[]>;
  settlementTransactions(): Promise<TxKindRow[]>;
  unsettledRows(): Promise<UnsettledRow[]>;
  feeRuns(): Promise<FeeRunRow[]>;
  transactionIdByKey(idempotencyKey: string): Promise<bigint | undefined>;
  pspFeesOf(txId: bigint): Promise<bigint>;
  feesBookedTwice(): Promise<InternalRefRow[]>;
  /** Each decision with the ids of the transactions it posted. */
  decisions(): Promise<{ id: bigint; txIds: number[] }[]>;
  reconcileTransactions(): Promise<TxKindRow[]>;
  resolvedPaidBatches(): Promise<PaidBatchRow[]>;
}
