import { containsCardNumber } from '../input/card-numbers.js';
import {
  CARD_NUMBER_REASON,
  EventRejection,
  type PaymentEvent,
  validateEvent,
} from '../payments/events.js';
import type { InputFormat, SourceRecord } from './readers.js';
import { readRecords } from './readers.js';

/** Why a record was refused before it reached the database. */
interface RecordRejection {
  field: string;
  reason: string;
  eventId?: string;
}

/** One record of an input file, read and judged: its valid event, or why it was refused. */
export type JudgedRecord =
  | { record: SourceRecord; event: PaymentEvent; rejection?: undefined }
  | { record: SourceRecord; event?: undefined; rejection: RecordRejection };

/**
 * A record's verdict, which depends on its own text only (no database): parse errors, the event's
 * validation, and a card number only the text still shows (a number too long for a JSON double).
 * An error that is not a rejection is a bug and is thrown.
 */
function judgeRecord(record: SourceRecord): JudgedRecord {
  if (record.parseError) return { record, rejection: record.parseError };
  try {
    const event = validateEvent(record.value);
    if (containsCardNumber(record.text))
      throw new EventRejection('event', CARD_NUMBER_REASON, event.eventId);
    return { record, event };
  } catch (error) {
    if (!(error instanceof EventRejection)) throw error;
    const { field, reason, eventId } = error;
    return {
      record,
      rejection: eventId === undefined ? { field, reason } : { field, reason, eventId },
    };
  }
}

/** Every record of `file`, judged on this thread, from the `skip`-th on. */
export async function* judgeRecords(
  file: string,
  format: InputFormat,
  skip = 0,
): AsyncGenerator<JudgedRecord> {
  let seen = 0;
  for await (const record of readRecords(file, format)) {
    if (seen++ < skip) continue;
    yield judgeRecord(record);
  }
}
