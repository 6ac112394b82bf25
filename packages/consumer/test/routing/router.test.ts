import { describe, expect, it } from 'vitest';
import { Router } from '../../src/routing/router.js';

describe('Router', () => {
  it('picks the first matching pattern in order, or none', () => {
    const a = () => {};
    const b = () => {};
    const r = new Router({ 'order.placed': a, 'order.#': b });
    expect(r.route('order.placed')).toBe(a);
    expect(r.route('order.placed')).toBe(a);
    expect(r.route('order.shipped.late')).toBe(b);
    expect(r.route('user.created')).toBeUndefined();
    expect(r.patterns).toEqual(['order.placed', 'order.#']);
  });

  it('takes an array of [pattern, handler] for an order objects cannot keep', () => {
    const a = () => {};
    const b = () => {};
    const r = new Router([['2024', a], ['#', b]]);
    expect(r.route('2024')).toBe(a);
    expect(r.route('x')).toBe(b);
  });

  it('keeps its cache bounded whatever the categories', () => {
    const r = new Router({ 'a.*': () => {} });
    for (let i = 0; i < 5000; i++) r.route(`a.c${i}`);
    expect(r.route('b.c')).toBeUndefined();
  });
});
