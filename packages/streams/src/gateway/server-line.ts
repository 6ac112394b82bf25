/**
 * The lines a gateway sends, read by a client (pure): deliveries, acks and errors (see `wire.ts`).
 */
import { ErrorCodes } from '@tributary/core';
import type { JsonValueCodec } from '../codec/json-stream-codec.js';
import { RemoteStreamError } from '../errors.js';
import type { StreamDelivery } from '../stream-service.js';
import { isStreamPosition } from './wire.js';

/** What one line from the gateway says. */
export type ServerLine =
  | { readonly kind: 'delivery'; readonly delivery: StreamDelivery }
  /** A delivery whose message this client's codec cannot decode: the stream can no longer be followed here. */
  | { readonly kind: 'undecodable'; readonly stream: string; readonly problem: string }
  | { readonly kind: 'ack'; readonly line: number; readonly recovered?: boolean }
  | { readonly kind: 'error'; readonly line?: number; readonly error: RemoteStreamError }
  /** A line of a kind this client does not know (a newer gateway): skipped. */
  | { readonly kind: 'other' };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const KNOWN_CODES = new Set<string>(Object.values(ErrorCodes));

/**
 * Read one line from the gateway.
 * @throws Error naming the problem when the line is not a JSON object, or a delivery, ack or error line is
 *   malformed: the protocol is broken, and the caller drops the connection.
 */
export function parseServerLine(bytes: Buffer, codec: JsonValueCodec): ServerLine {
  const line = JSON.parse(utf8.decode(bytes)) as unknown;
  if (line === null || typeof line !== 'object' || Array.isArray(line)) throw new Error(`a line from the gateway is not a JSON object: ${bytes.subarray(0, 80).toString('utf8')}`);
  const { action, stream } = line as Record<string, unknown>;
  const fields = line as Record<string, unknown>;
  switch (action) {
    case 'ack':
      return { kind: 'ack', line: lineNumber(fields.line), ...(typeof fields.recovered === 'boolean' ? { recovered: fields.recovered } : {}) };
    case 'error':
      return errorLine(fields);
    case 'header':
    case 'put': {
      if (typeof stream !== 'string' || !isStreamPosition(fields.position)) throw new Error(`a ${action} line from the gateway has no stream or position`);
      try {
        return { kind: 'delivery', delivery: { action, stream, message: codec.fromJson(fields.message), position: fields.position } };
      } catch (error) {
        return { kind: 'undecodable', stream, problem: (error as Error).message };
      }
    }
    case 'close': {
      if (typeof stream !== 'string') throw new Error('a close line from the gateway has no stream');
      const position = isStreamPosition(fields.position) ? { position: fields.position } : {};
      return { kind: 'delivery', delivery: { action, stream, ...position, ...(typeof fields.reason === 'string' ? { reason: fields.reason } : {}) } };
    }
    default:
      return { kind: 'other' };
  }
}

function errorLine(fields: Record<string, unknown>): ServerLine {
  const error = fields.error as Record<string, unknown> | null;
  if (typeof error !== 'object' || error === null || typeof error.code !== 'string' || typeof error.message !== 'string') throw new Error('an error line from the gateway has no error {code, message}');
  const line = fields.line === undefined ? undefined : lineNumber(fields.line);
  const stream = typeof fields.stream === 'string' || fields.stream === null ? fields.stream : undefined;
  const remoteCode = error.code;
  const code = KNOWN_CODES.has(remoteCode) ? (remoteCode as RemoteStreamError['code']) : ErrorCodes.REQUEST_FAILED;
  const reason = typeof error.reason === 'string' ? error.reason : 'unknown';
  return { kind: 'error', line, error: new RemoteStreamError(code, error.message, { remoteCode, reason, retriable: error.retriable === true, line, stream }) };
}

function lineNumber(value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw new Error(`a line number from the gateway is not a positive integer: ${JSON.stringify(value)}`);
  return value as number;
}
