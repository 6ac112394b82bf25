import { describe, expect, it } from 'vitest';
import { ErrorCodes, InvalidArgumentError } from '@tributary/core';
import { ClassRegistry } from '../../src/codec/class-registry.js';
import { JsonStreamCodec } from '../../src/codec/json-stream-codec.js';
import { UnknownClassObject } from '../../src/codec/unknown-class-object.js';
import { StreamCodecError } from '../../src/errors.js';
import { Bag, Point, difference, message, random, testRegistry } from './generate.js';

const codec = new JsonStreamCodec({ registry: testRegistry() });
const text = (value: unknown): string => codec.encode(value).toString('utf8');
const wire = (json: string): Buffer => Buffer.from(json, 'utf8');

function failure(run: () => unknown, code: string): StreamCodecError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(StreamCodecError);
    expect((error as StreamCodecError).code).toBe(code);
    return error as StreamCodecError;
  }
  throw new Error('expected a StreamCodecError');
}
const encodeFailure = (value: unknown, using = codec): StreamCodecError => failure(() => using.encode(value), ErrorCodes.ENCODE_FAILED);
const decodeFailure = (json: string, using = codec): StreamCodecError => failure(() => using.decode(wire(json)), ErrorCodes.DECODE_FAILED);

describe('JsonStreamCodec round trip', () => {
  it('decodes what it encodes, objects revived with their classes, for 2,000 generated messages', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const value = message(random(seed));
      const bytes = codec.encode(value);
      expect(difference(codec.decode(bytes), value), `seed ${seed}`).toBeUndefined();
      expect(difference(codec.fromJson(codec.toJson(value)), value), `seed ${seed}`).toBeUndefined();
      // The same message always gives the same bytes.
      expect(codec.encode(codec.decode(bytes)).equals(bytes), `seed ${seed}`).toBe(true);
    }
  });

  it('has a comparison that sees prototypes, keys and -0', () => {
    expect(difference(new Point(1, 2), { x: 1, y: 2 })).toBe('$: another prototype');
    expect(difference({ a: [1, { b: 2 }] }, { a: [1, { b: 2, c: 3 }] })).toBe('$["a"]["1"]: keys ["b"], expected ["b","c"]');
    expect(difference([-0], [0])).toBe('$["0"]: 0 is not 0');
  });

  it('never writes a line end byte, whatever the strings hold', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const bytes = codec.encode(message(random(seed)));
      expect(bytes.includes(0x0a), `seed ${seed}`).toBe(false);
      expect(bytes.includes(0x0d), `seed ${seed}`).toBe(false);
      const chars = bytes.toString('utf8');
      expect(/[\u0085\u2028\u2029]/.test(chars), `seed ${seed}`).toBe(false);
    }
    expect(text('a\nb\r\u2028\u2029\u0085')).toBe('"a\\nb\\r\\u2028\\u2029\\u0085"');
  });

  it("writes objects in the seed's form, with their state encoded recursively", () => {
    expect(text(new Point(1, 2.5))).toBe('{".class":"geo.point",".version":"1.0",".state":{"x":1,"y":2.5}}');
    expect(text([new Bag('b', [new Point(0, 1)], {})])).toBe(
      '[{".class":"test.bag",".version":"2.1",".state":{"label":"b","items":[{".class":"geo.point",".version":"1.0",".state":{"x":0,"y":1}}],"meta":{}}}]',
    );
    expect(text({ s: 'x', i: 3, f: 0.25, l: [1, 'a', null, true], o: { deep: [] } })).toBe('{"s":"x","i":3,"f":0.25,"l":[1,"a",null,true],"o":{"deep":[]}}');
  });

  it('escapes struct keys starting with "." with a second "." and reads them back', () => {
    const value = { '.x': 1, '..y': 2, '.class': 'not an object', plain: 3 };
    expect(text(value)).toBe('{"..x":1,"...y":2,"..class":"not an object","plain":3}');
    expect(codec.decode(codec.encode(value))).toStrictEqual(value);
  });

  it('keeps a "__proto__" key as data, never as a prototype', () => {
    const decoded = codec.decode(wire('{"__proto__":{"polluted":true},"a":1}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(text(decoded)).toBe('{"__proto__":{"polluted":true},"a":1}');
  });

  it('leaves out undefined struct properties, as JSON does, and encodes a shared object each time it appears', () => {
    const shared = new Point(1, 1);
    expect(codec.decode(codec.encode({ a: undefined, b: [shared, shared] }))).toStrictEqual({ b: [new Point(1, 1), new Point(1, 1)] });
  });

  it('sees classes registered after the codec was made', () => {
    const registry = new ClassRegistry();
    const late = new JsonStreamCodec({ registry });
    registry.register(Point, { name: 'geo.point', version: '1.0' });
    expect(late.decode(late.encode(new Point(3, 4)))).toStrictEqual(new Point(3, 4));
  });

  it('keeps unknown classes when asked, with their state decoded, and writes them back byte for byte', () => {
    const relay = new JsonStreamCodec({ registry: testRegistry(), unknownClasses: 'keep' });
    const json = '{"m":{".class":"py.job",".version":"3.2",".state":{"where":{".class":"geo.point",".version":"1.0",".state":{"x":1,"y":2}},"..k":1}}}';
    const decoded = relay.decode(wire(json)) as { m: UnknownClassObject };
    expect(decoded.m).toBeInstanceOf(UnknownClassObject);
    expect(decoded.m).toMatchObject({ '.class': 'py.job', '.version': '3.2', '.state': { where: new Point(1, 2), '.k': 1 } });
    expect(relay.encode(decoded).toString('utf8')).toBe(json);
    // Another codec, strict, still writes a kept object back unchanged: encoding does not depend on the option.
    expect(codec.encode(decoded).toString('utf8')).toBe(json);
  });
});

