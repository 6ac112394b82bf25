/**
 * Tributary's one error family. Every error the framework throws is a {@link TributaryError} with a stable
 * `code` from {@link ErrorCodes}, a `retriable` flag, structured `context` naming what was wrong, and the
 * original `cause` whenever another piece of code failed first (it is wrapped, never swallowed).
 */
import type { Event } from './event/event.js';
import type { RecordOutcome, SendOutcome, SendStatus } from './plugin/send-outcome.js';

/** The stable error codes. Codes are part of the public API: they are never renamed, only added. */
export const ErrorCodes = {
  /** A value given by the user does not have the expected form (a category, an offset text, an option). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** A plugin's settings do not validate against its schema; `context.path` names the setting. */
  PLUGIN_CONFIG: 'PLUGIN_CONFIG',
  /** A producer plugin could not be loaded by name (module or class not found, not a plugin). */
  PLUGIN_LOAD: 'PLUGIN_LOAD',
  /** A plugin was used in the wrong lifecycle state (send before open, after close). */
  PLUGIN_STATE: 'PLUGIN_STATE',
  /** `send()` failed; the error tells for each event whether it is ok, failed or unknown. */
  SEND_FAILED: 'SEND_FAILED',
  /** An event is larger than the configured limit; it never reached the broker. */
  EVENT_TOO_LARGE: 'EVENT_TOO_LARGE',
  /** A payload could not be encoded (not serializable, or it does not fit its schema). */
  ENCODE_FAILED: 'ENCODE_FAILED',
  /** A record could not be decoded (malformed bytes, unknown schema id, unknown codec, missing header). */
  DECODE_FAILED: 'DECODE_FAILED',
  /** A writer schema cannot be resolved against the reader schema (Avro schema resolution rules). */
  SCHEMA_INCOMPATIBLE: 'SCHEMA_INCOMPATIBLE',
  /** A schema id or subject is not known to the schema registry. */
  SCHEMA_NOT_FOUND: 'SCHEMA_NOT_FOUND',
  /** A requested position lies outside a partition's range; `context` names the valid range. */
  OFFSET_OUT_OF_RANGE: 'OFFSET_OUT_OF_RANGE',
  /** The message bus could not be reached or failed; usually retriable. */
  CONNECTION: 'CONNECTION',
  /** An operation did not complete within its deadline. */
  TIMEOUT: 'TIMEOUT',
  /** The operation was aborted through its AbortSignal. */
  ABORTED: 'ABORTED',
  /** A Kafka runtime for tests could not be had: Java or Maven missing, a port taken, the broker exited. */
  KAFKA_RUNTIME: 'KAFKA_RUNTIME',
  /** A consumer was used in the wrong lifecycle state (seek before start, start twice, start after stop). */
  CONSUMER_STATE: 'CONSUMER_STATE',
  /** A consumer's event handler kept failing after its retries; recorded on the dead-lettered record. */
  HANDLER_FAILED: 'HANDLER_FAILED',
  /** The broker refused the client's credentials or its access to a topic or group; never retried. */
  AUTHORIZATION: 'AUTHORIZATION',
  /** The broker or the installed Kafka client lacks what Tributary needs (a protocol version, an internal shape). */
  UNSUPPORTED: 'UNSUPPORTED',
  /** A consumer group operation refused because the group has active members (move it only while it is empty). */
  GROUP_ACTIVE: 'GROUP_ACTIVE',
  /**
   * A group member's commit was not made: the generation it was made in ended (a rebalance), or the member's
   * client was not running to send it. Nothing was committed (Java's CommitFailedException).
   */
  COMMIT_FAILED: 'COMMIT_FAILED',
  /** A partition's log was truncated below a position already read (an unclean leader change, KIP-320). */
  LOG_TRUNCATED: 'LOG_TRUNCATED',
  /** No session handles a request's path, or the addressed session has no handler for it. */
  NO_HANDLER: 'NO_HANDLER',
  /** A request was addressed to a session that does not exist or is gone. */
  SESSION_NOT_FOUND: 'SESSION_NOT_FOUND',
  /** A request or response value does not fit its declared data type; `context` names the type. */
  TYPE_MISMATCH: 'TYPE_MISMATCH',
  /** A request handler in another session failed; `context.remoteCode` keeps the code it threw. */
  REQUEST_FAILED: 'REQUEST_FAILED',
  /** A channel holds its capacity of undelivered messages; the message was refused (a later send may fit). */
  CHANNEL_FULL: 'CHANNEL_FULL',
  /** A channel's owner is gone, or the owner does not know the channel; `context.reason` says which. */
  CHANNEL_NOT_FOUND: 'CHANNEL_NOT_FOUND',
  /** A message's expiry passed before it reached its channel; it was dropped and counted. */
  MESSAGE_EXPIRED: 'MESSAGE_EXPIRED',
  /**
   * A transaction's commit was sent and its answer lost, and whether it committed could not be learned before a
   * deadline (its coordinator unreachable). Never retriable: running it again could commit its records twice.
   * `context.transaction` names it; `KafkaTransactionalWriter.outcome()` learns the outcome once Kafka answers.
   */
  TRANSACTION_OUTCOME_UNKNOWN: 'TRANSACTION_OUTCOME_UNKNOWN',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface TributaryErrorOptions {
  /** Whether trying the same operation again may succeed. Defaults to false. */
  retriable?: boolean;
  /** Structured facts about the failure: the input, the expected form, the topic, the plugin... */
  context?: Record<string, unknown>;
  /** The error that caused this one; always kept. */
  cause?: unknown;
}

/** Base class of every error Tributary throws. Test with `instanceof` or compare `code`. */
export class TributaryError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: TributaryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.context = Object.freeze({ ...(options.context ?? {}) });
  }
}

