import { isLogger, stderrLogger, type Logger } from '@tributary/kafka';
import { Messaging } from '@tributary/messaging';
import { ChannelLayer } from '../channels/channel-layer.js';
import { intOption, optionFailure, prefixOption, resolveHub, type HubOptions, type OptionFailure, type ResolvedHub } from '../channels/hub.js';
import { channelTopics, DEFAULT_CHANNELS_PREFIX, DEFAULT_GROUP_EXPIRY_SECONDS, type ChannelTopics } from '../channels/topics.js';

/** Default path of the signalling server's commands; clients answer the server on `<path>/client`. */
export const DEFAULT_SIGNALLING_PATH = 'tributary/signalling';

/** Keepalive settings both sides share. */
export interface KeepaliveOptions {
  /** How often this side sends `KEEPALIVE` to its peers (and says so in it). Default 1000 ms. */
  keepaliveMs?: number;
  /** A peer silent for this many of its keepalive intervals is reported lost. Default 3. */
  missedKeepalives?: number;
}

/** Options of {@link openSignallingServer}. */
export interface SignallingServerOptions extends HubOptions, KeepaliveOptions {
  /** Prefix of the groups topic the server keeps memberships on, as the channel layers'. Default `tributary.channels`. */
  prefix?: string;
  /** Seconds a membership added by `GROUP_ADD` lasts. Default 86400. */
  groupExpirySeconds?: number;
  /** The request path of signalling commands. Default `tributary/signalling`. */
  path?: string;
  /** Discard the group memberships of a client's channels when that client is lost. Default true. */
  discardMembershipsOfLostClients?: boolean;
  /** Where `PRINT` writes the group store and clients. Default: the logger, at info. */
  print?: (text: string) => void;
}

/** Options of {@link openSignallingClient}: exactly one of `layer` and `messaging`. */
export interface SignallingClientOptions extends KeepaliveOptions {
  /** Speak for this channel layer: its session, its messages flushed by `FLUSH_CLIENT`, its performance reported. */
  layer?: ChannelLayer;
  /** Instead of `layer`: open a session of the client's own on this hub (closed with the client). */
  messaging?: Messaging;
  /** The signalling server's path. Default `tributary/signalling`. */
  path?: string;
  /** Default deadline of a command: its `COMPLETE` or `EXCEPTION` comes by then, or `RequestTimeoutError`. Default 5000 ms. */
  commandTimeoutMs?: number;
  /** Where logs go (pino fits). Default: warnings and errors to stderr. */
  logger?: Logger;
}

/** Keepalive settings and paths, checked. */
export interface ResolvedKeepalive {
  readonly path: string;
  readonly clientPath: string;
  readonly keepaliveMs: number;
  readonly missedKeepalives: number;
}

/** {@link SignallingServerOptions} checked, with defaults. */
export interface ResolvedServerOptions extends ResolvedHub, ResolvedKeepalive {
  readonly topics: ChannelTopics;
  readonly groupExpiryMs: number;
  readonly discardMembershipsOfLostClients: boolean;
  readonly print: (text: string) => void;
}

/** {@link SignallingClientOptions} checked, with defaults. */
export interface ResolvedClientOptions extends ResolvedKeepalive {
  readonly layer: ChannelLayer | undefined;
  readonly messaging: Messaging | undefined;
  readonly commandTimeoutMs: number;
  readonly logger: Logger;
}

/** @throws InvalidArgumentError naming the option and what it should be. */
export function resolveServerOptions(o: SignallingServerOptions): ResolvedServerOptions {
  const fail = optionFailure('Signalling server option');
  if (typeof o !== 'object' || o === null) fail('options', 'an object with `connection` or `transport`', o);
  const prefix = prefixOption(o.prefix, 'prefix', DEFAULT_CHANNELS_PREFIX, fail);
  const groupExpiryMs = intOption(o.groupExpirySeconds, 'groupExpirySeconds', DEFAULT_GROUP_EXPIRY_SECONDS, 1, 365 * 86_400, fail) * 1000;
  if (o.discardMembershipsOfLostClients !== undefined && typeof o.discardMembershipsOfLostClients !== 'boolean') fail('discardMembershipsOfLostClients', 'true or false', o.discardMembershipsOfLostClients);
  if (o.print !== undefined && typeof o.print !== 'function') fail('print', 'a function of the text', o.print);
  const hub = resolveHub(o, fail);
  return {
    ...hub,
    ...keepalive(o, fail),
    topics: channelTopics(prefix),
    groupExpiryMs,
    discardMembershipsOfLostClients: o.discardMembershipsOfLostClients ?? true,
    print: o.print ?? ((text) => hub.logger.info({ text }, 'Signalling: PRINT')),
  };
}

/** @throws InvalidArgumentError naming the option and what it should be. */
export function resolveClientOptions(o: SignallingClientOptions): ResolvedClientOptions {
  const fail = optionFailure('Signalling client option');
  if (typeof o !== 'object' || o === null) fail('options', 'an object with `layer` or `messaging`', o);
  if ((o.layer === undefined) === (o.messaging === undefined)) fail('layer', 'a ChannelLayer, or else a `messaging` hub (one of the two)', o.layer);
  if (o.layer !== undefined && !(o.layer instanceof ChannelLayer)) fail('layer', 'a ChannelLayer', o.layer);
  if (o.messaging !== undefined && !(o.messaging instanceof Messaging)) fail('messaging', 'a Messaging hub', o.messaging);
  if (o.logger !== undefined && !isLogger(o.logger)) fail('logger', 'an object with debug, info, warn and error methods (pino fits)', typeof o.logger);
  const commandTimeoutMs = intOption(o.commandTimeoutMs, 'commandTimeoutMs', 5000, 1, 3_600_000, fail);
  return { ...keepalive(o, fail), layer: o.layer, messaging: o.messaging, commandTimeoutMs, logger: o.logger ?? stderrLogger };
}

function keepalive(o: KeepaliveOptions & { path?: string }, fail: OptionFailure): ResolvedKeepalive {
  const path = o.path ?? DEFAULT_SIGNALLING_PATH;
  if (typeof path !== 'string' || !/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(path) || path.length > 1000) fail('path', 'a request path: segments of letters, digits, ".", "_" and "-" joined by "/"', path);
  const keepaliveMs = intOption(o.keepaliveMs, 'keepaliveMs', 1000, 20, 3_600_000, fail);
  const missedKeepalives = intOption(o.missedKeepalives, 'missedKeepalives', 3, 2, 1000, fail);
  return { path, clientPath: `${path}/client`, keepaliveMs, missedKeepalives };
}
