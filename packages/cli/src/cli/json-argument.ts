import { UsageError } from './errors.js';

/**
 * A JSON value given on the command line or a line of stdin. `what` names it in the error (`the message`,
 * `line 3`); `undefined` (not given) is null.
 * @throws UsageError (exit 2) saying how to quote a string.
 */
export function parseJsonArgument(value: string | undefined, what: string, after = ''): unknown {
  if (value === undefined) return null;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new UsageError(`${what} must be JSON (quote a string as '"text"'): ${(error as Error).message}${after}`, { argument: what });
  }
}

