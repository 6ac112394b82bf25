import type { Codec } from '../codec/codec.js';
import type { Event } from '../event/event.js';
import { EventHeaders, type EventRecord } from './record.js';

/**
 * Encode an event into its record form: the payload by `codec`, the key, and Tributary's headers (id,
 * category, type, timestamp, codec) beside the event's own. Synchronous when the codec is (the producer's hot
 * path); a Promise only when the codec must first reach a schema registry.
 * @throws TributaryError ENCODE_FAILED from the codec.
 */
export function encodeEvent(event: Event, codec: Codec, topic: string): EventRecord | Promise<EventRecord> {
  const value = codec.encode(event.payload, { topic, category: event.category });
  return value instanceof Promise ? value.then((bytes) => toRecord(event, codec, bytes)) : toRecord(event, codec, value);
}

function toRecord(event: Event, codec: Codec, value: Buffer): EventRecord {
  const timestamp = String(event.timestampMillis);
  const headers: Record<string, Buffer> = {
    [EventHeaders.id]: Buffer.from(event.id),
    [EventHeaders.category]: Buffer.from(event.category),
    [EventHeaders.timestamp]: Buffer.from(timestamp),
    [EventHeaders.codec]: Buffer.from(codec.name),
  };
  if (event.type !== undefined) headers[EventHeaders.type] = Buffer.from(event.type);
  for (const name in event.headers) headers[name] = Buffer.from(event.headers[name]!);
  return { key: Buffer.from(event.key), value, headers, timestamp };
}
