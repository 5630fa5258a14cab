import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { Database } from '../db/index.js';
import { failpoint } from '../failpoints.js';
import type { Currency } from '../money/index.js';
import { nowIso } from '../time.js';
import { Ledger, type PostingRequest } from '../ledger/index.js';
import { Releases } from '../payouts/release.js';
import { RefundIntake } from '../refunds/apply.js';
import { Wallets, type WalletDelta } from '../wallet/wallet.js';
import type { PayInEvent, PayOutEvent, PaymentEvent } from '../payments/events.js';
import { HeldPayOuts } from '../payouts/held-payouts.js';
import { PaymentsStore } from '../payments/store.js';
import { type OutputGuard, PrivateFile, assertSafeOutput } from '../private-files.js';
import { redactCardNumbers } from '../input/card-numbers.js';
import { judgedRecordsOf } from './read-ahead.js';
import { type SourceRecord, assertReadableFile, detectFormat } from './readers.js';

export interface Rejection {
  file: string;
  line: number;
  eventId?: string;
  field: string;
  reason: string;
}

export interface IntakeSummary {
  eventsRead: number;
  eventsAccepted: number;
  duplicates: number;
  rejected: number;
  ordersAccepted: number;
  /** pay_out events applied: orders whose seller share became payable. */
  releases: number;
  /** refund events accepted: each is executed through the PSP in this run. */
  refunds: number;
  /** pay_out events accepted for an order not captured yet: held until it is (or until it cannot be). */
  payOutsHeld: number;
  acceptedMinor: Map<Currency, bigint>;
  /** The first rejections, for the terminal; all of them are in the rejects file. */
  rejections: Rejection[];
  rejectsFiles: string[];
  /** Inputs that held no record at all (an empty file is said, not passed over in silence). */
  emptyFiles: string[];
  /** True when --all-or-nothing refused the whole input. */
  rolledBack: boolean;
}

export interface IntakeOptions {
  psp: string;
  format?: string;
  allOrNothing?: boolean;
  /**
   * Default: `<input>.rejects.ndjson` beside each input; for an input that is not a file of its
   * own (`/dev/stdin`, `/proc/self/fd/0`), `<its name>.rejects.ndjson` in the current folder.
   */
  rejectsFile?: string;
  /** The PSP's state file: the rejects file must not be it (nor the database, nor an input). */
  pspStateFile?: string;
  batchSize?: number;
  onRecord?: (bytesHint: number) => void;
}

const MAX_REJECTIONS_SHOWN = 20;
const DEFAULT_INTAKE_BATCH = 5_000;

function emptyIntakeSummary(): IntakeSummary {
  return {
    eventsRead: 0,
    eventsAccepted: 0,
    duplicates: 0,
    rejected: 0,
    ordersAccepted: 0,
    releases: 0,
    refunds: 0,
    payOutsHeld: 0,
    acceptedMinor: new Map(),
    rejections: [],
    rejectsFiles: [],
    emptyFiles: [],
    rolledBack: false,
  };
}

/**
 * Reads event files into orders. Each file streams in batches, each batch one transaction; a
 * rejected record is reported and written to the rejects file, and the good ones go on. With
 * `allOrNothing` the whole input is one transaction that is rolled back if anything is rejected.
 * The same event again (same id, same content) is a duplicate and changes nothing; the same id
 * with other content, or an order id that belongs to another event, is rejected as a conflict.
 */
