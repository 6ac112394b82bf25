import type { EventRecord } from '../envelope/record.js';
import type { Event } from '../event/event.js';

/** One record a plugin's `_send` writes: the encoded event, where it goes, and its size. */
export interface OutgoingRecord {
  /** The topic (or stream) to write to. Always a legal topic name. */
  readonly topic: string;
  /** The encoded event: key, value, headers (Tributary's and the user's) and timestamp. */
  readonly record: EventRecord;
  /** The event the record was encoded from (for logs and for plugins that want its fields). */
  readonly event: Event;
  /** The record's size in bytes: key + value + header names and values. At most `maxEventBytes`. */
  readonly size: number;
}

/** The size of a record as counted against `maxEventBytes`: key + value + header names and values, in bytes. */
export function recordSize(record: EventRecord): number {
  let size = record.value.length + (record.key?.length ?? 0);
  // for...in rather than Object.entries: no array of pairs made for every record sent.
  const headers = record.headers;
  for (const name in headers) size += Buffer.byteLength(name) + headers[name]!.length;
  return size;
}
