import { ErrorCodes, FailedToSendEventError, PartialSendError, TributaryError } from '../errors.js';
import type { Event } from '../event/event.js';
import { EventOffset } from '../offset/event-offset.js';
import type { RecordOutcome, SendOutcome } from '../plugin/send-outcome.js';

export interface SendContext {
  plugin: string;
  topic: string;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function summary(outcomes: readonly SendOutcome[]): string {
  const count = { ok: 0, failed: 0, unknown: 0 };
  for (const o of outcomes) count[o.status]++;
  return `${count.ok} ok, ${count.failed} failed, ${count.unknown} unknown`;
}

function sendError(outcomes: readonly SendOutcome[], cause: unknown, ctx: SendContext): FailedToSendEventError {
  const n = outcomes.length;
  return new FailedToSendEventError(
    `Could not send ${n} event${n === 1 ? '' : 's'} to topic "${ctx.topic}" with plugin "${ctx.plugin}" (${summary(outcomes)}): ${messageOf(cause)}`,
    outcomes,
    { cause, context: { plugin: ctx.plugin, topic: ctx.topic } },
  );
}

/** Nothing was sent: `errors[i]` says why event i failed; the others failed because the batch was refused. */
export function failedBeforeSend(events: readonly Event[], errors: ReadonlyArray<unknown>, ctx: SendContext): FailedToSendEventError {
  const first = errors.findIndex((e) => e !== undefined);
  const cause = errors[first];
  const refused = new TributaryError(
    ErrorCodes.SEND_FAILED,
    `Not sent: event #${first} of the same send() call could not be sent, so none of the batch was (${messageOf(cause)})`,
    { context: { plugin: ctx.plugin, topic: ctx.topic, index: first }, cause },
  );
  const outcomes = events.map((event, i): SendOutcome => ({ status: 'failed', event, error: errors[i] ?? refused }));
  return sendError(outcomes, cause, ctx);
}

/** Every event of the batch failed for one reason before reaching `_send` (aborted, bad topic). */
export function allFailed(events: readonly Event[], cause: unknown, ctx: SendContext): FailedToSendEventError {
  return sendError(
    events.map((event): SendOutcome => ({ status: 'failed', event, error: cause })),
    cause,
    ctx,
  );
}

function isPartial(error: unknown, count: number): error is PartialSendError {
  const outcomes = (error as PartialSendError | undefined)?.outcomes;
  return (error instanceof PartialSendError || (error instanceof TributaryError && Array.isArray(outcomes))) && outcomes!.length === count;
}

function fromRecordOutcome(event: Event, outcome: RecordOutcome, fallback: unknown): SendOutcome {
  if (outcome.status === 'ok') return { status: 'ok', event: outcome.offset instanceof EventOffset ? event.withOffset(outcome.offset) : event };
  return { status: outcome.status, event, error: outcome.error ?? fallback };
}

/** `_send` threw: every event is `unknown`, unless it threw a {@link PartialSendError} telling each record's fate. */
export function failedDuringSend(events: readonly Event[], error: unknown, ctx: SendContext): FailedToSendEventError {
  if (isPartial(error, events.length)) {
    const outcomes = events.map((event, i) => fromRecordOutcome(event, error.outcomes[i]!, error.cause ?? error));
    return sendError(outcomes, error.cause ?? error, ctx);
  }
  return sendError(
    events.map((event): SendOutcome => ({ status: 'unknown', event, error })),
    error,
    ctx,
  );
}

/**
 * Give each event the offset `_send` returned for its record. A result that does not fit the batch (wrong
 * length, not an EventOffset, another topic) is the plugin's bug: the events were handed over and may be in
 * the log, so they are `unknown`.
 */
export function applyOffsets(events: readonly Event[], offsets: unknown, ctx: SendContext): Event[] {
  if (!Array.isArray(offsets) || offsets.length !== events.length) {
    const got = Array.isArray(offsets) ? `${offsets.length} offsets` : String(offsets);
    const bug = new TributaryError(ErrorCodes.SEND_FAILED, `Plugin "${ctx.plugin}" returned ${got} from _send for ${events.length} records`, { context: { plugin: ctx.plugin } });
    throw failedDuringSend(events, bug, ctx);
  }
  return events.map((event, i) => {
    const offset: unknown = offsets[i];
    if (offset === undefined) return event;
    if (!(offset instanceof EventOffset) || offset.topic !== ctx.topic) {
      const bug = new TributaryError(ErrorCodes.SEND_FAILED, `Plugin "${ctx.plugin}" returned ${String(offset)} from _send for a record of topic "${ctx.topic}"`, {
        context: { plugin: ctx.plugin },
      });
      throw failedDuringSend(events, bug, ctx);
    }
    return event.withOffset(offset);
  });
}
