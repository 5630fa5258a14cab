import type { PaymentEvent } from '../payments/events.js';

/** One event of a batch, checked and hashed, with where it was read (`FILE:LINE`). */
export interface IntakeEntry {
  event: PaymentEvent;
  source: string;
}

/** One intake unit of work: these entries, in order, for orders charged through `psp`. */
export interface IntakeBatch<Entry extends IntakeEntry> {
  psp: string;
  entries: readonly Entry[];
}

/**
 * What the unit of work did with one entry. Accepted entries name their kind; the others say why
 * not, as facts the service phrases (`refused` carries the reason of the rule that refused it).
 */
export type IntakeVerdict =
  | { kind: 'pay_in' }
  | { kind: 'refund' }
  /** A pay_out whose order was captured: its seller share became payable. */
  | { kind: 'released' }
  /** A pay_out accepted for an order not captured yet: held until it is (or until it cannot be). */
  | { kind: 'held' }
  /** The same event (id and content) again: nothing changed. */
  | { kind: 'duplicate' }
  /** The same event id with other content: the original stands. */
  | { kind: 'conflict' }
  /** The pay_in's `orders[index]` already belongs to another event. */
  | { kind: 'order_taken'; index: number; orderId: string; ownerEventId: string }
  /** Refused by the rule of its kind (refund intake, release, hold). */
  | { kind: 'refused'; field: string; reason: string }
  /** A pay_out rejected while held, sent again before its order is captured: it cannot be held twice. */
  | { kind: 'resent_waits'; field: string; reason: string };

/**
 * Intake's storage port (DESIGN.md §10): one async method per unit of work. SQLite's
 * implementation is src/intake/sqlite-intake-store.ts.
 */
export interface IntakeStore extends IntakeBatches {
  /** The book's file, which a rejects file must never be (undefined when the book is no file). */
  readonly bookFile: string | undefined;
  /**
   * `--all-or-nothing`: one transaction around every batch of the run (each batch nested in it),
   * committed or rolled back by the caller once every input is read.
   */
  beginWhole(): Promise<WholeIntake>;
}

/** Where intake batches are written: the store, or the one transaction of a whole run. */
export interface IntakeBatches {
  /**
   * One batch, one transaction: events, orders and their first transitions, releases of pay_outs
   * (their postings and wallet changes), refund intake, held pay_outs. `onVerdict` is told each
   * entry's verdict, in order, as it is decided inside the transaction: a throw from it rolls the
   * whole batch back.
   */
  ingestBatch<Entry extends IntakeEntry>(
    batch: IntakeBatch<Entry>,
    onVerdict: (entry: Entry, verdict: IntakeVerdict) => void,
  ): Promise<void>;
}

/** The one transaction of an `--all-or-nothing` run: its batches are written through it. */
export interface WholeIntake extends IntakeBatches {
  commit(): Promise<void>;
  /** Undoes every batch of the run; nothing to do when the storage already rolled it back. */
  rollback(): Promise<void>;
}