describe('JsonStreamCodec refuses to encode', () => {
  it('an instance of an unregistered class, naming its constructor and the registered classes', () => {
    const error = encodeFailure({ when: [new Date(0)] });
    expect(error.message).toBe(
      'Cannot encode the message as JSON at $.when[0]: an instance of class Date is not a registered message class (registered: geo.point, test.bag); register it with ClassRegistry.register(Date, { name, version })',
    );
    expect(error.context).toMatchObject({ codec: 'json', path: '$.when[0]', className: 'Date', known: ['geo.point', 'test.bag'] });
    class Point3 extends Point {}
    expect(encodeFailure(new Point3(1, 2)).context.className).toBe('Point3');
    expect(encodeFailure(new Map()).context.className).toBe('Map');
    expect(encodeFailure(Buffer.from('x')).context.className).toBe('Buffer');
  });

  it.each([
    ['a bigint', { n: 10n }, '$.n', 'the bigint 10n has no JSON number that keeps it exactly; send it as a string'],
    ['NaN', [1, NaN], '$[1]', 'NaN is not a finite number, and JSON has no form for it'],
    ['Infinity', { 'odd key': -Infinity }, '$["odd key"]', '-Infinity is not a finite number, and JSON has no form for it'],
    ['undefined as the message', undefined, '$', 'JSON has no form for a value that is undefined'],
    ['undefined in a list', [undefined], '$[0]', 'JSON has no form for a value that is undefined'],
    // eslint-disable-next-line no-sparse-arrays -- the hole is what is tested
    ['a hole in a list', [1, , 3], '$[1]', 'JSON has no form for a value that is undefined'],
    ['a function', { f: () => 1 }, '$.f', 'JSON has no form for a value that is a function'],
    ['a symbol', [Symbol('s')], '$[0]', 'JSON has no form for a value that is a symbol'],
  ])('%s, naming the path', (_, value, path, problem) => {
    const error = encodeFailure(value);
    expect(error.message).toBe(`Cannot encode the message as JSON at ${path}: ${problem}`);
    expect(error.context.path).toBe(path);
  });

  it('a cycle, through structs and through an object state', () => {
    const struct: Record<string, unknown> = { a: 1 };
    struct.self = { again: struct };
    expect(encodeFailure(struct).message).toBe('Cannot encode the message as JSON at $.self.again: the value contains itself (a cycle)');
    const bag = new Bag('loop', [], {});
    bag.items.push(bag);
    expect(encodeFailure(bag).context.path).toBe('$[".state"].items[0]');
  });

  it('an object whose toState throws, keeping the error as the cause', () => {
    const boom = new Error('no state today');
    const registry = new ClassRegistry().register(Point, { name: 'geo.point', version: '1.0', toState: () => { throw boom; } });
    const error = encodeFailure({ p: new Point(0, 0) }, new JsonStreamCodec({ registry }));
    expect(error.message).toBe('Cannot encode the message as JSON at $.p: toState of class Point (registered as "geo.point") threw: no state today');
    expect(error.cause).toBe(boom);
  });

  it('a message nested deeper than the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(encodeFailure(deep).message).toMatch(/^Cannot encode the message as JSON: it is nested too deeply/);
  });
});

