import { describe, expect, it } from 'vitest';
import { isTributaryError } from '@tributary/core';
import { compileCategoryPattern } from '../../src/routing/category-pattern.js';

const cases: Array<[string, string, boolean]> = [
  ['user.created', 'user.created', true],
  ['user.created', 'user.created.v2', false],
  ['user.created', 'user', false],
  ['user.*', 'user.created', true],
  ['user.*', 'user', false],
  ['user.*', 'user.profile.updated', false],
  ['*.created', 'order.created', true],
  ['*.created', 'created', false],
  ['user.#', 'user', true],
  ['user.#', 'user.created', true],
  ['user.#', 'user.profile.updated', true],
  ['user.#', 'users.created', false],
  ['#', 'anything.at.all', true],
  ['#.updated', 'user.profile.updated', true],
  ['#.updated', 'updated', true],
  ['#.updated', 'user.updated.not', false],
  ['user.#.updated', 'user.updated', true],
  ['user.#.updated', 'user.a.b.updated', true],
  ['user.*.updated', 'user.updated', false],
];

describe('compileCategoryPattern', () => {
  it.each(cases)('%s on %s -> %s', (pattern, category, expected) => {
    expect(compileCategoryPattern(pattern)(category)).toBe(expected);
  });

  it.each(['', 'user..created', 'user.cre ated', 'user.*x', 'a.#b'])('rejects %j with a typed error naming it', (pattern) => {
    let error: unknown;
    try {
      compileCategoryPattern(pattern);
    } catch (e) {
      error = e;
    }
    expect(isTributaryError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain(JSON.stringify(pattern));
  });
});
