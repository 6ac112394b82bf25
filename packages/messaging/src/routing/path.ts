import { InvalidArgumentError, quote } from '@tributary/core';

const MAX_PATH_LENGTH = 1024;

/**
 * Check a request path: segments joined by `/` (`orders/eu/create`), none empty, no leading or trailing `/`,
 * no control characters, at most 1024 characters. Paths form a hierarchy: a handler registered for
 * `orders/eu` handles `orders/eu/create` when no handler is registered for `orders/eu/create` itself.
 * @throws InvalidArgumentError naming the path and what a path is.
 */
export function validatePath(path: unknown, option = 'path'): string {
  const ok =
    typeof path === 'string' &&
    path.length > 0 &&
    path.length <= MAX_PATH_LENGTH &&
    !path.startsWith('/') &&
    !path.endsWith('/') &&
    !path.includes('//') &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f]/.test(path);
  if (!ok) {
    throw new InvalidArgumentError(`${option} ${quote(path)} is not a request path: expected segments joined by '/' (such as "orders/eu/create"), none empty, no leading or trailing '/', at most ${MAX_PATH_LENGTH} characters`, {
      option,
      value: path,
      expected: 'a request path',
    });
  }
  return path;
}

/**
 * The most specific of `registered` that handles `path`: `path` itself, else its nearest ancestor
 * (`a/b/c`, then `a/b`, then `a`). Undefined when none does.
 */
export function mostSpecificPath(path: string, isRegistered: (candidate: string) => boolean): string | undefined {
  for (let candidate: string | undefined = path; candidate !== undefined; candidate = parentPath(candidate)) {
    if (isRegistered(candidate)) return candidate;
  }
  return undefined;
}

function parentPath(path: string): string | undefined {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? undefined : path.slice(0, slash);
}
