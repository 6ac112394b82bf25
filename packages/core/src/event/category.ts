import { InvalidArgumentError, quote } from '../errors.js';

const CATEGORY_PATTERN = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;
const MAX_CATEGORY_LENGTH = 249;

/**
 * True when `value` is a valid event category: dot-separated, non-empty segments of ASCII letters, digits,
 * `_` and `-` (such as `user.created` or `billing.invoice-paid`), at most 249 characters.
 */
export function isValidCategory(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_CATEGORY_LENGTH && CATEGORY_PATTERN.test(value);
}

/**
 * Returns `value` when it is a valid category (see {@link isValidCategory}).
 * @throws InvalidArgumentError quoting the value and describing the expected form.
 */
export function validateCategory(value: unknown): string {
  if (isValidCategory(value)) return value;
  throw new InvalidArgumentError(
    `Invalid event category ${quote(value)}: expected dot-separated non-empty names of letters, digits, "_" and "-" ` +
      `(at most ${MAX_CATEGORY_LENGTH} characters), such as "user.created"`,
    { value, expected: 'category' },
  );
}
