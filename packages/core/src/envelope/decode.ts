import type { CodecLookup } from '../codec/codec-lookup.js';
import { ErrorCodes, TributaryError, isTributaryError } from '../errors.js';
import { Event } from '../event/event.js';
import type { EventOffset } from '../offset/event-offset.js';
import { EventHeaders, RESERVED_HEADER_PREFIX, type EventRecord } from './record.js';

function header(record: EventRecord, name: string): string | undefined {
  const value = record.headers[name];
  return value === undefined ? undefined : value.toString('utf8');
}

/**
 * The category of a record, read from its header without decoding the payload: consumers filter with it, so
 * an event no handler wants costs no decoding.
 * @throws TributaryError DECODE_FAILED when the record has no category header.
 */
export function readCategory(record: EventRecord, topic = 'unknown'): string {
  const category = header(record, EventHeaders.category);
  if (category === undefined) throw missing(EventHeaders.category, topic);
  return category;
}

/**
 * Decode a record written by `encodeEvent` back into an Event, with `offset` when given.
 * @throws TributaryError DECODE_FAILED when a required header is missing or invalid, the codec is unknown, or
 *   the payload does not decode; SCHEMA_INCOMPATIBLE / SCHEMA_NOT_FOUND from a schema-aware codec.
 */
export function decodeEvent(record: EventRecord, codecs: CodecLookup, topic: string, offset?: EventOffset): Event | Promise<Event> {
  const category = readCategory(record, topic);
  const codecName = header(record, EventHeaders.codec);
  if (codecName === undefined) throw missing(EventHeaders.codec, topic);
  const payload = codecs.get(codecName).decode(record.value, { topic, category });
  return payload instanceof Promise ? payload.then((p) => toEvent(record, category, p, topic, offset)) : toEvent(record, category, payload, topic, offset);
}

function toEvent(record: EventRecord, category: string, payload: unknown, topic: string, offset: EventOffset | undefined): Event {
  const id = header(record, EventHeaders.id);
  if (id === undefined) throw missing(EventHeaders.id, topic);
  const headers: Record<string, string> = {};
  for (const name in record.headers) if (!name.startsWith(RESERVED_HEADER_PREFIX)) headers[name] = record.headers[name]!.toString('utf8');
  let event: Event;
  try {
    event = Event.create({
      id,
      category,
      type: header(record, EventHeaders.type),
      key: record.key === null ? undefined : record.key.toString('utf8'),
      timestamp: Number(header(record, EventHeaders.timestamp) ?? record.timestamp),
      headers,
      payload,
    });
  } catch (cause) {
    if (!isTributaryError(cause)) throw cause;
    throw new TributaryError(ErrorCodes.DECODE_FAILED, `A record in topic "${topic}" does not hold a valid event: ${cause.message}`, { cause, context: { topic } });
  }
  return offset === undefined ? event : event.withOffset(offset);
}

function missing(name: string, topic: string): TributaryError {
  return new TributaryError(ErrorCodes.DECODE_FAILED, `A record in topic "${topic}" has no "${name}" header: it was not written by Tributary`, { context: { topic, header: name } });
}
