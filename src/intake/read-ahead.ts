import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type JudgedRecord, judgeRecords } from './judged.js';
import type { InputFormat } from './readers.js';

/**
 * Reading, parsing and validating the events is a tenth of a pay-in run's work and needs no
 * database: for a large file it runs on another thread, ahead of the batches the main thread
 * writes (SQLite has one writer; the second core can take only this kind of work). Records
 * arrive in the file's order with the same verdicts. If that thread fails (an I/O error, a bug,
 * or it could not start) the main thread reads on itself from the first record it did not get,
 * so every error is the one the reading on this thread throws.
 */
export function judgedRecordsOf(
  file: string,
  format: InputFormat,
  minWorkerBytes = READ_AHEAD_MIN_BYTES,
): AsyncGenerator<JudgedRecord> {
  const worker = workerFile();
  if (worker === undefined || !largeRegularFile(file, minWorkerBytes))
    return judgeRecords(file, format);
  return readAhead(worker, file, format);
}

export const READ_AHEAD_MIN_BYTES = 2 * 1_048_576;
export const RECORDS_PER_CHUNK = 1_000;
/**
 * Chunks posted and not yet taken, at most: bounds the memory the read-ahead holds. More than two
 * intake batches (5,000 events), so that the thread reads on while the main thread writes one
 * (with less, the main thread waited for records: 8% of its time, measured).
 */
export const READ_AHEAD_CHUNKS = 12;

export type WorkerMessage = { items: JudgedRecord[] } | { done: true } | { failed: true };

/** The compiled worker beside this module; absent when the sources run as TypeScript (tests). */
function workerFile(): URL | undefined {
  const url = new URL('./read-worker.js', import.meta.url);
  return fs.existsSync(fileURLToPath(url)) ? url : undefined;
}

/** A pipe or a device is read once, here: the fallback could not read it again. */
function largeRegularFile(file: string, minBytes: number): boolean {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return stat?.isFile() === true && stat.size >= minBytes;
}

/** `judgeRecords` through the worker at `url` (exported for the tests of its fallback). */
export async function* readAhead(
  url: URL,
  file: string,
  format: InputFormat,
): AsyncGenerator<JudgedRecord> {
  const worker = new Worker(url, { workerData: { file, format } });
  const inbox: (WorkerMessage | { exited: true })[] = [];
  let wake: (() => void) | undefined;
  const deliver = (message: WorkerMessage | { exited: true }): void => {
    inbox.push(message);
    wake?.();
    wake = undefined;
  };
  worker.on('message', deliver);
  worker.on('error', () => deliver({ failed: true }));
  worker.on('exit', () => deliver({ exited: true }));
  let delivered = 0;
  try {
    for (;;) {
      while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      const message = inbox.shift();
      if (message === undefined) continue;
      if ('done' in message) return;
      if (!('items' in message)) {
        yield* judgeRecords(file, format, delivered);
        return;
      }
      worker.postMessage(1);
      for (const judged of message.items) {
        delivered++;
        yield judged;
      }
    }
  } finally {
    await worker.terminate();
  }
}
