import { DateTime } from 'luxon';
import { InvalidArgumentError, quote } from '../errors.js';

/** What an event timestamp may be given as: a luxon DateTime, a Date, an ISO 8601 string or epoch milliseconds. */
export type TimestampInput = DateTime | Date | string | number;

const EXPECTED = 'a valid luxon DateTime, a Date, an ISO 8601 string or epoch milliseconds (an integer >= 0)';

function invalid(value: unknown, why: string): InvalidArgumentError {
  const shown = value instanceof DateTime ? value.toString() : value instanceof Date ? String(value) : value;
  return new InvalidArgumentError(`Invalid timestamp ${quote(shown)} (${why}): expected ${EXPECTED}`, { value: shown, expected: 'timestamp' });
}

/**
 * Convert a timestamp to a UTC luxon DateTime with millisecond precision. An ISO string without a zone offset
 * is read as UTC, so the result never depends on the machine's time zone. Times before 1970 are rejected:
 * Kafka record timestamps are epoch milliseconds >= 0.
 * @throws InvalidArgumentError quoting the value when it is none of the accepted forms or not a valid time.
 */
export function toTimestamp(value: TimestampInput): DateTime {
  let time: DateTime;
  if (DateTime.isDateTime(value)) {
    if (!value.isValid) throw invalid(value, value.invalidExplanation ?? 'invalid DateTime');
    time = value.toUTC();
  } else if (value instanceof Date) {
    time = DateTime.fromJSDate(value, { zone: 'utc' });
  } else if (typeof value === 'string') {
    time = DateTime.fromISO(value, { zone: 'utc' });
  } else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw invalid(value, 'not an integer number of milliseconds');
    time = DateTime.fromMillis(value, { zone: 'utc' });
  } else {
    throw invalid(value, `a ${value === null ? 'null' : typeof value}`);
  }
  if (!time.isValid) throw invalid(value, time.invalidExplanation ?? 'not a valid time');
  if (time.toMillis() < 0) throw invalid(value, 'before 1970-01-01T00:00:00Z');
  return time;
}

/** The latest time luxon (and JavaScript's Date) can represent, in epoch milliseconds. */
const MAX_MILLIS = 8.64e15;

/**
 * Check epoch milliseconds as {@link toTimestamp} would, without making a DateTime.
 * @throws InvalidArgumentError quoting the value when it is not an integer from 0 to the latest Date.
 */
export function toTimestampMillis(value: number): number {
  if (!Number.isSafeInteger(value)) throw invalid(value, 'not an integer number of milliseconds');
  if (value < 0) throw invalid(value, 'before 1970-01-01T00:00:00Z');
  if (value > MAX_MILLIS) throw invalid(value, 'not a valid time');
  return value;
}
