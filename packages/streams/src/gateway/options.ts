import { InvalidArgumentError, quote } from '@tributary/core';
import { JsonStreamCodec, type JsonValueCodec } from '../codec/json-stream-codec.js';

/** Options of {@link createStreamGateway}. */
export interface StreamGatewayOptions {
  /** The address to listen on. Default `127.0.0.1` (this machine only: give `0.0.0.0` to serve others). */
  host?: string;
  /** The TCP port. Default 0: a free port, which `listen()` tells. */
  port?: number;
  /** The longest request line, in bytes without its newline; a longer one is refused and skipped. Default 1 MiB. */
  maxLineBytes?: number;
  /**
   * The most bytes that may wait, unread, for one client. A client past it is disconnected with a final
   * `slow-client` error line and its listeners hung up. Default 8 MiB.
   */
  maxQueuedBytes?: number;
  /**
   * How messages look inside lines. Default: `new JsonStreamCodec({ unknownClasses: 'keep' })`, the seed's
   * encoding, relaying objects of classes only the clients know; give a codec with your registry to revive
   * your classes before they reach the service.
   */
  codec?: JsonValueCodec;
}

/** Gateway options, checked, with their defaults filled in. */
export interface ResolvedGatewayOptions {
  readonly host: string;
  readonly port: number;
  readonly maxLineBytes: number;
  readonly maxQueuedBytes: number;
  readonly codec: JsonValueCodec;
}

/** The default `maxLineBytes`: 1 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
/** The default `maxQueuedBytes`: 8 MiB. */
export const DEFAULT_MAX_QUEUED_BYTES = 8 * 1024 * 1024;

/** Check options once, at construction. @throws InvalidArgumentError naming the option and what it should be. */
export function resolveGatewayOptions(options: StreamGatewayOptions = {}): ResolvedGatewayOptions {
  if (typeof options !== 'object' || options === null) fail('options', 'an object', options);
  const { host = '127.0.0.1', port = 0, maxLineBytes = DEFAULT_MAX_LINE_BYTES, maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES } = options;
  if (typeof host !== 'string' || host === '') fail('host', 'a host name or IP address', host);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('port', 'an integer from 0 to 65535', port);
  for (const [option, value] of [['maxLineBytes', maxLineBytes], ['maxQueuedBytes', maxQueuedBytes]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) fail(option, 'a positive integer (bytes)', value);
  }
  const codec = options.codec ?? new JsonStreamCodec({ unknownClasses: 'keep' });
  if (typeof codec?.toJson !== 'function' || typeof codec?.fromJson !== 'function') fail('codec', 'a JsonValueCodec (toJson, fromJson), such as a JsonStreamCodec', codec);
  return { host, port, maxLineBytes, maxQueuedBytes, codec };
}

function fail(option: string, expected: string, value: unknown, owner = 'Stream gateway'): never {
  throw new InvalidArgumentError(`${owner} option ${option} is ${quote(value)}; expected ${expected}`, { option, value, expected });
}

/** Options of `RemoteStream.connect`. */
export interface RemoteStreamOptions {
  /** The gateway's host. Default `127.0.0.1`. */
  host?: string;
  /** The gateway's port. */
  port: number;
  /** How messages look inside lines: the gateway's codec, with your classes registered. Default `new JsonStreamCodec()`. */
  codec?: JsonValueCodec;
  /** The longest line accepted from the gateway; a longer one breaks the connection. Default 64 MiB. */
  maxLineBytes?: number;
  /**
   * Deliveries that may wait for this client's listeners, across its streams, before it stops reading the
   * socket (so the gateway, and the service behind it, wait). Default 10000.
   */
  maxQueued?: number;
  /** How long connecting may take. Default 10000 ms. */
  connectTimeoutMs?: number;
  /** Abort connecting. */
  signal?: AbortSignal;
}

/** RemoteStream options, checked, with their defaults filled in. */
export interface ResolvedRemoteStreamOptions {
  readonly host: string;
  readonly port: number;
  readonly codec: JsonValueCodec;
  readonly maxLineBytes: number;
  readonly maxQueued: number;
  readonly connectTimeoutMs: number;
  readonly signal: AbortSignal | undefined;
}

/** Check options once, before connecting. @throws InvalidArgumentError naming the option and what it should be. */
export function resolveRemoteStreamOptions(options: RemoteStreamOptions): ResolvedRemoteStreamOptions {
  const at = 'RemoteStream';
  if (typeof options !== 'object' || options === null) fail('options', 'an object with `port`', options, at);
  const { host = '127.0.0.1', port, maxLineBytes = 64 * 1024 * 1024, maxQueued = 10_000, connectTimeoutMs = 10_000, signal } = options;
  if (typeof host !== 'string' || host === '') fail('host', 'a host name or IP address', host, at);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail('port', 'an integer from 1 to 65535', port, at);
  for (const [option, value] of [['maxLineBytes', maxLineBytes], ['maxQueued', maxQueued], ['connectTimeoutMs', connectTimeoutMs]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) fail(option, 'a positive integer', value, at);
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) fail('signal', 'an AbortSignal', signal, at);
  const codec = options.codec ?? new JsonStreamCodec();
  if (typeof codec?.toJson !== 'function' || typeof codec?.fromJson !== 'function') fail('codec', 'a JsonValueCodec (toJson, fromJson), such as a JsonStreamCodec', codec, at);
  return { host, port, codec, maxLineBytes, maxQueued, connectTimeoutMs, signal };
}
