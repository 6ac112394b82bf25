import type { Codec } from '../codec/codec.js';
import type { CodecLookup } from '../codec/codec-lookup.js';
import { ErrorCodes, TributaryError, isTributaryError } from '../errors.js';
import { validateCategory } from '../event/category.js';
import { restoreEvent, type Event } from '../event/event.js';
import type { EventOffset } from '../offset/event-offset.js';
import { EventHeaders, RESERVED_HEADER_PREFIX, type EventRecord } from './record.js';
import { TextCache, type CachedText } from './text-cache.js';

// Categories and codec names repeat from record to record: read each distinct one once.
const categories = new TextCache('latin1');
const codecNames = new TextCache('utf8');

/** What the error context of a record says about where it came from. */
function where(topic: string, offset: EventOffset | undefined): Record<string, unknown> {
  return offset === undefined ? { topic } : { topic, offset: offset.toString() };
}

function missing(name: string, topic: string, offset: EventOffset | undefined): TributaryError {
  const at = offset === undefined ? `topic "${topic}"` : `${offset.toString()}`;
  return new TributaryError(ErrorCodes.DECODE_FAILED, `The record at ${at} has no "${name}" header: it was not written by Tributary`, {
    context: { ...where(topic, offset), header: name },
  });
}

/**
 * The category of a record, read from its `tributary-category` header without decoding the payload:
 * consumers filter with it, so an event no handler wants costs no decoding. `topic` only names the record in
 * the error.
 * @throws TributaryError DECODE_FAILED when the record has no category header.
 */
export function readCategory(record: EventRecord, topic = '(unknown)'): string {
  const category = record.headers[EventHeaders.category];
  if (category === undefined) throw missing(EventHeaders.category, topic, undefined);
  // Valid categories are ASCII; anything else is refused by the decoder's check, whatever the decoding.
  return categories.get(category).text;
}

/**
 * Decode a record written by {@link encodeEvent} back into an {@link Event}: the payload by the codec its
 * `tributary-codec` header names, the envelope from Tributary's headers, and every other header as the event's
 * own (UTF-8). With `offset`, the event carries it.
 *
 * Synchronous when the codec is; a Promise when it must first reach a schema registry.
 * @throws TributaryError DECODE_FAILED (or the Promise rejects with it) when the category, id or codec header
 *   is missing (`context.header`), the codec is unknown (`context.codec`, `context.known`), a header is not
 *   valid (a malformed id, category or timestamp), or the payload does not decode; SCHEMA_INCOMPATIBLE or
 *   SCHEMA_NOT_FOUND from a schema-aware codec. `context` names the topic, and the offset when given.
 */
export function decodeEvent(record: EventRecord, codecs: CodecLookup, topic: string, offset?: EventOffset): Event | Promise<Event> {
  const headers = record.headers;
  const category = headers[EventHeaders.category];
  if (category === undefined) throw missing(EventHeaders.category, topic, offset);
  const id = headers[EventHeaders.id];
  if (id === undefined) throw missing(EventHeaders.id, topic, offset);
  const codecName = headers[EventHeaders.codec];
  if (codecName === undefined) throw missing(EventHeaders.codec, topic, offset);
  // Valid categories are ASCII; anything else is refused by the category check in toEvent, whatever the decoding.
  const categoryText = categories.get(category);
  const codec = codecOf(codecs, codecName, topic, offset);
  let payload: unknown;
  try {
    payload = codec.decode(record.value, { topic, category: categoryText.text });
  } catch (cause) {
    throw placed(cause, offset);
  }
  if (payload instanceof Promise) return payload.then((p) => toEvent(record, id, categoryText, p, topic, offset), (cause: unknown) => Promise.reject(placed(cause, offset)));
  return toEvent(record, id, categoryText, payload, topic, offset);
}

/** A codec's error, naming the record's offset when it is known (codecs see only the topic and category). */
function placed(cause: unknown, offset: EventOffset | undefined): unknown {
  if (offset === undefined || !isTributaryError(cause)) return cause;
  return new TributaryError(cause.code, `The record at ${offset.toString()} cannot be decoded: ${cause.message}`, {
    cause,
    retriable: cause.retriable,
    context: { ...cause.context, offset: offset.toString() },
  });
}

function codecOf(codecs: CodecLookup, name: Buffer, topic: string, offset: EventOffset | undefined): Codec {
  try {
    return codecs.get(codecNames.get(name).text);
  } catch (cause) {
    if (!isTributaryError(cause)) throw cause;
    throw new TributaryError(cause.code, cause.message, { cause, context: { ...cause.context, ...where(topic, offset) } });
  }
}

function toEvent(record: EventRecord, id: Buffer, cachedCategory: CachedText, payload: unknown, topic: string, offset: EventOffset | undefined): Event {
  const headers = record.headers;
  let own: Record<string, string> | undefined;
  for (const name in headers) {
    if (name.startsWith(RESERVED_HEADER_PREFIX)) continue;
    (own ??= {})[name] = headers[name]!.toString('utf8');
  }
  const type = headers[EventHeaders.type];
  const timestamp = headers[EventHeaders.timestamp];
  try {
    // Each distinct category is checked against the pattern once, then remembered as checked.
    const category = cachedCategory.checked ? cachedCategory.text : validateCategory(cachedCategory.text);
    cachedCategory.checked = true;
    return restoreEvent({
      id: id.toString('latin1'),
      category,
      type: type === undefined ? undefined : type.toString('utf8'),
      key: record.key === null ? undefined : record.key.toString('utf8'),
      millis: timestamp === undefined ? Number(record.timestamp) : readMillis(timestamp),
      headers: own,
      payload,
      offset,
    });
  } catch (cause) {
    if (!isTributaryError(cause)) throw cause;
    const at = offset === undefined ? `topic "${topic}"` : offset.toString();
    throw new TributaryError(ErrorCodes.DECODE_FAILED, `The record at ${at} does not hold a valid event: ${cause.message}`, { cause, context: where(topic, offset) });
  }
}

/** Decimal ASCII digits to a number without making a string; NaN for anything else (Event.create refuses it). */
function readMillis(bytes: Buffer): number {
  if (bytes.length === 0 || bytes.length > 16) return Number.NaN;
  let millis = 0;
  for (let i = 0; i < bytes.length; i++) {
    const digit = bytes[i]! - 48;
    if (digit < 0 || digit > 9) return Number.NaN;
    millis = millis * 10 + digit;
  }
  return millis;
}
