import { intOption, optionFailure, prefixOption, resolveHub, type HubOptions, type ResolvedHub } from './hub.js';
import { channelTopics, DEFAULT_CHANNELS_PREFIX, DEFAULT_GROUP_EXPIRY_SECONDS, type ChannelTopics } from './topics.js';

/**
 * Options of {@link createChannelLayer}: where it runs (`connection` or `transport`, and the messaging hub), and
 * Django Channels' settings with their defaults (`capacity` 100, `expiry` 60 s, `group_expiry` 86400 s).
 */
export interface ChannelLayerOptions extends HubOptions {
  /** Prefix of the groups topic (see {@link ensureChannelTopics}). Default `tributary.channels`. */
  prefix?: string;
  /** Undelivered messages a channel holds at most; a send beyond is refused with `ChannelFullError`. Default 100. */
  capacity?: number;
  /** Seconds an undelivered message lasts from its send; then it is dropped and counted. Default 60. */
  expirySeconds?: number;
  /** Seconds a group membership lasts from its `groupAdd` (adding again starts it over). Default 86400. */
  groupExpirySeconds?: number;
  /**
   * Longest a send waits for the channel's owner to take the message (never past the message's expiry); then
   * `RequestTimeoutError`, and whether the owner took it is unknown. Default 5000 ms.
   */
  sendTimeoutMs?: number;
}

/** {@link ChannelLayerOptions} checked, with defaults, durations in milliseconds. */
export interface ResolvedChannelLayerOptions extends ResolvedHub {
  readonly topics: ChannelTopics;
  readonly capacity: number;
  readonly expiryMs: number;
  readonly groupExpiryMs: number;
  readonly sendTimeoutMs: number;
}

const fail = optionFailure('Channel layer option');

/** Check options once, at construction. @throws InvalidArgumentError naming the option and what it should be. */
export function resolveChannelLayerOptions(o: ChannelLayerOptions): ResolvedChannelLayerOptions {
  if (typeof o !== 'object' || o === null) fail('options', 'an object with `connection` or `transport`', o);
  const prefix = prefixOption(o.prefix, 'prefix', DEFAULT_CHANNELS_PREFIX, fail);
  const capacity = intOption(o.capacity, 'capacity', 100, 1, 1_000_000, fail);
  const expiryMs = intOption(o.expirySeconds, 'expirySeconds', 60, 1, 86_400, fail) * 1000;
  const groupExpiryMs = intOption(o.groupExpirySeconds, 'groupExpirySeconds', DEFAULT_GROUP_EXPIRY_SECONDS, 1, 365 * 86_400, fail) * 1000;
  const sendTimeoutMs = intOption(o.sendTimeoutMs, 'sendTimeoutMs', 5000, 1, 3_600_000, fail);
  return { ...resolveHub(o, fail), topics: channelTopics(prefix), capacity, expiryMs, groupExpiryMs, sendTimeoutMs };
}
