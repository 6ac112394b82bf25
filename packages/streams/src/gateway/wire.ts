/**
 * The gateway's wire protocol (seed 004), one JSON object a line, UTF-8, each line ended by `\n` (a `\r`
 * before it is ignored). Pure: lines in, requests out; replies and deliveries in, lines out.
 *
 * Requests (client to gateway):
 * - `{"action": "header"|"put", "stream": name, "message": content}`: set the header, append a message;
 * - `{"action": "close"|"delete", "stream": name}`: end the stream; end and forget it;
 * - `{"action": "listen", "stream": name, "from"?: "header"|"start"|{"epoch","offset"}, "maxQueued"?: n}`;
 * - `{"action": "hangup", "stream": name | null}`: stop listening to one stream, or (null) to every stream.
 *
 * Any request may carry an `"id"` (a string or a number). A request without one is fire-and-forget, as in the
 * seed: nothing comes back on success. A request with one is answered `{"action": "ack", "id", "line"}` once
 * done (a `listen` ack adds `"recovered"`). Failures always come back, id or not, as
 * `{"action": "error", "error": {"code", "reason", "message", "retriable"}, "line": n, "id"?, "stream"?}`, where
 * `line` counts the lines this connection sent (from 1, empty lines too): so a client in any language learns
 * that a publish failed, and which one.
 *
 * Deliveries (gateway to a listening client), in the stream's order: `{"action": "header"|"put", "stream",
 * "message", "position": {"epoch", "offset"}}`, then `{"action": "close", "stream", "position"?, "reason"?}`.
 * The seed names `put` and `close`; the header comes first as `"action": "header"`, since the stream service
 * delivers it as such.
 */
import { ErrorCodes, TributaryError } from '@tributary/core';
import type { JsonValueCodec } from '../codec/json-stream-codec.js';
import type { ListenFrom, StreamDelivery, StreamPosition } from '../stream-service.js';
import { isValidStreamName } from '../stream-name.js';

/** The six request actions of the seed. */
export const GATEWAY_ACTIONS = ['header', 'delete', 'put', 'listen', 'hangup', 'close'] as const;
/** One of the six request actions. */
export type GatewayAction = (typeof GATEWAY_ACTIONS)[number];

/** A request's correlation id, chosen by the client. */
export type RequestId = string | number;

/** A parsed request line. */
export type GatewayRequest = { readonly id?: RequestId } & (
  | { readonly action: 'header' | 'put'; readonly stream: string; readonly message: unknown }
  | { readonly action: 'close' | 'delete'; readonly stream: string }
  | { readonly action: 'listen'; readonly stream: string; readonly from?: ListenFrom; readonly maxQueued?: number }
  | { readonly action: 'hangup'; readonly stream: string | null }
);

/** Why the gateway answered with an error: a stable list, part of the protocol. */
export const GatewayErrorReasons = {
  NOT_UTF8: 'not-utf8',
  NOT_JSON: 'not-json',
  NOT_OBJECT: 'not-object',
  UNKNOWN_ACTION: 'unknown-action',
  INVALID_STREAM: 'invalid-stream',
  MISSING_MESSAGE: 'missing-message',
  INVALID_FIELD: 'invalid-field',
  UNDECODABLE_MESSAGE: 'undecodable-message',
  LINE_TOO_LONG: 'line-too-long',
  ALREADY_LISTENING: 'already-listening',
  /** The stream service refused or failed the request; `code` is its error's code. */
  SERVICE: 'service',
  /** The client let more than `maxQueuedBytes` wait unread: it is disconnected. */
  SLOW_CLIENT: 'slow-client',
  /** The gateway is closing. */
  GATEWAY_CLOSING: 'gateway-closing',
} as const;
/** One of {@link GatewayErrorReasons}. */
export type GatewayErrorReason = (typeof GatewayErrorReasons)[keyof typeof GatewayErrorReasons];

/** The `error` object of an error line. `code` is a Tributary error code, or `UNKNOWN` for a foreign error. */
export interface WireError {
  readonly code: string;
  readonly reason: GatewayErrorReason;
  readonly message: string;
  readonly retriable: boolean;
}

/** A request, or why the line is not one (with its id when the line got far enough to have one). */
export type ParsedRequest = { readonly ok: true; readonly request: GatewayRequest } | { readonly ok: false; readonly error: WireError; readonly id?: RequestId; readonly stream?: string };

/** Where an error line points: the request line, its id and stream, when known. */
export interface ErrorPlace {
  readonly line?: number;
  readonly id?: RequestId;
  readonly stream?: string | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const ACTION_LIST = GATEWAY_ACTIONS.join(', ');

/** A request-shaped problem, with INVALID_ARGUMENT as its code. */
export function requestError(reason: GatewayErrorReason, message: string): WireError {
  return { code: ErrorCodes.INVALID_ARGUMENT, reason, message, retriable: false };
}

/** How a thrown error travels: its Tributary code and retriable flag, or `UNKNOWN`. */
export function wireErrorOf(error: unknown, reason: GatewayErrorReason, prefix: string): WireError {
  const message = `${prefix}${error instanceof Error ? error.message : String(error)}`;
  if (error instanceof TributaryError) return { code: error.code, reason, message, retriable: error.retriable };
  return { code: 'UNKNOWN', reason, message, retriable: false };
}

/**
 * Parse request line `number`. Never throws: a line that is not a request gives `ok: false` and the error
 * that names the problem (not UTF-8, not JSON, not an object, an unknown action naming the six, a missing or
 * invalid stream name, a missing message, a bad `from`/`maxQueued`/`id`, a message the codec cannot decode).
 */
export function parseRequest(bytes: Buffer, number: number, codec: JsonValueCodec): ParsedRequest {
  const at = `Line ${number}`;
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, error: requestError(GatewayErrorReasons.NOT_UTF8, `${at} is not UTF-8 text`) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    return { ok: false, error: requestError(GatewayErrorReasons.NOT_JSON, `${at} is not JSON: ${(cause as Error).message}`) };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    const got = json === null ? 'null' : Array.isArray(json) ? 'an array' : `a ${typeof json}`;
    return { ok: false, error: requestError(GatewayErrorReasons.NOT_OBJECT, `${at} is ${got}, not a request object {"action", "stream", "message"}`) };
  }
  return parseObject(json as Record<string, unknown>, at, codec);
}

