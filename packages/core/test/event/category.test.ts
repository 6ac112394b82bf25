import { describe, expect, it } from 'vitest';
import { ErrorCodes, InvalidArgumentError } from '../../src/errors.js';
import { isValidCategory, validateCategory } from '../../src/event/category.js';

describe('category', () => {
  it.each(['user', 'user.created', 'billing.invoice-paid', 'a_b.C-9.x', 'x'.repeat(249)])('accepts %s', (category) => {
    expect(isValidCategory(category)).toBe(true);
    expect(validateCategory(category)).toBe(category);
  });

  it.each(['', '.', 'user.', '.user', 'user..created', 'user created', 'user/created', 'usér', 'x'.repeat(250), 42, null, undefined])('rejects %j', (category) => {
    expect(isValidCategory(category)).toBe(false);
    let error: unknown;
    try {
      validateCategory(category);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).code).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect((error as Error).message).toContain('user.created');
    if (typeof category === 'string' && category.length < 50) expect((error as Error).message).toContain(JSON.stringify(category));
  });
});
