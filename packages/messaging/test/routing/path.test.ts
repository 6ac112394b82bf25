import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@tributary/core';
import { mostSpecificPath, validatePath } from '../../src/routing/path.js';

describe('request paths', () => {
  it('accepts segments joined by slashes and refuses the rest, naming the value', () => {
    for (const good of ['a', 'orders/eu/create', 'x-y_z.1/2']) expect(validatePath(good)).toBe(good);
    for (const bad of ['', '/a', 'a/', 'a//b', 'a\nb', 'x'.repeat(1025), 5, null]) {
      expect(() => validatePath(bad), String(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => validatePath('/a')).toThrow(/"\/a" is not a request path/);
  });

  it('picks the path itself, else its nearest registered ancestor, never a sibling or a descendant', () => {
    const registered = new Set(['a', 'a/b', 'a/b/c/d', 'x/y']);
    const has = (p: string) => registered.has(p);
    expect(mostSpecificPath('a/b', has)).toBe('a/b');
    expect(mostSpecificPath('a/b/c', has)).toBe('a/b');
    expect(mostSpecificPath('a/b/c/d/e', has)).toBe('a/b/c/d');
    expect(mostSpecificPath('a/bb', has)).toBe('a');
    expect(mostSpecificPath('x', has)).toBeUndefined();
    expect(mostSpecificPath('q/a/b', has)).toBeUndefined();
    // Invariant: the answer is always a registered prefix of the path at a segment boundary.
    for (const path of ['a/b/c', 'a/b/c/d/e/f', 'x/y/z', 'a']) {
      const found = mostSpecificPath(path, has)!;
      expect(path === found || path.startsWith(`${found}/`)).toBe(true);
    }
  });
});