export async function ingest(
  db: Database,
  files: readonly string[],
  options: IntakeOptions,
): Promise<IntakeSummary> {
  const summary = emptyIntakeSummary();
  const writer: BatchWriter = {
    store: new PaymentsStore(db),
    releases: new Releases(db),
    held: new HeldPayOuts(db),
    refunds: new RefundIntake(db),
    ledger: new Ledger(db),
    wallets: new Wallets(db),
  };
  const batchSize = options.batchSize ?? DEFAULT_INTAKE_BATCH;
  // Where rejected records go is checked before anything is read: a run must not stop half way
  // because the first rejection cannot be written down.
  const guard: OutputGuard = {
    database: db.name,
    pspState: options.pspStateFile,
    inputs: files,
    ...(options.rejectsFile === undefined ? {} : { flag: '--rejects' }),
  };
  for (const file of files) {
    assertReadableFile(file);
    const rejectsFile = options.rejectsFile ?? defaultRejectsFile(file);
    assertCanWriteBeside(rejectsFile);
    assertSafeOutput(rejectsFile, guard);
  }
  const writers = new RejectsWriters(guard);
  if (options.allOrNothing) db.exec('BEGIN IMMEDIATE');
  try {
    for (const file of files) {
      const format = await detectFormat(file, options.format);
      const rejects = writers.for(options.rejectsFile ?? defaultRejectsFile(file));
      const reject = (
        record: SourceRecord,
        error: { field: string; reason: string; eventId?: string },
      ): void => {
        summary.rejected++;
        const rejection = redactRejection({
          file,
          line: record.line,
          field: error.field,
          reason: error.reason,
          ...(error.eventId ? { eventId: error.eventId } : {}),
        });
        if (summary.rejections.length < MAX_REJECTIONS_SHOWN) summary.rejections.push(rejection);
        rejects.write(rejection, record.text);
      };
      const readBefore = summary.eventsRead;
      let batch: { record: SourceRecord; event: PaymentEvent }[] = [];
      const flush = (): void => {
        if (batch.length === 0) return;
        const current = batch;
        batch = [];
        writeBatch(db, writer, current, file, options.psp, summary, reject);
        failpoint('intake.after-batch');
      };
      for await (const { record, event, rejection } of judgedRecordsOf(file, format)) {
        summary.eventsRead++;
        options.onRecord?.(record.text.length + 1);
        if (rejection) {
          reject(record, rejection);
          continue;
        }
        batch.push({ record, event });
        if (batch.length >= batchSize) flush();
      }
      flush();
      if (summary.eventsRead === readBefore) summary.emptyFiles.push(file);
    }
    summary.rejectsFiles.push(...writers.commit());
    if (options.allOrNothing) {
      if (summary.rejected > 0) {
        db.exec('ROLLBACK');
        summary.rolledBack = true;
        summary.eventsAccepted = 0;
        summary.duplicates = 0;
        summary.ordersAccepted = 0;
        summary.releases = 0;
        summary.refunds = 0;
        summary.payOutsHeld = 0;
        summary.acceptedMinor = new Map();
      } else {
        db.exec('COMMIT');
      }
    }
    return summary;
  } catch (error) {
    if (options.allOrNothing && db.inTransaction) db.exec('ROLLBACK');
    writers.commitWhatCan();
    throw error;
  }
}

/**
 * `<input>.rejects.ndjson` beside a file; for an input that is not a file of its own (a device, a
 * descriptor under /dev or /proc, where nothing can or should be written), `<name>.rejects.ndjson`
 * in the current folder: `payops payin run /dev/stdin` writes ./stdin.rejects.ndjson.
 */
function defaultRejectsFile(file: string): string {
  const absolute = path.resolve(file);
  const special = ['/dev/', '/proc/'].some((prefix) => absolute.startsWith(prefix));
  const link = fs.lstatSync(file, { throwIfNoEntry: false });
  const ownFile = link !== undefined && (link.isFile() || link.isSymbolicLink());
  return special || !ownFile
    ? path.resolve(`${path.basename(absolute)}.rejects.ndjson`)
    : `${file}.rejects.ndjson`;
}

interface BatchWriter {
  store: PaymentsStore;
  releases: Releases;
  held: HeldPayOuts;
  refunds: RefundIntake;
  ledger: Ledger;
  wallets: Wallets;
}

