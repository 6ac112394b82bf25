import { InvalidArgumentError, quote } from '../errors.js';

const TOPIC_PATTERN = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * True when `value` is a legal Kafka topic name: 1 to 249 characters of ASCII letters, digits, `.`, `_` and
 * `-`, and neither `.` nor `..` (Kafka's own rule). Such a name never contains `:` or `@`, the separators of
 * the offset text form, and is safe as a directory name.
 */
export function isValidTopic(value: unknown): value is string {
  return typeof value === 'string' && TOPIC_PATTERN.test(value) && value !== '.' && value !== '..';
}

let lastValid = '';

/**
 * Returns `value` when it is a legal topic name (see {@link isValidTopic}).
 * @throws InvalidArgumentError quoting the value and describing the expected form.
 */
export function validateTopic(value: unknown): string {
  // Readers check the topic of every record they hand on, and it is nearly always the last one checked.
  if (value === lastValid) return value;
  if (isValidTopic(value)) return (lastValid = value);
  throw new InvalidArgumentError(
    `Invalid topic ${quote(value)}: expected 1 to 249 characters of letters, digits, ".", "_" and "-" (not "." or "..")`,
    { value, expected: 'topic' },
  );
}

/** True when `value` is a partition number: an integer from 0 to 2^31 - 1. */
export function isValidPartition(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0x7fffffff;
}
