import { hostname } from 'node:os';
import { InvalidArgumentError, quote } from '@tributary/core';

/** Asks for every fixed property of the sender (Diffusion's `ALL_FIXED_PROPERTIES`). */
export const ALL_FIXED_PROPERTIES = '*F';
/** Asks for every user property of the sender (Diffusion's `ALL_USER_PROPERTIES`). */
export const ALL_USER_PROPERTIES = '*U';

/**
 * The fixed properties Tributary sets on every session; their names start with `$`, so they never clash with
 * user properties. `$StartTime` is epoch milliseconds in decimal, so filters compare it as a number.
 */
export const FixedProperties = {
  sessionId: '$SessionId',
  host: '$Host',
  processId: '$ProcessId',
  clientVersion: '$ClientVersion',
  startTime: '$StartTime',
  connectionState: '$ConnectionState',
} as const;

/** The client library version a session reports as `$ClientVersion`. */
export const CLIENT_VERSION = 'tributary-messaging/0.1.0';

/** A session's properties: fixed ones (`$...`) and the user's. All values are strings, as in Diffusion. */
export type SessionProperties = Readonly<Record<string, string>>;

/** The fixed properties of a session opened now in this process. */
export function fixedProperties(sessionId: string, startTime: number): Record<string, string> {
  return {
    [FixedProperties.sessionId]: sessionId,
    [FixedProperties.host]: hostname(),
    [FixedProperties.processId]: String(process.pid),
    [FixedProperties.clientVersion]: CLIENT_VERSION,
    [FixedProperties.startTime]: String(startTime),
    [FixedProperties.connectionState]: 'connected',
  };
}

/**
 * Check user properties: names of letters, digits, `_`, `-` and `.` that do not start with `$` (reserved for
 * fixed properties), values strings.
 * @throws InvalidArgumentError naming the property.
 */
export function validateUserProperties(properties: unknown, option = 'properties'): Record<string, string> {
  if (properties === undefined) return {};
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    throw new InvalidArgumentError(`${option} must be an object of string values, got ${quote(properties)}`, { option, value: properties, expected: 'an object of string values' });
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(properties)) {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
      throw new InvalidArgumentError(`${option}.${name}: a user property name is letters, digits, '_', '-' and '.', starting with a letter or '_' ('$' is for fixed properties)`, {
        option: `${option}.${name}`,
        value: name,
        expected: 'a property name',
      });
    }
    if (typeof value !== 'string') {
      throw new InvalidArgumentError(`${option}.${name} must be a string, got ${quote(value)}`, { option: `${option}.${name}`, value, expected: 'a string' });
    }
    out[name] = value;
  }
  return out;
}

/**
 * The sender's properties a handler asked for: named keys, and every fixed or user property through
 * {@link ALL_FIXED_PROPERTIES} and {@link ALL_USER_PROPERTIES} (then other keys of that kind are ignored, as
 * Diffusion does). Keys the sender lacks are left out.
 */
export function selectProperties(all: SessionProperties, keys: readonly string[]): Record<string, string> {
  const allFixed = keys.includes(ALL_FIXED_PROPERTIES);
  const allUser = keys.includes(ALL_USER_PROPERTIES);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(all)) {
    const fixed = name.startsWith('$');
    if ((fixed && allFixed) || (!fixed && allUser) || keys.includes(name)) out[name] = value;
  }
  return out;
}
