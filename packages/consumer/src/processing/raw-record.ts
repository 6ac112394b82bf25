import type { EventRecord } from '@tributary/core';
import type { DecodedRecord } from '@tributary/kafka';

/**
 * A record as read, with what the event view of it leaves out: whether its value was null (a tombstone), and every
 * header in order when a name repeats or a value is null (see DecodedRecord.headerList).
 */
export interface RawRecord extends EventRecord {
  readonly tombstone?: boolean;
  readonly headerList?: ReadonlyArray<readonly [string, Buffer | null]>;
}

const EMPTY = Buffer.alloc(0);

/**
 * A decoded record as the processor takes it: a null value (a tombstone) is empty bytes there, marked so that a
 * dead letter of it stays a tombstone. The decoded record's full header list, when it has one, comes along.
 */
export function asEventRecord(r: DecodedRecord): EventRecord {
  if (r.value !== null) return r as EventRecord;
  const record: RawRecord = { key: r.key, value: EMPTY, headers: r.headers, timestamp: r.timestamp, tombstone: true, ...(r.headerList ? { headerList: r.headerList } : {}) };
  return record;
}
