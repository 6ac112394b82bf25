import { DateTime } from 'luxon';
import { InvalidArgumentError, quote } from '../errors.js';
import { RESERVED_HEADER_PREFIX } from '../envelope/record.js';
import { EventOffset } from '../offset/event-offset.js';
import { normalizeUuidText, uuidV7 } from '../internal/uuid-v7.js';
import { validateCategory } from './category.js';
import { toPrintableValue, type PrintableOptions } from './printable.js';
import { toTimestamp, toTimestampMillis, type TimestampInput } from './timestamp.js';

/** What {@link Event.create} takes. */
export interface EventInit<P = unknown> {
  /** The dotted category, such as `user.created` (see {@link validateCategory}). */
  category: string;
  /** The event's data. It must be JSON-compatible for {@link Event.toJSON} to round-trip it. */
  payload: P;
  /** An optional finer type (a schema name, a version), carried in the `tributary-type` header. */
  type?: string;
  /** The partitioning key; events with the same key keep their order. Defaults to the category. */
  key?: string;
  /** When the event happened. Defaults to now. See {@link toTimestamp} for the accepted forms. */
  timestamp?: TimestampInput;
  /** The user's own headers. Names starting with `tributary-` are reserved and rejected. */
  headers?: Readonly<Record<string, string>>;
  /** A UUID (any version) to reuse, such as when re-publishing an event. Defaults to a new UUIDv7. */
  id?: string;
}

/**
 * The stable JSON form of an event ({@link Event.toJSON}). Fields always come in this order; `type` and
 * `offset` are left out when absent. `timestamp` is ISO 8601 in UTC with milliseconds
 * (`2024-05-01T12:00:00.000Z`); `offset` is the canonical `topic:partition@offset` text.
 */
export interface EventJson<P = unknown> {
  id: string;
  category: string;
  type?: string;
  key: string;
  timestamp: string;
  headers: Record<string, string>;
  payload: P;
  offset?: string;
}

interface EventFields<P> {
  id: string;
  category: string;
  type: string | undefined;
  key: string;
  /** Epoch milliseconds; the luxon DateTime is made from it on first use (it costs more than the rest). */
  millis: number;
  timestamp: DateTime | undefined;
  headers: Readonly<Record<string, string>>;
  payload: P;
  offset: EventOffset | undefined;
}

/** Epoch milliseconds are checked without luxon (the common case: now, or a Kafka record's timestamp). */
function timestampFields(input: TimestampInput): { millis: number; timestamp: DateTime | undefined } {
  if (typeof input === 'number') return { millis: toTimestampMillis(input), timestamp: undefined };
  const timestamp = toTimestamp(input);
  return { millis: timestamp.toMillis(), timestamp };
}

function validateId(id: unknown): string {
  const normalized = typeof id === 'string' ? normalizeUuidText(id) : undefined;
  if (normalized !== undefined) return normalized;
  throw new InvalidArgumentError(`Invalid event id ${quote(id)}: expected a UUID in text form, such as "0190163d-8694-739b-aea5-966c26f8ad91"`, {
    value: id,
    expected: 'uuid',
  });
}

function validateOptionalText(value: unknown, what: 'type' | 'key', allowEmpty: boolean): string | undefined {
  if (value === undefined || (typeof value === 'string' && (allowEmpty || value !== ''))) return value;
  throw new InvalidArgumentError(`Invalid event ${what} ${quote(value)}: expected ${allowEmpty ? 'a string' : 'a non-empty string'}`, {
    value,
    expected: what,
  });
}

/** The headers of an event that has none: one frozen object shared by all of them. */
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

function validateHeaders(headers: unknown): Readonly<Record<string, string>> {
  if (headers === undefined) return NO_HEADERS;
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    throw new InvalidArgumentError(`Invalid event headers ${quote(headers)}: expected an object of string values`, { value: headers, expected: 'headers' });
  }
  const entries = Object.entries(headers);
  for (const [name, value] of entries) {
    if (name === '' || name.toLowerCase().startsWith(RESERVED_HEADER_PREFIX)) {
      throw new InvalidArgumentError(
        `Invalid event header name ${quote(name)}: expected a non-empty name not starting with "${RESERVED_HEADER_PREFIX}" (reserved for Tributary)`,
        { value: name, expected: 'header name' },
      );
    }
    if (typeof value !== 'string') {
      throw new InvalidArgumentError(`Invalid value ${quote(value)} of event header ${quote(name)}: expected a string`, { value, header: name, expected: 'string' });
    }
  }
  return Object.freeze(Object.fromEntries(entries) as Record<string, string>);
}

let construct: <P>(fields: EventFields<P>) => Event<P>;

/** An event's fields as read back from a record, with where it was read. */
export interface RestoredEventFields<P> {
  id: string;
  /** Already known to be valid: the decoder checks each distinct category once. */
  category: string;
  type: string | undefined;
  key: string | undefined;
  millis: number;
  headers: Readonly<Record<string, string>> | undefined;
  payload: P;
  offset: EventOffset | undefined;
}

/**
 * An event read back from a record (for the envelope decoder; not part of the package's API): checked as
 * {@link Event.create} checks, except the category, which the caller vouches for, and built once with its
 * offset rather than created and then copied by withOffset. Consumers call it for every record they hand on.
 * @throws InvalidArgumentError as Event.create does.
 */
export function restoreEvent<P>(f: RestoredEventFields<P>): Event<P> {
  return construct<P>({
    id: validateId(f.id),
    category: f.category,
    type: validateOptionalText(f.type, 'type', false),
    key: validateOptionalText(f.key, 'key', true) ?? f.category,
    millis: toTimestampMillis(f.millis),
    timestamp: undefined,
    headers: validateHeaders(f.headers),
    payload: f.payload,
    offset: f.offset,
  });
}

