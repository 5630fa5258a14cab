import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { failpoint } from '../failpoints.js';
import type { Currency } from '../money/index.js';
import type { PayInEvent, PaymentEvent } from '../payments/events.js';
import { type OutputGuard, PrivateFile, assertSafeOutput } from '../private-files.js';
import { redactCardNumbers } from '../input/card-numbers.js';
import type { IntakeBatches, IntakeEntry, IntakeStore, IntakeVerdict } from './intake-store.js';
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
  intake: IntakeStore,
  files: readonly string[],
  options: IntakeOptions,
): Promise<IntakeSummary> {
  const summary = emptyIntakeSummary();
  const batchSize = options.batchSize ?? DEFAULT_INTAKE_BATCH;
  // Where rejected records go is checked before anything is read: a run must not stop half way
  // because the first rejection cannot be written down.
  const guard: OutputGuard = {
    database: intake.bookFile,
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
  const whole = options.allOrNothing ? await intake.beginWhole() : undefined;
  try {
    for (const file of files) {
      const rejects = writers.for(options.rejectsFile ?? defaultRejectsFile(file));
      await ingestFile(whole ?? intake, file, options, batchSize, summary, rejects);
    }
    summary.rejectsFiles.push(...writers.commit());
    if (whole !== undefined) {
      if (summary.rejected > 0) {
        await whole.rollback();
        undoCounts(summary);
      } else {
        await whole.commit();
      }
    }
    return summary;
  } catch (error) {
    await whole?.rollback();
    writers.commitWhatCan();
    throw error;
  }
}

/** One input, streamed in batches of `batchSize` entries, each batch one unit of work. */
async function ingestFile(
  batches: IntakeBatches,
  file: string,
  options: IntakeOptions,
  batchSize: number,
  summary: IntakeSummary,
  rejects: RejectsWriter,
): Promise<void> {
  const format = await detectFormat(file, options.format);
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
  let batch: (IntakeEntry & { record: SourceRecord })[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const entries = batch;
    batch = [];
    await batches.ingestBatch({ psp: options.psp, entries }, ({ record, event }, verdict) =>
      tally(summary, event, verdict, (error) => reject(record, error)),
    );
    failpoint('intake.after-batch');
  };
  for await (const { record, event, rejection } of judgedRecordsOf(file, format)) {
    summary.eventsRead++;
    options.onRecord?.(record.text.length + 1);
    if (rejection) {
      reject(record, rejection);
      continue;
    }
    batch.push({ record, event, source: `${file}:${record.line}` });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  if (summary.eventsRead === readBefore) summary.emptyFiles.push(file);
}

/** `--all-or-nothing` refused the whole input: nothing of it was accepted. */
function undoCounts(summary: IntakeSummary): void {
  summary.rolledBack = true;
  summary.eventsAccepted = 0;
  summary.duplicates = 0;
  summary.ordersAccepted = 0;
  summary.releases = 0;
  summary.refunds = 0;
  summary.payOutsHeld = 0;
  summary.acceptedMinor = new Map();
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

/** Counts one entry's verdict in the summary; a refusal is rejected, phrased for the operator. */
function tally(
  summary: IntakeSummary,
  event: PaymentEvent,
  verdict: IntakeVerdict,
  reject: (error: { field: string; reason: string; eventId?: string }) => void,
): void {
  const refusal = refusalOf(event.eventId, verdict);
  if (refusal !== undefined) {
    reject({ ...refusal, eventId: event.eventId });
    return;
  }
  if (verdict.kind === 'duplicate') {
    summary.duplicates++;
    return;
  }
  summary.eventsAccepted++;
  if (verdict.kind === 'refund') summary.refunds++;
  else if (verdict.kind === 'released') summary.releases++;
  else if (verdict.kind === 'held') summary.payOutsHeld++;
  else if (event.type === 'pay_in') countPayIn(summary, event);
}

/** Why an entry was not accepted, as the operator reads it; undefined when it was (or was a duplicate). */
function refusalOf(
  eventId: string,
  verdict: IntakeVerdict,
): { field: string; reason: string } | undefined {
  switch (verdict.kind) {
    case 'conflict':
      return {
        field: 'eventId',
        reason: `${eventId} was already accepted with different content (conflict); the original stands`,
      };
    case 'order_taken':
      return {
        field: `orders[${verdict.index}].orderId`,
        reason: `${verdict.orderId} already belongs to event ${verdict.ownerEventId}`,
      };
    case 'refused':
      return { field: verdict.field, reason: verdict.reason };
    case 'resent_waits':
      return {
        field: verdict.field,
        reason: `${verdict.reason}: ${eventId} was rejected while held; re-send it once the order is captured`,
      };
    default:
      return undefined;
  }
}

function countPayIn(summary: IntakeSummary, event: PayInEvent): void {
  summary.ordersAccepted += event.orders.length;
  const total = event.orders.reduce((sum, order) => sum + order.amountMinor, 0n);
  summary.acceptedMinor.set(
    event.currency,
    (summary.acceptedMinor.get(event.currency) ?? 0n) + total,
  );
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

interface RejectsWriter {
  write(rejection: Rejection, text: string): void;
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

  for(file: string): RejectsWriter {
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
