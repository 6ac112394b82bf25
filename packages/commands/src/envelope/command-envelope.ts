import { createHash, randomUUID } from 'node:crypto';
import { ErrorCodes, Event, TributaryError } from '@tributary/core';
import type { CommandMessage } from '../message/command-message.js';
import type { MessageRegistry } from '../message/message-registry.js';

/** The category prefix of command events: a command of type `echo` travels as category `command.echo`. */
export const COMMAND_CATEGORY = 'command';

/** Headers of a command event, besides Tributary's own (`tributary-id` is the message id). */
export const CommandHeaders = {
  correlationId: 'command-correlation-id',
  causationId: 'command-causation-id',
} as const;

/** A command message on its way: its envelope `{ type, body }` and ids. */
export interface CommandEnvelope {
  readonly id: string;
  readonly type: string;
  readonly body: unknown;
  readonly correlationId: string;
  readonly causationId: string | undefined;
}

/**
 * A command message as a Tributary event: category `command.<type>`, type `<type>`, payload `{ type, body }`,
 * keyed by its correlation id (a chain stays in one partition, in order), with the correlation and causation
 * ids as headers. A message sent from outside is its own correlation; `id` may be given (follow-ups get ids
 * derived from their cause, so publishing them again writes the same ids).
 */
export function commandEvent(message: CommandMessage, ids: { id?: string; correlationId?: string; causationId?: string } = {}): Event<{ type: string; body: unknown }> {
  const id = ids.id ?? randomUUID();
  const correlationId = ids.correlationId ?? id;
  return Event.create({
    id,
    category: `${COMMAND_CATEGORY}.${message.type}`,
    type: message.type,
    key: correlationId,
    payload: { type: message.type, body: message.toJSON() },
    headers: { [CommandHeaders.correlationId]: correlationId, ...(ids.causationId ? { [CommandHeaders.causationId]: ids.causationId } : {}) },
  });
}

/** Read a command event's envelope. @throws TributaryError DECODE_FAILED naming what is missing. */
export function commandEnvelope(event: Event): CommandEnvelope {
  const payload = event.payload as { type?: unknown; body?: unknown } | null;
  if (typeof payload !== 'object' || payload === null || typeof payload.type !== 'string') {
    throw new TributaryError(ErrorCodes.DECODE_FAILED, `Command event ${event.id} has no { type, body } payload`, { context: { id: event.id, category: event.category } });
  }
  return { id: event.id, type: payload.type, body: payload.body, correlationId: event.headers[CommandHeaders.correlationId] ?? event.id, causationId: event.headers[CommandHeaders.causationId] };
}

/** Rebuild the message of an envelope with the registry. @throws UnknownMessageTypeError; what fromJSON throws. */
export function messageOf(registry: MessageRegistry, envelope: CommandEnvelope): CommandMessage {
  return registry.fromJSON(envelope.type, envelope.body);
}

/**
 * The id of the `index`-th follow-up of message `parentId`: a UUID derived from both (name-based, as UUIDv5),
 * so a message run again after a crash publishes its follow-ups under the same ids, and readers that dedupe
 * by id see each once.
 */
export function followUpId(parentId: string, index: number): string {
  const h = createHash('sha1').update(`tributary-command:${parentId}:${index}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
