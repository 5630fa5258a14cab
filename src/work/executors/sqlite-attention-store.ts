import { type Database, inTransaction } from '../../db/index.js';
import type { StoredAnswer } from '../../payments/attention.js';
import { UnrecordedAnswers } from '../../payments/unrecorded-answers-store.js';
import { DEFAULT_RETRY_POLICY } from '../../payments/retry-policy.js';
import { PaymentsStore } from '../../payments/store.js';
import type { ChargeResult, PaymentServiceProvider } from '../../psp/port.js';
import type { Clock } from '../../time.js';
import type { AttentionStore } from './attention-store.js';
import { emptyTally } from './charge.js';
import { PayoutExecutor, emptyPayoutTally } from './payout.js';
import { RefundExecutor, emptyRefundTally } from './refund.js';
import { sqliteChargeRecorder } from './sqlite-charge-recorder.js';
import { sqliteExecutorBook } from './sqlite-executor-book.js';

/** The kept answers on SQLite: booking a charge's is one transaction, as before the port. */
export class SqliteAttentionStore implements AttentionStore {
  constructor(private readonly db: Database) {}

  async open(): Promise<StoredAnswer[]> {
    return new UnrecordedAnswers(this.db).open();
  }

  async keptFor(itemId: string): Promise<StoredAnswer[]> {
    return new UnrecordedAnswers(this.db).byItemId(itemId);
  }

  async bookCharge(
    fact: StoredAnswer,
    result: ChargeResult,
    actor: string,
    clock: Clock,
  ): Promise<boolean> {
    const db = this.db;
    return inTransaction(db, () => {
      const order = new PaymentsStore(db).orderForOutcome(fact.itemId);
      if (order === undefined || order.fromStatus !== 'needs_attention') return false;
      const at = new Date(clock()).toISOString();
      const tally = emptyTally();
      sqliteChargeRecorder(db, {
        psp: fact.psp,
        retry: DEFAULT_RETRY_POLICY,
        random: Math.random,
      }).record([order], [result], tally, null, at);
      if (tally.succeeded + tally.failed !== 1) return false;
      return new UnrecordedAnswers(db).resolve(fact.id, at, actor);
    });
  }

  async bookTransfer(
    fact: StoredAnswer,
    actor: string,
    options: { psp: PaymentServiceProvider; clock: Clock },
  ): Promise<boolean> {
    const engineOptions = { ...options, retry: DEFAULT_RETRY_POLICY };
    const book = sqliteExecutorBook(this.db);
    if (fact.kind === 'refund')
      return new RefundExecutor(book, engineOptions).bookKept(fact, actor, emptyRefundTally());
    return new PayoutExecutor(book, engineOptions).bookKept(fact, actor, emptyPayoutTally());
  }
}
