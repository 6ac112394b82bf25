/**
 * The errors of command messages, channels and signalling. They belong to Tributary's one error family
 * ({@link TributaryError} from `@tributary/core`): a stable `code`, `retriable`, structured `context`, and the
 * `cause` kept.
 */
import { ErrorCodes, InvalidArgumentError, TributaryError } from '@tributary/core';

// --- Channels and groups. ---------------------------------------------------------------------------------------

/**
 * A channel or group name is not one the channel layer accepts (Django Channels' rules: ASCII letters, digits,
 * `-`, `_` and `.`, fewer than 100 characters; a channel name from `newChannel()` has its owner before the `!`).
 * `context`: `option` (`channel` or `group`), `value`, `expected`.
 */
export class InvalidChannelNameError extends InvalidArgumentError {
  constructor(option: 'channel' | 'group', value: unknown, expected: string) {
    super(`${option === 'channel' ? 'Channel' : 'Group'} name ${JSON.stringify(value)} is not valid: expected ${expected}`, { option, value, expected });
  }
}

/**
 * The channel already holds `capacity` undelivered messages: this message was refused, not dropped. Retriable:
 * a send after the receiver has caught up may fit. `context`: `channel`, `capacity`.
 */
export class ChannelFullError extends TributaryError {
  readonly channel: string;

  constructor(channel: string, capacity: number) {
    super(ErrorCodes.CHANNEL_FULL, `Channel ${channel} is full: it holds its capacity of ${capacity} undelivered messages`, { retriable: true, context: { channel, capacity } });
    this.channel = channel;
  }
}

/** Why a channel could not be reached. */
export type ChannelNotFoundReason =
  /** The session owning the channel is not live (closed, or silent past its timeout): its channels went with it. */
  | 'owner-gone'
  /** The owner is live but did not make this channel (or is closing). */
  | 'unknown-channel'
  /** The session named in the channel has no channel layer (no handler for deliveries). */
  | 'not-a-channel-layer';

/**
 * A message could not be handed to a channel's owner. `context`: `channel`, `reason` ({@link ChannelNotFoundReason}),
 * `owner` (the session id in the channel's name); `cause` is messaging's error when there was one.
 */
export class ChannelNotFoundError extends TributaryError {
  readonly channel: string;
  readonly reason: ChannelNotFoundReason;

  constructor(channel: string, owner: string, reason: ChannelNotFoundReason, cause?: unknown) {
    const why = { 'owner-gone': `its owner session ${owner} is gone`, 'unknown-channel': `its owner session ${owner} does not know it`, 'not-a-channel-layer': `session ${owner} has no channel layer` }[reason];
    super(ErrorCodes.CHANNEL_NOT_FOUND, `Channel ${channel} cannot be reached: ${why}`, { context: { channel, owner, reason }, cause });
    this.channel = channel;
    this.reason = reason;
  }
}

/**
 * A message reached its channel's owner after its expiry (`expirySeconds` from its send): it was dropped there and
 * counted. `context`: `channel`, `expiresAt` (epoch milliseconds).
 */
export class MessageExpiredError extends TributaryError {
  readonly channel: string;

  constructor(channel: string, expiresAt: number) {
    super(ErrorCodes.MESSAGE_EXPIRED, `A message to channel ${channel} expired at ${new Date(expiresAt).toISOString()} before it reached the channel`, { context: { channel, expiresAt } });
    this.channel = channel;
  }
}

/** A channel layer was used after `close()`. `context`: `operation`. */
export class ChannelLayerClosedError extends TributaryError {
  constructor(operation: string) {
    super(ErrorCodes.CONSUMER_STATE, `Cannot ${operation}: the channel layer is closed`, { context: { operation } });
  }
}

// --- Signalling. ------------------------------------------------------------------------------------------------

/**
 * The signalling server answered a command with `EXCEPTION` (seed 001: "Command raised an exception"). `commandId`
 * is the command's id, which the EXCEPTION carries; `remoteCode` the server's error code. `context`: `command`,
 * `commandId`, `remoteCode`, `serverId`.
 */
export class SignallingCommandError extends TributaryError {
  readonly commandId: string;
  readonly remoteCode: string;

  constructor(command: string, commandId: string, serverId: string, remoteCode: string, message: string) {
    super(ErrorCodes.REQUEST_FAILED, `${command} ${commandId} raised an exception on signalling server ${serverId}: ${message}`, { context: { command, commandId, remoteCode, serverId } });
    this.commandId = commandId;
    this.remoteCode = remoteCode;
  }
}

// --- Command messages (seed 000). ---

/** A message type no class is registered for. `context`: `type`, `known` (the registered types). */
export class UnknownMessageTypeError extends TributaryError {
  constructor(type: string, known: readonly string[]) {
    super(ErrorCodes.INVALID_ARGUMENT, `Unknown command message type ${JSON.stringify(type)}; registered types: ${known.length ? known.join(', ') : '(none)'}`, { context: { type, known: [...known] } });
  }
}

/** A message that returned false or threw: retried, then dead-lettered with this reason. */
export class CommandFailedError extends TributaryError {
  constructor(id: string, type: string, reason: string, cause?: unknown) {
    super(ErrorCodes.HANDLER_FAILED, `Command ${type} ${id} failed: ${reason}`, { retriable: true, context: { id, type }, cause });
  }
}
