import type { EventRecord } from '../envelope/record.js';
import { encodeEvent } from '../envelope/encode.js';
import { ErrorCodes, EventTooLargeError, InvalidArgumentError, TributaryError, quote } from '../errors.js';
import { Event } from '../event/event.js';
import type { CodecSelector } from '../plugin/codec-selector.js';
import { recordSize, type OutgoingRecord } from '../plugin/outgoing-record.js';

export interface PrepareContext {
  topic: string;
  selectCodec: CodecSelector;
  maxEventBytes: number;
}

/** Some events of a batch could not be prepared; `errors[i]` is set for each event that failed. */
export class PreparationFailure {
  constructor(readonly errors: ReadonlyArray<unknown>) {}
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as PromiseLike<T> | null)?.then === 'function';
}

function encodeFailure(event: Event, error: unknown): unknown {
  if (error instanceof TributaryError) return error;
  return new TributaryError(ErrorCodes.ENCODE_FAILED, `Could not encode event ${event.id} (${event.category}): ${(error as Error)?.message ?? String(error)}`, {
    context: { eventId: event.id, category: event.category },
    cause: error,
  });
}

function encodeOne(event: unknown, ctx: PrepareContext): EventRecord | PromiseLike<EventRecord> {
  if (!(event instanceof Event)) {
    throw new InvalidArgumentError(`Cannot send ${quote(event)}: expected an Event (made with Event.create)`, { value: event, expected: 'Event' });
  }
  try {
    return encodeEvent(event, ctx.selectCodec(event, ctx.topic), ctx.topic);
  } catch (error) {
    throw encodeFailure(event, error);
  }
}

function finish(events: readonly unknown[], records: ReadonlyArray<EventRecord | undefined>, errors: unknown[], ctx: PrepareContext): OutgoingRecord[] {
  const out: OutgoingRecord[] = [];
  for (let i = 0; i < events.length; i++) {
    const record = records[i];
    if (errors[i] !== undefined || record === undefined) continue;
    const event = events[i] as Event;
    const size = recordSize(record);
    if (size > ctx.maxEventBytes) {
      errors[i] = new EventTooLargeError(
        `Event ${event.id} (${event.category}) is ${size} bytes once encoded, more than the limit of ${ctx.maxEventBytes} bytes (setting maxEventBytes)`,
        { eventId: event.id, size, limit: ctx.maxEventBytes },
      );
      continue;
    }
    out.push({ topic: ctx.topic, record, event, size });
  }
  if (out.length !== events.length) throw new PreparationFailure(errors);
  return out;
}

/**
 * Validate and encode a batch. Returns synchronously when every codec did (the fast path), a Promise when
 * some codec returned one. Throws (or rejects with) a {@link PreparationFailure} when any event is not an
 * Event, fails to encode or is too large: then nothing of the batch is sent.
 */
export function prepareRecords(events: readonly unknown[], ctx: PrepareContext): OutgoingRecord[] | Promise<OutgoingRecord[]> {
  const errors: unknown[] = new Array(events.length).fill(undefined);
  const results: Array<EventRecord | PromiseLike<EventRecord> | undefined> = new Array(events.length);
  let async = false;
  for (let i = 0; i < events.length; i++) {
    try {
      const result = encodeOne(events[i], ctx);
      if (isPromiseLike(result)) {
        async = true;
        results[i] = result.then(undefined, (error: unknown) => {
          errors[i] = encodeFailure(events[i] as Event, error);
          return undefined;
        }) as PromiseLike<EventRecord>;
      } else {
        results[i] = result;
      }
    } catch (error) {
      errors[i] = error ?? new Error('undefined was thrown');
    }
  }
  if (!async) return finish(events, results as Array<EventRecord | undefined>, errors, ctx);
  return Promise.all(results).then((records) => finish(events, records, errors, ctx));
}
