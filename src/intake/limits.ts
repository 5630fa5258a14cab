import type { RecordProblem } from '../input/json-records.js';

/**
 * The largest record an event file may hold: an NDJSON line, a JSON array element or a CSV row.
 * A checkout of 100 orders with the largest metadata is about 250 KB; anything beyond this is not
 * an event, and is refused without ever being held in memory whole.
 */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** The record is over MAX_RECORD_BYTES: `what` is a line, an element or a row. */
export function tooLong(bytes: number, what: string): RecordProblem {
  return {
    field: 'size',
    reason: `the ${what} is ${bytes} bytes, more than the ${MAX_RECORD_BYTES} (1 MiB) an event may take`,
  };
}