function writeBatch(
  db: Database,
  writer: BatchWriter,
  batch: readonly { record: SourceRecord; event: PaymentEvent }[],
  file: string,
  psp: string,
  summary: IntakeSummary,
  reject: (
    record: SourceRecord,
    error: { field: string; reason: string; eventId?: string },
  ) => void,
): void {
  const { store } = writer;
  db.transaction(() => {
    const at = nowIso();
    const knownEvents = store.existingEvents(batch.map(({ event }) => event.eventId));
    const knownOrders = store.existingOrders(
      batch.flatMap(({ event }) =>
        event.type === 'pay_in' ? event.orders.map((order) => order.orderId) : [],
      ),
    );
    const postings: PostingRequest[] = [];
    const deltas: WalletDelta[] = [];
    for (const { record, event } of batch) {
      const known = knownEvents.get(event.eventId);
      const rejectedWhileHeld =
        known === event.contentHash && event.type === 'pay_out'
          ? writer.held.rejectedEarlier(event.eventId)
          : undefined;
      if (rejectedWhileHeld !== undefined && event.type === 'pay_out') {
        const refused = acceptResentPayOut(
          writer,
          event,
          rejectedWhileHeld,
          at,
          summary,
          postings,
          deltas,
        );
        if (refused) reject(record, { ...refused, eventId: event.eventId });
        continue;
      }
      if (known !== undefined) {
        if (known === event.contentHash) summary.duplicates++;
        else
          reject(record, {
            field: 'eventId',
            reason: `${event.eventId} was already accepted with different content (conflict); the original stands`,
            eventId: event.eventId,
          });
        continue;
      }
      if (event.type === 'refund') {
        const accepted = writer.refunds.apply(event, `${file}:${record.line}`, at);
        if (!accepted.ok) {
          reject(record, {
            field: accepted.field,
            reason: accepted.reason,
            eventId: event.eventId,
          });
          continue;
        }
        store.insertEvent(event, `${file}:${record.line}`, at);
        knownEvents.set(event.eventId, event.contentHash);
        summary.eventsAccepted++;
        summary.refunds++;
        continue;
      }
      if (event.type === 'pay_out') {
        const refused = acceptPayOut(
          writer,
          event,
          `${file}:${record.line}`,
          at,
          summary,
          postings,
          deltas,
        );
        if (refused) reject(record, { ...refused, eventId: event.eventId });
        else knownEvents.set(event.eventId, event.contentHash);
        continue;
      }
      const clash = event.orders.findIndex((order) => knownOrders.has(order.orderId));
      if (clash >= 0) {
        const order = event.orders[clash] as PayInEvent['orders'][number];
        reject(record, {
          field: `orders[${clash}].orderId`,
          reason: `${order.orderId} already belongs to event ${knownOrders.get(order.orderId)}`,
          eventId: event.eventId,
        });
        continue;
      }
      store.insertPayIn(event, `${file}:${record.line}`, psp, at);
      knownEvents.set(event.eventId, event.contentHash);
      for (const order of event.orders) knownOrders.set(order.orderId, event.eventId);
      summary.eventsAccepted++;
      summary.ordersAccepted += event.orders.length;
      const total = event.orders.reduce((sum, order) => sum + order.amountMinor, 0n);
      summary.acceptedMinor.set(
        event.currency,
        (summary.acceptedMinor.get(event.currency) ?? 0n) + total,
      );
    }
    // Releases move ledger money and wallets in the same transaction as their events.
    if (postings.length > 0)
      writer.ledger.postBatch(
        postings,
        (index) => `release of ${postings[index]?.metadata?.orderId ?? index}`,
      );
    if (deltas.length > 0) writer.wallets.apply(deltas, at);
  }).immediate();
}

/**
 * A pay_out: released now (its posting and wallet delta join the batch's), held when its order may
 * still be captured, or refused with the reason (returned).
 */