describe('JsonStreamCodec refuses to decode', () => {
  it('an unknown class, naming it and the registered classes', () => {
    const error = decodeFailure('{"a":[{".class":"py.job",".version":"1.0",".state":{}}]}');
    expect(error.message).toBe('Cannot decode the message as JSON at $.a[0]: class "py.job" is not registered (registered: "geo.point", "test.bag")');
    expect(error.context).toMatchObject({ codec: 'json', path: '$.a[0]', className: 'py.job', known: ['geo.point', 'test.bag'] });
    expect(decodeFailure('{".class":"x",".version":"1",".state":1}', new JsonStreamCodec()).message).toMatch(/\(registered: none\)$/);
  });

  it('a version other than the registered one, naming the class and both versions', () => {
    const error = decodeFailure('{".class":"geo.point",".version":"2.0",".state":{"x":1,"y":2}}');
    expect(error.message).toBe('Cannot decode the message as JSON at $: class "geo.point" arrived in version "2.0", but version "1.0" is registered');
    expect(error.context).toMatchObject({ className: 'geo.point', expected: '1.0', actual: '2.0' });
  });

  it.each([
    ['a one-dot struct key', '{"ok":{".x":1}}', '$.ok[".x"]', 'the key ".x" is reserved: one-dot keys mark an object (.class, .version, .state), and a struct key starting with "." is written with a second "." in front'],
    ['.state without .class', '{".state":{}}', '$[".state"]', 'the key ".state" is reserved: one-dot keys mark an object (.class, .version, .state), and a struct key starting with "." is written with a second "." in front'],
    ['an object with more keys', '{".class":"geo.point",".version":"1.0",".state":{},"x":1}', '$', 'an object of class "geo.point" has exactly the keys .class, .version and .state, but also "x"'],
    ['an object without .state', '{".class":"geo.point",".version":"1.0"}', '$', 'an object of class "geo.point" has exactly the keys .class, .version and .state, but no .state'],
    ['an empty .class', '{".class":"",".version":"1.0",".state":{}}', '$', '.class must be a non-empty string, got ""'],
    ['a numeric .version', '[{".class":"geo.point",".version":1,".state":{}}]', '$[0]', 'the .version of class "geo.point" must be a string such as "1.0", got 1'],
  ])('%s, naming the path', (_, json, path, problem) => {
    const error = decodeFailure(json);
    expect(error.message).toBe(`Cannot decode the message as JSON at ${path}: ${problem}`);
    expect(error.context.path).toBe(path);
  });

  it('an object whose fromState throws, keeping the error as the cause', () => {
    const error = decodeFailure('{".class":"test.bag",".version":"2.1",".state":null}');
    expect(error.message).toMatch(/^Cannot decode the message as JSON at \$: fromState of class "test.bag" threw: /);
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('bytes that are not UTF-8 or not JSON', () => {
    const notUtf8 = failure(() => codec.decode(Buffer.from([0x22, 0xff, 0x22])), ErrorCodes.DECODE_FAILED);
    expect(notUtf8.message).toMatch(/^Cannot decode the message: its 3 bytes are not UTF-8 JSON: /);
    expect(notUtf8.context).toEqual({ codec: 'json', length: 3 });
    expect(decodeFailure('{"a":').message).toMatch(/^Cannot decode the message: its 5 bytes are not UTF-8 JSON: /);
  });
});

describe('JsonStreamCodec options', () => {
  it.each([
    [{ registry: {} }, 'registry', 'Invalid option "registry" {}: expected a ClassRegistry'],
    [{ unknownClasses: 'drop' }, 'unknownClasses', 'Invalid option "unknownClasses" "drop": expected "error" or "keep"'],
  ])('refuses %j, naming the option', (options, path, message) => {
    expect(() => new JsonStreamCodec(options as never)).toThrow(InvalidArgumentError);
    expect(() => new JsonStreamCodec(options as never)).toThrow(message);
    try {
      new JsonStreamCodec(options as never);
    } catch (error) {
      expect((error as InvalidArgumentError).context.option).toBe(path);
    }
  });
});
