import { describe, expect, it } from 'vitest';
import { jsonCodec } from '@tributary/core';
import { TypeMismatchError } from '@tributary/messaging';
import { dataTypeName, decodeAs, encodeAs, invalidDataType, type DataType } from '../../src/types/data-type.js';

const where = { path: 'a/b', direction: 'request' as const };

describe('data types', () => {
  const samples: Array<[DataType, unknown[]]> = [
    ['json', [null, 0, 'text', [1, 'two'], { nested: { ok: true } }]],
    ['string', ['', 'héllo ✓', 'line\nbreak']],
    ['int64', [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n)]],
    ['double', [0, -1.5, Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY]],
    ['bytes', [Buffer.alloc(0), Buffer.from([0, 255, 7])]],
  ];

  it('decodes what it encodes, for every built-in type', async () => {
    for (const [type, values] of samples) {
      for (const value of values) {
        const bytes = await encodeAs(type, value, where);
        expect(await decodeAs(type, dataTypeName(type), bytes, where)).toEqual(value);
      }
    }
  });

  it('takes a safe integer number as int64 and a Uint8Array as bytes', async () => {
    expect(await decodeAs('int64', 'int64', await encodeAs('int64', 42, where), where)).toBe(42n);
    expect(await decodeAs('bytes', 'bytes', await encodeAs('bytes', new Uint8Array([1, 2]), where), where)).toEqual(Buffer.from([1, 2]));
  });

  it('refuses a value that does not fit, naming the type', async () => {
    const wrong: Array<[DataType, unknown]> = [
      ['json', undefined],
      ['json', { big: 1n }],
      ['string', 5],
      ['int64', 1.5],
      ['int64', 2n ** 63n],
      ['int64', '5'],
      ['double', 5n],
      ['bytes', 'text'],
    ];
    for (const [type, value] of wrong) {
      const error = await encodeAs(type, value, where).catch((e: unknown) => e);
      expect(error, `${String(type)} ${String(value)}`).toBeInstanceOf(TypeMismatchError);
      expect((error as TypeMismatchError).context).toMatchObject({ expected: type, path: 'a/b', direction: 'request' });
      expect((error as TypeMismatchError).message).toContain(`its type is ${String(type)}`);
    }
  });

  it('refuses bytes sent as another type, or malformed for their type', async () => {
    const json = await encodeAs('json', 'x', where);
    await expect(decodeAs('string', 'json', json, where)).rejects.toMatchObject({ context: { expected: 'string', actual: 'json' } });
    await expect(decodeAs('int64', 'int64', Buffer.alloc(4), where)).rejects.toBeInstanceOf(TypeMismatchError);
    await expect(decodeAs('json', 'json', Buffer.from('{nope'), where)).rejects.toBeInstanceOf(TypeMismatchError);
    await expect(decodeAs('string', 'string', Buffer.from([0xff, 0xfe]), where)).rejects.toBeInstanceOf(TypeMismatchError);
  });

  it('carries values of any Tributary codec under the codec name', async () => {
    const type = { codec: jsonCodec };
    expect(dataTypeName(type)).toBe('json');
    expect(invalidDataType(type)).toBeUndefined();
    expect(await decodeAs(type, 'json', await encodeAs(type, { a: 1 }, where), where)).toEqual({ a: 1 });
    expect(invalidDataType('float')).toContain('json, string, int64, double, bytes');
    expect(invalidDataType({ codec: {} })).toBeDefined();
  });
});