/** True when `error` is a {@link TributaryError}, optionally with the given code. */
export function isTributaryError(error: unknown, code?: ErrorCode): error is TributaryError {
  return error instanceof TributaryError && (code === undefined || error.code === code);
}

/** A value does not have the expected form. The message quotes the value and says what was expected. */
export class InvalidArgumentError extends TributaryError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(ErrorCodes.INVALID_ARGUMENT, message, { context, cause });
  }
}

/** Quote a user's value for an error message, shortened so a huge input cannot flood a log. */
export function quote(value: unknown, max = 120): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}

// --- Producer plugins: configuration, loading, lifecycle and sending. -----------------------------------------

/** A plugin's settings do not validate. `context` holds `plugin`, `path` (dotted), `value` and `expected`. */
export class PluginConfigError extends TributaryError {
  constructor(message: string, context: { plugin: string; path: string; value: unknown; expected: string; issues?: ReadonlyArray<{ path: string; message: string }> }, cause?: unknown) {
    super(ErrorCodes.PLUGIN_CONFIG, message, { context, cause });
  }
}

/** Why a producer plugin could not be loaded. */
export type PluginLoadReason = 'not-registered' | 'module-not-found' | 'import-failed' | 'class-not-found' | 'not-a-plugin' | 'constructor-failed';

/** A producer plugin could not be loaded. `context` holds `plugin` (what was asked for) and `reason`. */
export class PluginLoadError extends TributaryError {
  constructor(message: string, context: { plugin: string; reason: PluginLoadReason } & Record<string, unknown>, cause?: unknown) {
    super(ErrorCodes.PLUGIN_LOAD, message, { context, cause });
  }
}

/** A plugin was used in the wrong lifecycle state. `context` holds `plugin`, `state` and `operation`. */
export class PluginStateError extends TributaryError {
  constructor(message: string, context: { plugin: string; state: string; operation: string }) {
    super(ErrorCodes.PLUGIN_STATE, message, { context });
  }
}

/** An event's record is larger than the limit. `context` holds `eventId`, `size` and `limit` (bytes). */
export class EventTooLargeError extends TributaryError {
  constructor(message: string, context: { eventId: string; size: number; limit: number }) {
    super(ErrorCodes.EVENT_TOO_LARGE, message, { context });
  }
}

/**
 * `send()` failed. `outcomes` tells, for each event given, in order, whether it is `ok`, `failed` or
 * `unknown` (see {@link SendStatus}); `cause` is the original failure. Retriable when the cause is.
 */
export class FailedToSendEventError extends TributaryError {
  readonly outcomes: readonly SendOutcome[];

  constructor(message: string, outcomes: readonly SendOutcome[], options: { cause: unknown; context?: Record<string, unknown> }) {
    super(ErrorCodes.SEND_FAILED, message, {
      cause: options.cause,
      retriable: options.cause instanceof TributaryError && options.cause.retriable,
      context: options.context ?? {},
    });
    this.outcomes = Object.freeze([...outcomes]);
  }

  /** The events with the given status, in the order they were given. */
  eventsWith(status: SendStatus): Event[] {
    return this.outcomes.filter((o) => o.status === status).map((o) => o.event);
  }
}

/**
 * Thrown by a plugin's `_send` that knows, for each record of its batch, whether it was written: `outcomes`
 * has one entry per record, in order. Any other error thrown by `_send` makes every event `unknown`.
 */
export class PartialSendError extends TributaryError {
  readonly outcomes: readonly RecordOutcome[];

  constructor(message: string, outcomes: readonly RecordOutcome[], options: { cause?: unknown; retriable?: boolean } = {}) {
    super(ErrorCodes.SEND_FAILED, message, { cause: options.cause, retriable: options.retriable ?? false });
    this.outcomes = Object.freeze([...outcomes]);
  }
}
