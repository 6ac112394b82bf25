import type { Event } from '../event/event.js';
import type { EventOffset } from '../offset/event-offset.js';

/**
 * What became of one event given to `send()`:
 * - `ok`: it is in the log (at `event.offset`, when the bus reports offsets);
 * - `failed`: it is certainly not in the log (it was rejected before or by the bus);
 * - `unknown`: the acknowledgement was lost; it may or may not be in the log. Sending it again may make a
 *   duplicate, which readers can drop by the event id.
 */
export type SendStatus = 'ok' | 'failed' | 'unknown';

/** The outcome of one event of a `send()` call, in the order the events were given. */
export type SendOutcome<P = unknown> =
  | { readonly status: 'ok'; readonly event: Event<P> }
  | { readonly status: 'failed'; readonly event: Event<P>; readonly error: unknown }
  | { readonly status: 'unknown'; readonly event: Event<P>; readonly error: unknown };

/**
 * What a plugin's `_send` reports for one record when it fails part-way (see `PartialSendError`): `ok` with
 * the offset it was written at (or undefined when the bus does not report offsets), `failed`, or `unknown`.
 */
export type RecordOutcome =
  | { readonly status: 'ok'; readonly offset: EventOffset | undefined }
  | { readonly status: 'failed'; readonly error?: unknown }
  | { readonly status: 'unknown'; readonly error?: unknown };