/**
 * An event: something that happened, named by a dotted category, with a payload. Immutable.
 *
 * - `id` is unique and time-ordered: a UUIDv7, strictly increasing for the events one process creates.
 * - `key` decides the partition; events with the same key keep their order. It defaults to the category.
 * - `timestamp` is a UTC luxon DateTime with millisecond precision.
 * - `offset` is set once the event was written by a producer plugin or read by a consumer.
 */
export class Event<P = unknown> {
  readonly id: string;
  readonly category: string;
  readonly type: string | undefined;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly payload: P;
  readonly offset: EventOffset | undefined;
  readonly #millis: number;
  #timestamp: DateTime | undefined;

  static {
    // The one way to build an event besides create(): restoreEvent, for records read back (see below).
    construct = (fields) => new Event(fields);
  }

  private constructor(fields: EventFields<P>) {
    this.id = fields.id;
    this.category = fields.category;
    this.type = fields.type;
    this.key = fields.key;
    this.#millis = fields.millis;
    this.#timestamp = fields.timestamp;
    this.headers = fields.headers;
    this.payload = fields.payload;
    this.offset = fields.offset;
    Object.freeze(this);
  }

  /** When the event happened: a luxon DateTime in UTC, with millisecond precision. */
  get timestamp(): DateTime {
    // Private fields stay writable on a frozen object: the DateTime is made once, on first use.
    return (this.#timestamp ??= DateTime.fromMillis(this.#millis, { zone: 'utc' }));
  }

  /** The timestamp in epoch milliseconds, without making a DateTime (what Kafka records carry). */
  get timestampMillis(): number {
    return this.#millis;
  }

  /**
   * Make a new event (without an offset).
   * @throws InvalidArgumentError quoting the first invalid field (category, type, key, timestamp, header, id)
   *   and naming what was expected.
   */
  static create<P>(init: EventInit<P>): Event<P> {
    if (init === null || typeof init !== 'object') {
      throw new InvalidArgumentError(`Invalid event ${quote(init)}: expected an object with at least "category" and "payload"`, { value: init, expected: 'EventInit' });
    }
    const category = validateCategory(init.category);
    return new Event<P>({
      id: init.id === undefined ? uuidV7() : validateId(init.id),
      category,
      type: validateOptionalText(init.type, 'type', false),
      key: validateOptionalText(init.key, 'key', true) ?? category,
      ...timestampFields(init.timestamp ?? Date.now()),
      headers: validateHeaders(init.headers),
      payload: init.payload,
      offset: undefined,
    });
  }

  /**
   * Read the JSON form written by {@link Event.toJSON}, as an object or as JSON text. Unknown fields are
   * ignored, so a newer writer's output stays readable.
   * @throws InvalidArgumentError when the text is not JSON, or quoting the first invalid field.
   */
  static fromJSON<P = unknown>(json: EventJson<P> | string): Event<P> {
    let value: unknown = json;
    if (typeof json === 'string') {
      try {
        value = JSON.parse(json);
      } catch (error) {
        throw new InvalidArgumentError(`Invalid event JSON ${quote(json)}: ${(error as Error).message}`, { value: json, expected: 'event JSON' }, error);
      }
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new InvalidArgumentError(`Invalid event JSON ${quote(value)}: expected an object`, { value, expected: 'event JSON' });
    }
    const data = value as Partial<EventJson<P>>;
    for (const field of ['id', 'key', 'timestamp'] as const) {
      if (typeof data[field] !== 'string') {
        throw new InvalidArgumentError(`Invalid event JSON: field "${field}" is ${quote(data[field])}, expected a string`, { field, value: data[field], expected: 'string' });
      }
    }
    const event = Event.create<P>({
      id: data.id,
      category: data.category as string,
      type: data.type,
      key: data.key,
      timestamp: data.timestamp,
      headers: data.headers,
      payload: data.payload as P,
    });
    return data.offset === undefined ? event : event.withOffset(EventOffset.parse(data.offset));
  }

  /** A copy of this event with `offset` set: where it was written or read from. */
  withOffset(offset: EventOffset): Event<P> {
    if (!(offset instanceof EventOffset)) {
      throw new InvalidArgumentError(`Invalid offset ${quote(offset)}: expected an EventOffset`, { value: offset, expected: 'EventOffset' });
    }
    const { id, category, type, key, headers, payload } = this;
    return new Event<P>({ id, category, type, key, millis: this.#millis, timestamp: this.#timestamp, headers, payload, offset });
  }

  /** The stable JSON form (see {@link EventJson}); `Event.fromJSON(e.toJSON())` gives back an equal event. */
  toJSON(): EventJson<P> {
    return {
      id: this.id,
      category: this.category,
      ...(this.type === undefined ? {} : { type: this.type }),
      key: this.key,
      timestamp: this.timestamp.toISO()!,
      headers: { ...this.headers },
      payload: this.payload,
      ...(this.offset === undefined ? {} : { offset: this.offset.toString() }),
    };
  }

  /**
   * One line of text for logs: the JSON form with secret fields masked (anywhere in the payload and among
   * the headers) and long strings of the payload and headers cut; the envelope fields are printed whole.
   * See {@link PrintableOptions}.
   */
  toPrintable(options: PrintableOptions = {}): string {
    const json = this.toJSON();
    // The envelope (id, category, key, timestamp, offset) is printed whole; only user data is masked and cut.
    return JSON.stringify({ ...json, headers: toPrintableValue(json.headers, options), payload: toPrintableValue(json.payload, options) });
  }

  /** The printable form with default options, so an event in a template string shows its content. */
  toString(): string {
    return this.toPrintable();
  }
}
