import { randomBytes } from 'node:crypto';
import { InvalidChannelNameError } from '../errors.js';

/** Django Channels' limit: a channel or group name has fewer than this many characters. */
export const MAX_NAME_LENGTH = 100;

// Django Channels' patterns (channels/layers.py), narrowed: a channel this layer can route is process-specific,
// `<prefix>.<owner session id>!<random>`, so its owner is read from its name as Django's `specific.` channels are.
const GROUP = /^[a-zA-Z\d\-_.]+$/;
const PREFIX = /^[a-zA-Z\d\-_.]+$/;
const SPECIFIC = /^[a-zA-Z\d\-_.]+\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})![\w\-.]+$/;

/**
 * A new channel name owned by the session `owner`: `<prefix>.<owner>!<16 hex digits>`.
 * @throws InvalidChannelNameError when the prefix is not letters, digits, `-`, `_`, `.` or makes the name too long.
 */
export function mintChannelName(prefix: string, owner: string): string {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) throw new InvalidChannelNameError('channel', prefix, 'a prefix of ASCII letters, digits, "-", "_" and "."');
  const name = `${prefix}.${owner}!${randomBytes(8).toString('hex')}`;
  if (name.length >= MAX_NAME_LENGTH) throw new InvalidChannelNameError('channel', name, `fewer than ${MAX_NAME_LENGTH} characters (shorten the prefix)`);
  return name;
}

/**
 * The session owning a channel, read from its name.
 * @throws InvalidChannelNameError when the name is not a channel made by `newChannel()`.
 */
export function channelOwner(channel: unknown): string {
  const match = typeof channel === 'string' && channel.length < MAX_NAME_LENGTH ? SPECIFIC.exec(channel) : null;
  if (!match) throw new InvalidChannelNameError('channel', channel, `a name made by newChannel() ("<prefix>.<session id>!<random>", fewer than ${MAX_NAME_LENGTH} characters)`);
  return match[1]!;
}

/** The owner of a channel, or undefined when the name is not one `newChannel()` makes. */
export function ownerOrUndefined(channel: string): string | undefined {
  return SPECIFIC.exec(channel)?.[1];
}

/** @throws InvalidChannelNameError unless `group` is ASCII letters, digits, `-`, `_`, `.`, fewer than 100. */
export function checkGroupName(group: unknown): string {
  if (typeof group !== 'string' || group.length >= MAX_NAME_LENGTH || !GROUP.test(group)) {
    throw new InvalidChannelNameError('group', group, `ASCII letters, digits, "-", "_" and ".", fewer than ${MAX_NAME_LENGTH} characters`);
  }
  return group;
}
