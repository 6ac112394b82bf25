import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@tributary/core';
import { ClassRegistry } from '../../src/codec/class-registry.js';
import { Point } from './generate.js';

class Plain {
  constructor(readonly n: number) {}
}

function refusal(register: () => unknown): InvalidArgumentError {
  try {
    register();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidArgumentError;
  }
  throw new Error('register() should have thrown');
}

describe('ClassRegistry', () => {
  it('takes state and rebuilds with the functions given', () => {
    const registry = new ClassRegistry().register(Plain, { name: 'test.plain', version: '1.0', toState: (p) => ({ n: p.n }), fromState: (s: { n: number }) => new Plain(s.n) });
    const entry = registry.forInstance(new Plain(3))!;
    expect(entry).toMatchObject({ name: 'test.plain', version: '1.0', type: Plain });
    expect(entry.toState(new Plain(3))).toEqual({ n: 3 });
    expect(entry.fromState({ n: 4 })).toStrictEqual(new Plain(4));
    expect(registry.byName('test.plain')).toBe(entry);
  });

  it('uses the convention, toState() and static fromState(), when the functions are left out', () => {
    const registry = new ClassRegistry().register(Point, { name: 'geo.point', version: '1.0' });
    const entry = registry.byName('geo.point')!;
    expect(entry.toState(new Point(1, 2))).toEqual({ x: 1, y: 2 });
    expect(entry.fromState({ x: 5, y: 6 })).toStrictEqual(new Point(5, 6));
  });

  it('calls a static fromState with the class as `this`', () => {
    class Made {
      constructor(readonly v: string) {}
      toState(): string {
        return this.v;
      }
      static fromState(this: typeof Made, state: string): Made {
        return new this(state);
      }
    }
    expect(new ClassRegistry().register(Made, { name: 'made', version: '0.0' }).byName('made')!.fromState('v')).toStrictEqual(new Made('v'));
  });

  it('replaces a name registered twice: the earlier class is no longer registered', () => {
    const registry = new ClassRegistry().register(Point, { name: 'shape', version: '1.0' }).register(Plain, { name: 'shape', version: '2.0', toState: () => ({}), fromState: () => new Plain(0) });
    expect(registry.byName('shape')).toMatchObject({ type: Plain, version: '2.0' });
    expect(registry.forInstance(new Point(0, 0))).toBeUndefined();
    expect(registry.names()).toEqual(['shape']);
  });

  it('gives a class registered again under a new name that name only', () => {
    const registry = new ClassRegistry().register(Point, { name: 'old.point', version: '1.0' }).register(Point, { name: 'new.point', version: '1.1' });
    expect(registry.byName('old.point')).toBeUndefined();
    expect(registry.forInstance(new Point(0, 0))).toMatchObject({ name: 'new.point', version: '1.1' });
    expect(registry.names()).toEqual(['new.point']);
  });

  it('matches instances by their exact prototype: a subclass is not registered', () => {
    class Point3 extends Point {}
    const registry = new ClassRegistry().register(Point, { name: 'geo.point', version: '1.0' });
    expect(registry.forInstance(new Point3(1, 2))).toBeUndefined();
    expect(registry.forInstance({ x: 1, y: 2 })).toBeUndefined();
  });

  it.each([
    ['not a class', () => new ClassRegistry().register(42 as never, { name: 'n', version: '1' }), 'type', 'Cannot register 42: expected a class'],
    ['no registration', () => new ClassRegistry().register(Point, undefined as never), 'registration', 'Cannot register class Point: expected a registration { name, version }, got undefined'],
    ['an empty name', () => new ClassRegistry().register(Point, { name: '', version: '1.0' }), 'name', 'Cannot register class Point: option "name" "" is not a non-empty string'],
    ['a number as version', () => new ClassRegistry().register(Point, { name: 'p', version: 1 as never }), 'version', 'Cannot register class Point: option "version" 1 is not a non-empty string'],
    ['no toState anywhere', () => new ClassRegistry().register(Plain, { name: 'p', version: '1', fromState: () => new Plain(1) }), 'toState', 'Cannot register class Plain: give registration.toState, or define a toState() method on the class'],
    ['no fromState anywhere', () => new ClassRegistry().register(Plain, { name: 'p', version: '1', toState: () => ({}) }), 'fromState', 'Cannot register class Plain: give registration.fromState, or define a static fromState(state) method on the class'],
    ['a toState that is not a function', () => new ClassRegistry().register(Point, { name: 'p', version: '1', toState: 'x' as never }), 'toState', 'Cannot register class Point: option "toState" "x" is not a function'],
  ])('refuses %s, naming the argument', (_, register, path, message) => {
    const error = refusal(register);
    expect(error.message).toBe(message);
    expect(error.context.option).toBe(path);
  });
});
