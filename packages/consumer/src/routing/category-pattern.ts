import { InvalidArgumentError } from '@tributary/core';

/**
 * A category pattern, in the syntax of AMQP topic exchanges that Karafka and Spring users know:
 * - `user.created` matches exactly that category;
 * - `*` matches exactly one segment: `user.*` matches `user.created`, not `user` nor `user.profile.updated`;
 * - `#` matches zero or more segments: `user.#` matches `user`, `user.created` and `user.profile.updated`;
 *   `#` alone matches every category.
 * Segments are non-empty runs of letters, digits, `_` and `-`, as in a category.
 */
export type CategoryPattern = string;

const SEGMENT = /^[A-Za-z0-9_-]+$/;

/** A compiled pattern: a predicate on categories. */
export type CategoryMatcher = (category: string) => boolean;

/**
 * Compile a pattern once (at construction, so a bad pattern fails before any event is read).
 * @throws InvalidArgumentError naming the pattern and the bad segment.
 */
export function compileCategoryPattern(pattern: CategoryPattern): CategoryMatcher {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    throw new InvalidArgumentError(`Invalid category pattern ${JSON.stringify(pattern)}: expected dotted segments, '*' or '#'`, { pattern });
  }
  const parts = pattern.split('.');
  for (const part of parts) {
    if (part !== '*' && part !== '#' && !SEGMENT.test(part)) {
      throw new InvalidArgumentError(
        `Invalid category pattern ${JSON.stringify(pattern)}: segment ${JSON.stringify(part)} is not a name (letters, digits, '_', '-'), '*' or '#'`,
        { pattern, segment: part },
      );
    }
  }
  if (!parts.includes('*') && !parts.includes('#')) return (category) => category === pattern;
  if (pattern === '#') return () => true;
  return (category) => matchParts(parts, 0, category.split('.'), 0);
}

function matchParts(pattern: string[], p: number, segments: string[], s: number): boolean {
  while (p < pattern.length) {
    const part = pattern[p]!;
    if (part === '#') {
      // `#` swallows zero or more segments: try every split.
      for (let k = s; k <= segments.length; k++) if (matchParts(pattern, p + 1, segments, k)) return true;
      return false;
    }
    if (s >= segments.length || (part !== '*' && part !== segments[s])) return false;
    p++;
    s++;
  }
  return s === segments.length;
}