function acceptPayOut(
  writer: BatchWriter,
  event: PayOutEvent,
  source: string,
  at: string,
  summary: IntakeSummary,
  postings: PostingRequest[],
  deltas: WalletDelta[],
): { field: string; reason: string } | undefined {
  const released = writer.releases.apply(event, at);
  if (!released.ok && !released.wait) return { field: released.field, reason: released.reason };
  if (!released.ok) {
    const held = writer.held.hold(event, source, at);
    if (!held.ok) return { field: held.field, reason: held.reason };
    // Its seller details wait with it: applied at its release, never if it is rejected.
    writer.store.insertEvent(event, source, at);
    summary.eventsAccepted++;
    summary.payOutsHeld++;
    return undefined;
  }
  writer.store.insertEvent(event, source, at);
  if (released.posting) postings.push(released.posting);
  if (released.delta) deltas.push(released.delta);
  summary.eventsAccepted++;
  summary.releases++;
  return undefined;
}

/**
 * The same pay_out again after it was rejected while held: its event row stays (events are never
 * deleted) but it released nothing, so it is judged again. Released now if its order is captured
 * (its seller details by its first acceptance's order, as a held release); refused otherwise.
 * It cannot be held a second time (a held row is resolved once): re-send it once the order is captured.
 */
function acceptResentPayOut(
  writer: BatchWriter,
  event: PayOutEvent,
  firstAccepted: { receivedAt: string; source: string },
  at: string,
  summary: IntakeSummary,
  postings: PostingRequest[],
  deltas: WalletDelta[],
): { field: string; reason: string } | undefined {
  const released = writer.releases.apply(event, at, { sellerDetails: false });
  if (!released.ok && released.wait)
    return {
      field: released.field,
      reason: `${released.reason}: ${event.eventId} was rejected while held; re-send it once the order is captured`,
    };
  if (!released.ok) return { field: released.field, reason: released.reason };
  writer.releases.recordSellerIfNewest(event, firstAccepted, at);
  if (released.posting) postings.push(released.posting);
  if (released.delta) deltas.push(released.delta);
  summary.eventsAccepted++;
  summary.releases++;
  return undefined;
}

function assertCanWriteBeside(file: string): void {
  const directory = path.dirname(path.resolve(file));
  try {
    fs.accessSync(directory, fs.constants.W_OK);
  } catch (error) {
    throw new UsageError(
      `cannot write rejected records to ${file}: ${directory} is not a directory payops may write (${(error as NodeJS.ErrnoException).code ?? 'not writable'})`,
      {
        hint: 'pass --rejects FILE in a directory you can write; nothing was read',
      },
    );
  }
}

/**
 * Rejected records with their reasons, one JSON object a line, 0600, one file per path however
 * many inputs share it. Each is written under a temporary name (never through a symlink) and
 * renamed into place when the run ends, so an earlier rejects file is replaced whole, never
 * truncated through a link. Card numbers were redacted by `reject` before they get here.
 */
class RejectsWriters {
  private readonly files = new Map<string, { out: PrivateFile; written: number }>();

  constructor(private readonly guard: OutputGuard) {}

  for(file: string): { write(rejection: Rejection, text: string): void } {
    return {
      write: (rejection, text) => {
        let entry = this.files.get(file);
        if (entry === undefined) {
          entry = { out: PrivateFile.create(file, this.guard), written: 0 };
          this.files.set(file, entry);
        }
        entry.out.write(
          `${JSON.stringify({ ...rejection, record: redactCardNumbers(text.slice(0, 10_000)) })}\n`,
        );
        entry.written++;
      },
    };
  }

  /** Moves every rejects file into place; returns their paths. */
  commit(): string[] {
    for (const { out } of this.files.values()) out.commit();
    return [...this.files.keys()];
  }

  /** After a failure: the rejections recorded so far are still true; keep them if the disk allows. */
  commitWhatCan(): void {
    for (const { out } of this.files.values()) {
      try {
        out.commit();
      } catch {
        out.abort();
      }
    }
  }
}

/** A rejection as it may be shown and written: no card number in any of its text. */
function redactRejection(rejection: Rejection): Rejection {
  const eventId =
    rejection.eventId === undefined ? {} : { eventId: redactCardNumbers(rejection.eventId) };
  return {
    file: rejection.file,
    line: rejection.line,
    field: redactCardNumbers(rejection.field),
    reason: redactCardNumbers(rejection.reason),
    ...eventId,
  };
}
