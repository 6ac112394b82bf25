import type { Codec } from '../codec/codec.js';
import type { Event } from '../event/event.js';
import type { EventRecord } from './record.js';

/**
 * Header values that repeat from record to record (categories, types, codec names, keys equal to the
 * category) are made into bytes once. Bounded: the cache starts over when it is full.
 */
const repeated = new Map<string, Buffer>();
const MAX_REPEATED = 4096;

function repeatedBytes(text: string): Buffer {
  let bytes = repeated.get(text);
  if (bytes === undefined) {
    if (repeated.size >= MAX_REPEATED) repeated.clear();
    bytes = Buffer.from(text, 'utf8');
    repeated.set(text, bytes);
  }
  return bytes;
}

/** Events made in the same millisecond share the text and bytes of their timestamp (the last one is kept). */
let lastMillis = -1;
let lastTimestamp = '';
let lastTimestampBytes = Buffer.alloc(0);

/**
 * Encode an event into its record form: the payload by `codec`; the key (UTF-8); Tributary's headers
 * (`tributary-id`, `tributary-category`, `tributary-type` when the event has a type, `tributary-timestamp` in
 * epoch milliseconds, `tributary-codec`; see `EventHeaders`) and then the event's own headers, all UTF-8; and
 * the timestamp in epoch milliseconds as Kafka carries it.
 *
 * Synchronous when the codec is (the producer's hot path); a Promise only when the codec must first reach a
 * schema registry. Records are read-only: header values that repeat (such as the category) may share their
 * bytes with other records.
 * @throws TributaryError ENCODE_FAILED from the codec (or the Promise rejects with it).
 */
export function encodeEvent(event: Event, codec: Codec, topic: string): EventRecord | Promise<EventRecord> {
  const value = codec.encode(event.payload, { topic, category: event.category });
  return value instanceof Promise ? value.then((bytes) => toRecord(event, codec, bytes)) : toRecord(event, codec, value);
}

function toRecord(event: Event, codec: Codec, value: Buffer): EventRecord {
  const millis = event.timestampMillis;
  if (millis !== lastMillis) {
    lastTimestamp = String(millis);
    lastTimestampBytes = Buffer.from(lastTimestamp, 'latin1');
    lastMillis = millis;
  }
  const category = repeatedBytes(event.category);
  // Ids are UUIDs, ASCII: latin1 gives the same bytes as UTF-8, faster.
  const headers: Record<string, Buffer> = {
    'tributary-id': Buffer.from(event.id, 'latin1'),
    'tributary-category': category,
  };
  if (event.type !== undefined) headers['tributary-type'] = repeatedBytes(event.type);
  headers['tributary-timestamp'] = lastTimestampBytes;
  headers['tributary-codec'] = repeatedBytes(codec.name);
  const own = event.headers;
  for (const name in own) headers[name] = Buffer.from(own[name]!, 'utf8');
  const key = event.key === event.category ? category : Buffer.from(event.key, 'utf8');
  return { key, value, headers, timestamp: lastTimestamp };
}
