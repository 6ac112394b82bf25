import { ErrorCodes, InvalidArgumentError, isTributaryError, quote, TributaryError } from '@tributary/core';
import { messageOf } from '@tributary/kafka';
import { NoHandlerError, SessionNotFoundError } from '@tributary/messaging';
import { ChannelFullError, ChannelNotFoundError, MessageExpiredError } from '../errors.js';
import type { ChannelMessage } from './channel-buffer.js';

/**
 * The path of the addressed request that carries messages to a channel layer's session. One request per owner
 * carries a message to all of that owner's channels a send or group send reaches.
 */
export const DELIVER_PATH = 'tributary/channels/deliver';

/** A message for some channels of one owner, and when it expires (epoch ms, from the sender's clock). */
export interface DeliveryRequest {
  readonly channels: readonly string[];
  readonly message: ChannelMessage;
  readonly expiresAt: number;
}

/** What became of the message on one channel. */
export type DeliveryResult =
  | { readonly channel: string; readonly outcome: 'received' | 'buffered' }
  | { readonly channel: string; readonly error: { readonly code: string; readonly message: string; readonly capacity?: number; readonly expiresAt?: number } };

/** The owner's answer: one result per channel of the request, in its order. */
export interface DeliveryResponse {
  readonly results: readonly DeliveryResult[];
}

/**
 * Check a message given to `send` or `groupSend`: an object JSON can hold, as it travels as JSON to other processes
 * (a local receiver gets the same copy a remote one would).
 * @throws InvalidArgumentError naming what is wrong.
 */
export function copyMessage(message: unknown): ChannelMessage {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    throw new InvalidArgumentError(`A channel message must be an object (Django Channels' messages are dicts), got ${quote(message)}`, { option: 'message', value: message, expected: 'an object' });
  }
  try {
    return JSON.parse(JSON.stringify(message)) as ChannelMessage;
  } catch (error) {
    throw new InvalidArgumentError(`A channel message must be JSON: ${messageOf(error)}`, { option: 'message', expected: 'an object JSON can hold' }, error);
  }
}

/** @throws InvalidArgumentError when a delivery request is malformed (the sender runs other code). */
export function parseDeliveryRequest(value: unknown): DeliveryRequest {
  const r = value as Partial<DeliveryRequest> | null;
  const ok = typeof r === 'object' && r !== null && Array.isArray(r.channels) && r.channels.every((c) => typeof c === 'string') && typeof r.expiresAt === 'number' && typeof r.message === 'object' && r.message !== null;
  if (!ok) throw new InvalidArgumentError('A channel delivery must be { channels: string[], message: object, expiresAt: number }', { option: 'request', expected: 'a channel delivery' });
  return r as DeliveryRequest;
}

/** The result of an error thrown while pushing to one channel. */
export function failedResult(channel: string, error: unknown): DeliveryResult {
  const code = isTributaryError(error) ? error.code : 'Error';
  const capacity = (error as ChannelFullError).context?.capacity as number | undefined;
  const expiresAt = (error as MessageExpiredError).context?.expiresAt as number | undefined;
  return { channel, error: { code, message: messageOf(error), ...(capacity === undefined ? {} : { capacity }), ...(expiresAt === undefined ? {} : { expiresAt }) } };
}

/** The error for a failed result, typed as the owner's was. */
export function resultError(owner: string, result: Extract<DeliveryResult, { error: unknown }>): Error {
  const { channel, error } = result;
  switch (error.code) {
    case ErrorCodes.CHANNEL_FULL:
      return new ChannelFullError(channel, error.capacity ?? 0);
    case ErrorCodes.MESSAGE_EXPIRED:
      return new MessageExpiredError(channel, error.expiresAt ?? 0);
    case ErrorCodes.CHANNEL_NOT_FOUND:
      return new ChannelNotFoundError(channel, owner, 'unknown-channel');
    default:
      return new TributaryError(ErrorCodes.REQUEST_FAILED, `Delivering to channel ${channel} failed in its owner ${owner}: ${error.message}`, { context: { channel, owner, remoteCode: error.code } });
  }
}

/**
 * The error for a channel when the request to its owner failed as a whole: a gone owner or one without a layer is
 * a {@link ChannelNotFoundError} (the message was not taken); a timeout or abort is kept as it is (whether the owner
 * took the message is unknown).
 */
export function requestError(channel: string, owner: string, error: unknown): Error {
  if (error instanceof SessionNotFoundError) return new ChannelNotFoundError(channel, owner, 'owner-gone', error);
  if (error instanceof NoHandlerError) return new ChannelNotFoundError(channel, owner, 'not-a-channel-layer', error);
  return error instanceof Error ? error : new TributaryError(ErrorCodes.REQUEST_FAILED, messageOf(error), { context: { channel, owner }, cause: error });
}
