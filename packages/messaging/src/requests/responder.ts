import { isTributaryError } from '@tributary/core';
import { messageOf, type Logger } from '@tributary/kafka';
import { TypeMismatchError } from '../errors.js';
import type { MessagingMetrics } from '../metrics/messaging-metrics.js';
import { mostSpecificPath } from '../routing/path.js';
import { dataTypeName, decodeAs, encodeAs } from '../types/data-type.js';
import type { InboxMessage, RequestMessage } from '../wire/envelope.js';
import type { HandlerEntry } from './handler.js';

/** The handlers a session has: for unaddressed requests to its paths, and for requests addressed to it. */
export interface HandlerLookup {
  readonly id: string;
  readonly unaddressed: ReadonlyMap<string, HandlerEntry>;
  readonly addressed: ReadonlyMap<string, HandlerEntry>;
}

/** Where responses go: the requester's inbox partition. */
export type SendReply = (partition: number, message: InboxMessage) => Promise<void>;

/**
 * Runs a session's handler for a request and sends exactly one reply: the response, or an error naming why
 * (no handler for the path, a request or response that does not fit its type, the handler's failure). A request
 * whose deadline passed before it was read is dropped unrun: its requester has stopped waiting.
 */
export async function respond(session: HandlerLookup, request: RequestMessage, send: SendReply, logger: Logger, metrics?: MessagingMetrics): Promise<void> {
  const remaining = request.deadline - Date.now();
  if (remaining <= 0) {
    logger.debug({ requestId: request.id, path: request.path }, 'Messaging: a request read after its deadline was dropped');
    return;
  }
  const table = request.route === 'path' ? session.unaddressed : session.addressed;
  const handlerPath = mostSpecificPath(request.path, (p) => table.has(p));
  const reply = { id: request.id, from: session.id, to: request.from };
  const sendError = (code: string, message: string, remoteCode = '') => send(request.replyTo, { kind: 'error', ...reply, code, remoteCode, message });
  if (handlerPath === undefined) {
    await sendError('NO_HANDLER', `Session ${session.id} has no ${request.route === 'path' ? '' : 'addressed '}handler for path ${JSON.stringify(request.path)}`);
    return;
  }
  const entry = table.get(handlerPath)!;
  let input: unknown;
  try {
    input = await decodeAs(entry.requestType, request.type, request.value, { path: request.path, direction: 'request' });
  } catch (error) {
    await sendError('TYPE_MISMATCH', mismatchText(error));
    return;
  }
  metrics?.handled(request.route);
  const signal = AbortSignal.timeout(remaining);
  let output: unknown;
  try {
    output = await entry.handler(input, { requestId: request.id, sessionId: request.from, path: request.path, handlerPath, route: request.route, properties: request.properties, signal });
  } catch (error) {
    await sendError('REQUEST_FAILED', messageOf(error), codeOf(error));
    return;
  }
  let value: Buffer;
  try {
    value = await encodeAs(entry.responseType, output, { path: request.path, direction: 'response' });
  } catch (error) {
    await sendError('TYPE_MISMATCH', mismatchText(error));
    return;
  }
  await send(request.replyTo, { kind: 'response', ...reply, type: dataTypeName(entry.responseType), value });
}

/** A type mismatch travels as JSON, so the requester rebuilds the same error with its context. */
function mismatchText(error: unknown): string {
  if (error instanceof TypeMismatchError) return JSON.stringify({ message: error.message, ...error.context });
  return JSON.stringify({ message: messageOf(error), expected: 'unknown', actual: 'unknown', direction: 'request' });
}

/** The code that travels back: a Tributary code, a string `code` property (Node's errors have one), or the error's name. */
function codeOf(error: unknown): string {
  if (isTributaryError(error)) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.length > 0) return code;
  return error instanceof Error ? error.name : 'Error';
}
