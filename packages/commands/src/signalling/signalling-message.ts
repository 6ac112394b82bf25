import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, isTributaryError, quote } from '@tributary/core';
import { messageOf } from '@tributary/kafka';

/**
 * The signalling commands of seed 001 (Django Message Broker's `SignallingMessageCommands`), each with the 8-byte
 * code it has on the wire there.
 *
 * Client to server: `GROUP_ADD` (add a channel to a group), `GROUP_DISCARD` (remove it), `FLUSH` (remove all
 * groups and messages), `PRINT` (the group store and clients, to the server's log and in the answer),
 * `PERFORMANCE` (request a performance report). Server to client: `COMPLETE` (command complete), `EXCEPTION`
 * (the command raised an exception), `PERFORMANCE_REPORT` (the report), `FLUSH_CLIENT` (flush the client's
 * message store). Both ways: `KEEPALIVE`.
 */
export const SignallingCommands = {
  GROUP_ADD: 'GROUPADD',
  GROUP_DISCARD: 'GROUPDIS',
  FLUSH: 'FLUSHXXX',
  PRINT: 'PRINTXXX',
  PERFORMANCE: 'PERFMNCE',
  COMPLETE: 'COMPLETE',
  EXCEPTION: 'EXCEPTON',
  PERFORMANCE_REPORT: 'PERFRPRT',
  FLUSH_CLIENT: 'FLUSHCXX',
  KEEPALIVE: 'HARTBEAT',
} as const;

/** A signalling command's name (`GROUP_ADD`...). */
export type SignallingCommand = keyof typeof SignallingCommands;

/**
 * A signalling message (seed 001's `SignallingMessage`): an id that tracks the command, the command, and its
 * properties. The seed's routing-id frames are not needed: messaging routes each request to its session and each
 * answer back to the requester.
 */
export interface SignallingMessage {
  /** Unique; an answer (`COMPLETE`, `EXCEPTION`) carries the id of the command it answers. */
  readonly id: string;
  readonly command: SignallingCommand;
  readonly properties: Readonly<Record<string, unknown>>;
}

const NAMES = new Set(Object.keys(SignallingCommands));

/** A new message with a fresh id. */
export function signallingMessage(command: SignallingCommand, properties: Record<string, unknown> = {}): SignallingMessage {
  return { id: randomUUID(), command, properties };
}

/** `COMPLETE` for the command `id`. */
export function complete(id: string, properties: Record<string, unknown> = {}): SignallingMessage {
  return { id, command: 'COMPLETE', properties };
}

/** `EXCEPTION` for the command `id`, carrying the error's code and message. */
export function exception(id: string, error: unknown): SignallingMessage {
  const code = isTributaryError(error) ? error.code : typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : 'Error';
  return { id, command: 'EXCEPTION', properties: { code, message: messageOf(error) } };
}

/**
 * Check a message read from the other side; the command must be one of `accepted`.
 * @throws InvalidArgumentError naming what is wrong (the answer is an EXCEPTION when the id could be read).
 */
export function parseSignallingMessage(value: unknown, accepted: readonly SignallingCommand[]): SignallingMessage {
  const m = value as Partial<SignallingMessage> | null;
  if (typeof m !== 'object' || m === null || typeof m.id !== 'string' || m.id.length === 0) {
    throw new InvalidArgumentError(`A signalling message must be { id, command, properties }, got ${quote(value)}`, { option: 'message', value, expected: 'a signalling message' });
  }
  if (typeof m.command !== 'string' || !NAMES.has(m.command) || !accepted.includes(m.command)) {
    throw new InvalidArgumentError(`Signalling command ${quote(m.command)} is not accepted here; expected one of ${accepted.join(', ')}`, { option: 'command', value: m.command, expected: accepted.join(', ') });
  }
  const properties = m.properties ?? {};
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    throw new InvalidArgumentError(`The properties of signalling message ${m.id} must be an object`, { option: 'properties', value: properties, expected: 'an object' });
  }
  return { id: m.id, command: m.command, properties };
}

/** The string property `name` of a command. @throws InvalidArgumentError when it is missing or not a string. */
export function stringProperty(message: SignallingMessage, name: string): string {
  const value = message.properties[name];
  if (typeof value !== 'string') throw new InvalidArgumentError(`${message.command} ${message.id} needs a string property ${name}, got ${quote(value)}`, { option: name, value, expected: 'a string' });
  return value;
}