function parseObject(line: Record<string, unknown>, at: string, codec: JsonValueCodec): ParsedRequest {
  const { action, stream, id } = line;
  if (id !== undefined && !(typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)))) {
    return { ok: false, error: requestError(GatewayErrorReasons.INVALID_FIELD, `${at}: "id" must be a string or a number, got ${JSON.stringify(id)}`) };
  }
  const fail = (reason: GatewayErrorReason, message: string): ParsedRequest => ({ ok: false, error: requestError(reason, message), id: id as RequestId | undefined, ...(isValidStreamName(stream) ? { stream } : {}) });
  if (typeof action !== 'string' || !(GATEWAY_ACTIONS as readonly string[]).includes(action)) {
    const what = action === undefined ? 'has no "action"' : `has action ${JSON.stringify(action)}`;
    return fail(GatewayErrorReasons.UNKNOWN_ACTION, `${at} ${what}; the actions are ${ACTION_LIST}`);
  }
  if (stream === undefined) {
    return fail(GatewayErrorReasons.INVALID_STREAM, `${at} (${action}) has no "stream"${action === 'hangup' ? ': give a stream name, or null to hang up every stream' : ''}`);
  }
  if (!(action === 'hangup' && stream === null) && !isValidStreamName(stream)) {
    return fail(GatewayErrorReasons.INVALID_STREAM, `${at} (${action}): stream ${JSON.stringify(stream)} is not a stream name (1 to 1024 characters without control characters)`);
  }
  const withId = id === undefined ? {} : { id: id as RequestId };
  switch (action) {
    case 'header':
    case 'put': {
      if (!Object.hasOwn(line, 'message')) return fail(GatewayErrorReasons.MISSING_MESSAGE, `${at} (${action}) has no "message"`);
      try {
        return { ok: true, request: { ...withId, action, stream: stream as string, message: codec.fromJson(line.message) } };
      } catch (cause) {
        return { ok: false, error: wireErrorOf(cause, GatewayErrorReasons.UNDECODABLE_MESSAGE, `${at} (${action}): `), ...withId, stream: stream as string };
      }
    }
    case 'listen':
      return parseListen(line, stream as string, withId, at, fail);
    case 'hangup':
      return { ok: true, request: { ...withId, action, stream: stream as string | null } };
    default:
      return { ok: true, request: { ...withId, action: action as 'close' | 'delete', stream: stream as string } };
  }
}

function parseListen(line: Record<string, unknown>, stream: string, withId: { id?: RequestId }, at: string, fail: (reason: GatewayErrorReason, message: string) => ParsedRequest): ParsedRequest {
  const { from, maxQueued } = line;
  if (from !== undefined && from !== 'header' && from !== 'start' && !isStreamPosition(from)) {
    return fail(GatewayErrorReasons.INVALID_FIELD, `${at} (listen): "from" must be "header", "start" or a position {"epoch": string, "offset": string}, got ${JSON.stringify(from)}`);
  }
  if (maxQueued !== undefined && !(typeof maxQueued === 'number' && Number.isSafeInteger(maxQueued) && maxQueued > 0)) {
    return fail(GatewayErrorReasons.INVALID_FIELD, `${at} (listen): "maxQueued" must be a positive integer, got ${JSON.stringify(maxQueued)}`);
  }
  return { ok: true, request: { ...withId, action: 'listen', stream, ...(from === undefined ? {} : { from: from as ListenFrom }), ...(maxQueued === undefined ? {} : { maxQueued: maxQueued as number }) } };
}

/** Whether `value` has a position's shape, `{"epoch": string, "offset": string}` (the service checks the rest). */
export function isStreamPosition(value: unknown): value is StreamPosition {
  const p = value as Partial<StreamPosition> | null;
  return typeof p === 'object' && p !== null && typeof p.epoch === 'string' && typeof p.offset === 'string';
}

/** The JSON of a delivery line (without its newline): the message as the codec gives it. @throws StreamCodecError ENCODE_FAILED. */
export function deliveryJson(delivery: StreamDelivery, codec: JsonValueCodec): Record<string, unknown> {
  if (delivery.action === 'close') {
    return { action: 'close', stream: delivery.stream, ...(delivery.position ? { position: delivery.position } : {}), ...(delivery.reason === undefined ? {} : { reason: delivery.reason }) };
  }
  return { action: delivery.action, stream: delivery.stream, message: codec.toJson(delivery.message), position: delivery.position };
}

/** The JSON of an error line. */
export function errorJson(error: WireError, place: ErrorPlace = {}): Record<string, unknown> {
  return {
    action: 'error',
    error: { code: error.code, reason: error.reason, message: error.message, retriable: error.retriable },
    ...(place.line === undefined ? {} : { line: place.line }),
    ...(place.id === undefined ? {} : { id: place.id }),
    ...(place.stream === undefined ? {} : { stream: place.stream }),
  };
}

/** The JSON of an ack line, for a request that carried an id. */
export function ackJson(id: RequestId, line: number, recovered?: boolean): Record<string, unknown> {
  return { action: 'ack', id, line, ...(recovered === undefined ? {} : { recovered }) };
}
