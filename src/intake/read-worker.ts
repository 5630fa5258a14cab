import { parentPort, workerData } from 'node:worker_threads';
import { type JudgedRecord, judgeRecords } from './judged.js';
import { INPUT_FORMATS, type InputFormat } from './readers.js';
import { type WorkerMessage, READ_AHEAD_CHUNKS, RECORDS_PER_CHUNK } from './read-ahead.js';

/**
 * The read-ahead thread (read-ahead.ts): reads and judges one file's records and posts them in
 * chunks, at most READ_AHEAD_CHUNKS ahead of what the main thread has taken. On any error it
 * says so and stops; the main thread then reads on from where the chunks end, and meets the same
 * error itself.
 */
async function run(port: NonNullable<typeof parentPort>, file: string, format: InputFormat) {
  let credits = READ_AHEAD_CHUNKS;
  let wake: (() => void) | undefined;
  port.on('message', () => {
    credits++;
    wake?.();
    wake = undefined;
  });
  const post = async (items: JudgedRecord[]): Promise<void> => {
    while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
    credits--;
    port.postMessage({ items } satisfies WorkerMessage);
  };
  try {
    let chunk: JudgedRecord[] = [];
    for await (const judged of judgeRecords(file, format)) {
      // The parsed value stays here: the main thread needs the text, the line and the verdict.
      chunk.push({ ...judged, record: { line: judged.record.line, text: judged.record.text } });
      if (chunk.length === RECORDS_PER_CHUNK) {
        await post(chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) await post(chunk);
    port.postMessage({ done: true } satisfies WorkerMessage);
  } catch {
    port.postMessage({ failed: true } satisfies WorkerMessage);
  }
  port.close();
}

const task: unknown = workerData;
if (
  parentPort !== null &&
  typeof task === 'object' &&
  task !== null &&
  'file' in task &&
  typeof task.file === 'string' &&
  'format' in task &&
  isInputFormat(task.format)
)
  void run(parentPort, task.file, task.format);

function isInputFormat(format: unknown): format is InputFormat {
  return INPUT_FORMATS.some((known) => known === format);
}
