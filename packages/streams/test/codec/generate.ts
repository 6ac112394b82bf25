/**
 * Seeded random messages for the codec's round-trip invariants: nested mixes of base values, structs with
 * awkward keys, and registered objects holding lists and structs. The same seed always gives the same values,
 * so a failure names the seed that reproduces it.
 */
import { ClassRegistry } from '../../src/codec/class-registry.js';

/** mulberry32: small, fast, good enough to spread test values. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  toState(): { x: number; y: number } {
    return { x: this.x, y: this.y };
  }
  static fromState(state: { x: number; y: number }): Point {
    return new Point(state.x, state.y);
  }
}

/** A class whose state holds other objects and any values: its state is encoded recursively. */
export class Bag {
  constructor(
    readonly label: string,
    readonly items: unknown[],
    readonly meta: Record<string, unknown>,
  ) {}
}

/** A registry with both classes: Point by its own methods, Bag by functions given at registration. */
export function testRegistry(): ClassRegistry {
  return new ClassRegistry()
    .register(Point, { name: 'geo.point', version: '1.0' })
    .register(Bag, {
      name: 'test.bag',
      version: '2.1',
      toState: (b) => ({ label: b.label, items: b.items, meta: b.meta }),
      fromState: (s: { label: string; items: unknown[]; meta: Record<string, unknown> }) => new Bag(s.label, s.items, s.meta),
    });
}

/** Strings that are hard for a line protocol or for JSON: line ends of every kind, quotes, a lone surrogate. */
const AWKWARD = ['', 'plain', 'two\nlines', 'cr\r\nlf', '\u2028sep\u2029', 'nel\u0085', 'tab\tq"uote\\', 'émoji 🎉', 'lone \ud800 half', '{"action":"put"}\n', '\u0000nul'];
/** Struct keys, including ones that look like the seed's markers. */
const KEYS = ['a', 'b', 'x y', '.class', '.state', '..x', '.', '..', '__proto__', 'constructor', '', 'ключ', '\n'];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function scalar(next: () => number): unknown {
  switch (Math.floor(next() * 7)) {
    case 0:
      return pick(next, AWKWARD);
    case 1:
      return Math.floor((next() - 0.5) * 2 ** 53) || 0;
    case 2:
      return (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20) || 0;
    case 3:
      return next() < 0.5;
    case 4:
      return null;
    case 5:
      return Math.floor(next() * 1000);
    default:
      return String.fromCodePoint(...Array.from({ length: Math.floor(next() * 8) }, () => Math.floor(next() * 0x2ffff) % 0xd800));
  }
}

/** A random message of at most `depth` levels. */
export function message(next: () => number, depth = 4): unknown {
  if (depth === 0 || next() < 0.3) return scalar(next);
  const width = Math.floor(next() * 5);
  switch (Math.floor(next() * 4)) {
    case 0:
      return Array.from({ length: width }, () => message(next, depth - 1));
    case 1: {
      const struct: Record<string, unknown> = {};
      for (let i = 0; i < width; i++) Object.defineProperty(struct, pick(next, KEYS), { value: message(next, depth - 1), enumerable: true, writable: true, configurable: true });
      return struct;
    }
    case 2:
      return new Point(Number(scalar(next)) || 0, Math.floor(next() * 100));
    default:
      return new Bag(String(pick(next, AWKWARD)), Array.from({ length: width }, () => message(next, depth - 1)), { nested: message(next, depth - 1), '.dot': 1 });
  }
}

/**
 * Where `actual` first differs from `expected` (a path), or undefined when they are the same message: same
 * prototypes, same own keys, same numbers by Object.is. Written here because vitest's equality reads an own
 * `constructor` key as the object's class.
 */
export function difference(actual: unknown, expected: unknown, path = '$'): string | undefined {
  if (typeof expected !== 'object' || expected === null) return Object.is(actual, expected) ? undefined : `${path}: ${String(actual)} is not ${String(expected)}`;
  if (typeof actual !== 'object' || actual === null) return `${path}: ${String(actual)} is not an object`;
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) return `${path}: another prototype`;
  const keys = Object.keys(expected);
  if (Object.keys(actual).join('\u0000') !== keys.join('\u0000')) return `${path}: keys ${JSON.stringify(Object.keys(actual))}, expected ${JSON.stringify(keys)}`;
  for (const key of keys) {
    const found = difference((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${path}[${JSON.stringify(key)}]`);
    if (found !== undefined) return found;
  }
  return undefined;
}
