import type { Schema } from 'avsc';
import { describe, expect, it, vi } from 'vitest';
import { AvroCodec, type AvroCodecOptions } from '../../src/codec/avro-codec.js';
import { frameConfluent, unframeConfluent } from '../../src/codec/confluent-wire.js';
import { InMemorySchemaRegistry, schemaId, type SchemaRegistry } from '../../src/codec/schema-registry.js';
import { InvalidArgumentError, isTributaryError } from '../../src/errors.js';
import { COLLIDING_AVRO } from './fixtures.js';
import { asyncFailure as failure } from '../support/failure.js';

const ctx = { topic: 'users', category: 'user.created' };
const v1 = { type: 'record', name: 'User', fields: [{ name: 'id', type: 'string' }, { name: 'age', type: 'int' }] } as Schema;
/** v1 with `age` removed and `email` added with a default. */
const v2 = { type: 'record', name: 'User', fields: [{ name: 'id', type: 'string' }, { name: 'email', type: 'string', default: 'none' }] } as Schema;
/** `id` changed from string to int: no Avro resolution rule reads one as the other. */
const incompatible = { type: 'record', name: 'User', fields: [{ name: 'id', type: 'int' }] } as Schema;
const nested = {
  type: 'record',
  name: 'Customer',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'address', type: { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }, { name: 'zip', type: ['null', 'string'] }] } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
  ],
} as Schema;

function codec(schemas: AvroCodecOptions['schemas'], registry: SchemaRegistry = new InMemorySchemaRegistry(), subjectStrategy?: AvroCodecOptions['subjectStrategy']): AvroCodec {
  return new AvroCodec({ registry, schemas, subjectStrategy });
}

describe('AvroCodec encoding', () => {
  it('writes the Confluent frame with the registered id before the Avro binary', async () => {
    const registry = new InMemorySchemaRegistry();
    const bytes = await codec({ 'users-value': v1 }, registry).encode({ id: 'u1', age: 30 }, ctx);
    const { id, schema } = await registry.latest('users-value');
    const idBytes = [id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff];
    // "u1": zig-zag length 2 -> 0x04, 'u' 'l'; the int 30 zig-zags to 60 (0x3c).
    expect([...bytes]).toEqual([0, ...idBytes, 0x04, 0x75, 0x31, 0x3c]);
    expect(id).toBe(schemaId(schema));
  });

  it('registers once on first use, then encodes synchronously', async () => {
    const registry = new InMemorySchemaRegistry();
    const register = vi.spyOn(registry, 'register');
    const users = codec({ 'users-value': v1 }, registry);
    const first = users.encode({ id: 'u1', age: 30 }, ctx);
    expect(first).toBeInstanceOf(Promise);
    const concurrent = await Promise.all([first, users.encode({ id: 'u2', age: 31 }, ctx)]);
    expect(register).toHaveBeenCalledTimes(1);
    const steady = users.encode({ id: 'u3', age: 32 }, ctx);
    expect(steady).toBeInstanceOf(Buffer);
    expect([...concurrent, steady as Buffer].map((b) => unframeConfluent(b).schemaId)).toEqual(Array(3).fill(schemaId((await registry.latest('users-value')).schema)));
  });

  it('registers the schema as written, keys sorted: the same schema in another key order has the same id', async () => {
    const registry = new InMemorySchemaRegistry();
    const withExtras = { name: 'E', type: 'record', doc: 'kept', fields: [{ type: { type: 'long', logicalType: 'timestamp-millis' }, name: 'at', default: 0 }] };
    const reordered = { fields: [{ name: 'at', default: 0, type: { logicalType: 'timestamp-millis', type: 'long' } }], doc: 'kept', type: 'record', name: 'E' };
    const a = await codec({ 'a-value': withExtras as Schema }, registry).encode({ at: 5 }, { topic: 'a', category: 'e' });
    const b = await codec({ 'b-value': reordered as Schema }, registry).encode({ at: 5 }, { topic: 'b', category: 'e' });
    expect(unframeConfluent(a).schemaId).toBe(unframeConfluent(b).schemaId);
    expect((await registry.latest('a-value')).schema).toBe(
      '{"doc":"kept","fields":[{"default":0,"name":"at","type":{"logicalType":"timestamp-millis","type":"long"}}],"name":"E","type":"record"}',
    );
  });

  it('names every wrong field\'s path in ENCODE_FAILED, before registering anything', async () => {
    const registry = new InMemorySchemaRegistry();
    const customers = codec({ 'users-value': nested }, registry);
    const error = await failure(() => customers.encode({ name: 7, address: { city: 5, zip: 3 }, tags: ['a', 2] }, ctx));
    expect(error.code).toBe('ENCODE_FAILED');
    expect(error.message).toContain('name: expected string, got 7');
    expect(error.message).toContain('address.city: expected string, got 5');
    expect(error.message).toContain('address.zip: expected null | string, got 3');
    expect(error.message).toContain('tags.1: expected string, got 2');
    expect(error.context).toMatchObject({ codec: 'avro', topic: 'users', category: 'user.created', subject: 'users-value', fields: ['name', 'address.city', 'address.zip', 'tags.1'] });
    expect(await registry.versions('users-value')).toEqual([]);
  });

  it('names a missing field and a BigInt in the steady state too', async () => {
    const users = codec({ 'users-value': v1 });
    await users.encode({ id: 'u1', age: 1 }, ctx);
    const error = await failure(() => users.encode({ id: 'u1', age: 10n }, ctx));
    expect(error.message).toContain('age: a bigint is not an Avro value, got 10n (a bigint)');
    expect(error.context).toMatchObject({ fields: ['age'] });
    expect((await failure(() => users.encode({ age: 1 }, ctx))).message).toContain('id: expected string, got nothing');
    expect((await failure(() => users.encode(null, ctx))).message).toContain('(root): expected User, got null');
  });

  it('fails with ENCODE_FAILED naming the subject when it has no schema', async () => {
    const error = await failure(() => codec({ 'users-value': v1 }).encode({ id: 'x', age: 1 }, { topic: 'orders', category: 'order.placed' }));
    expect(error.code).toBe('ENCODE_FAILED');
    expect(error.message).toMatch(/"orders-value".*"users-value"/);
  });

  it('keys subjects by category when asked', async () => {
    const registry = new InMemorySchemaRegistry();
    const byCategory = codec({ 'user.created': v1 }, registry, 'category');
    expect(byCategory.subjectOf(ctx)).toBe('user.created');
    await byCategory.encode({ id: 'x', age: 1 }, ctx);
    expect(await registry.versions('user.created')).toHaveLength(1);
    expect((await failure(() => byCategory.encode({ id: 'x', age: 1 }, { ...ctx, category: 'user.deleted' }))).code).toBe('ENCODE_FAILED');
  });

  it('wraps a registry failure in a retriable ENCODE_FAILED, and tries again next time', async () => {
    const registry = new InMemorySchemaRegistry();
    const cause = new Error('registry down');
    vi.spyOn(registry, 'register').mockRejectedValueOnce(cause);
    const users = codec({ 'users-value': v1 }, registry);
    const error = await failure(() => users.encode({ id: 'u1', age: 1 }, ctx));
    expect(error).toMatchObject({ code: 'ENCODE_FAILED', retriable: true, cause });
    expect(await users.encode({ id: 'u1', age: 1 }, ctx)).toBeInstanceOf(Buffer);
  });

  it('passes on the registry\'s refusal of a schema whose id collides with another\'s', async () => {
    const registry = new InMemorySchemaRegistry();
    await codec({ 'a-value': COLLIDING_AVRO[0] as Schema }, registry).encode('x', { topic: 'a', category: 'c' });
    const error = await failure(() => codec({ 'b-value': COLLIDING_AVRO[1] as Schema }, registry).encode('x', { topic: 'b', category: 'c' }));
    expect(error.code).toBe('SCHEMA_INCOMPATIBLE');
    expect(error.context).toMatchObject({ reason: 'id-collision' });
  });

  it('keeps every record intact across shared slabs, for small, non-ASCII and large payloads', async () => {
    const schema = { type: 'record', name: 'Note', fields: [{ name: 'n', type: 'int' }, { name: 'text', type: 'string' }] } as Schema;
    const notes = codec({ 'notes-value': schema });
    const c = { topic: 'notes', category: 'note' };
    await notes.encode({ n: -1, text: '' }, c);
    const texts = ['', 'é', 'héllo wörld 😀', '日本語', 'x'.repeat(70), 'ü'.repeat(5000), 'a'.repeat(9000)];
    const payloads = Array.from({ length: 2000 }, (_, n) => ({ n, text: texts[n % texts.length]! + String(n) }));
    const records = payloads.map((p) => notes.encode(p, c) as Buffer);
    expect(records.map((r) => notes.decode(r, c))).toEqual(payloads);
  });
});

describe('AvroCodec decoding', () => {
  it('reads its own records synchronously, with no registry look-up', async () => {
    const registry = new InMemorySchemaRegistry();
    const getById = vi.spyOn(registry, 'getById');
    const users = codec({ 'users-value': v1 }, registry);
    const bytes = await users.encode({ id: 'u1', age: 30 }, ctx);
    const decoded = users.decode(bytes, ctx);
    expect(decoded).not.toBeInstanceOf(Promise);
    expect(decoded).toEqual({ id: 'u1', age: 30 });
    expect(getById).not.toHaveBeenCalled();
  });

  it('fetches a writer schema once, then decodes synchronously', async () => {
    const registry = new InMemorySchemaRegistry();
    const bytes = await codec({ 'users-value': v1 }, registry).encode({ id: 'u1', age: 30 }, ctx);
    const getById = vi.spyOn(registry, 'getById');
    const reader = codec({ 'users-value': v1 }, registry);
    expect(await Promise.all([reader.decode(bytes, ctx), reader.decode(bytes, ctx)])).toEqual([{ id: 'u1', age: 30 }, { id: 'u1', age: 30 }]);
    expect(reader.decode(bytes, ctx)).toEqual({ id: 'u1', age: 30 });
    expect(getById).toHaveBeenCalledTimes(1);
  });

  it('resolves an old writer schema to a new reader schema: an added field takes its default, a removed one is skipped', async () => {
    const registry = new InMemorySchemaRegistry();
    const old = await codec({ 'users-value': v1 }, registry).encode({ id: 'u1', age: 30 }, ctx);
    const reader = codec({ 'users-value': v2 }, registry);
    expect(await reader.decode(old, ctx)).toEqual({ id: 'u1', email: 'none' });
    // ...and a new writer's record read with the old schema: v1 has no default for `age`, so it cannot.
    const newer = await reader.encode({ id: 'u2', email: 'a@b' }, ctx);
    expect((await failure(() => codec({ 'users-value': v1 }, registry).decode(newer, ctx))).code).toBe('SCHEMA_INCOMPATIBLE');
  });

  it('promotes int to long and falls back to an enum\'s default, as the Avro spec says', async () => {
    const registry = new InMemorySchemaRegistry();
    const writer = { type: 'record', name: 'R', fields: [{ name: 'n', type: 'int' }, { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B', 'C'] } }] } as Schema;
    const reader = { type: 'record', name: 'R', fields: [{ name: 'n', type: 'long' }, { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'], default: 'A' } }] } as Schema;
    const bytes = await codec({ 'r-value': writer }, registry).encode({ n: 5, e: 'C' }, { topic: 'r', category: 'r' });
    expect(await codec({ 'r-value': reader }, registry).decode(bytes, { topic: 'r', category: 'r' })).toEqual({ n: 5, e: 'A' });
  });

  it('matches records by their unqualified names, so a namespace may change, but not a name', async () => {
    const registry = new InMemorySchemaRegistry();
    const fields = [{ name: 'x', type: 'int' }];
    const bytes = await codec({ 'r-value': { type: 'record', name: 'old.ns.R', fields } as Schema }, registry).encode({ x: 3 }, { topic: 'r', category: 'r' });
    expect(await codec({ 'r-value': { type: 'record', name: 'new.ns.R', fields } as Schema }, registry).decode(bytes, { topic: 'r', category: 'r' })).toEqual({ x: 3 });
    const renamed = codec({ 'r-value': { type: 'record', name: 'new.ns.S', fields } as Schema }, registry);
    expect((await failure(() => renamed.decode(bytes, { topic: 'r', category: 'r' }))).code).toBe('SCHEMA_INCOMPATIBLE');
  });

  it('refuses a writer schema that cannot be resolved with SCHEMA_INCOMPATIBLE, every time, never garbage', async () => {
    const registry = new InMemorySchemaRegistry();
    const bytes = await codec({ 'users-value': v1 }, registry).encode({ id: 'u1', age: 30 }, ctx);
    const reader = codec({ 'users-value': incompatible }, registry);
    for (let i = 0; i < 2; i++) {
      const error = await failure(() => reader.decode(bytes, ctx));
      expect(error.code).toBe('SCHEMA_INCOMPATIBLE');
      expect(error.context).toMatchObject({ topic: 'users', subject: 'users-value', schemaId: unframeConfluent(bytes).schemaId });
    }
  });

  it('reads a record whose subject has no schema here with its writer\'s schema', async () => {
    const registry = new InMemorySchemaRegistry();
    const bytes = await codec({ 'users-value': v1 }, registry).encode({ id: 'u1', age: 30 }, ctx);
    expect(await codec({ 'orders-value': v2 }, registry).decode(bytes, ctx)).toEqual({ id: 'u1', age: 30 });
  });

  it('fails with SCHEMA_NOT_FOUND, naming the topic, for an id the registry does not have', async () => {
    const error = await failure(() => codec({ 'users-value': v1 }).decode(frameConfluent(12345, Buffer.from([2, 65])), ctx));
    expect(error.code).toBe('SCHEMA_NOT_FOUND');
    expect(error.context).toMatchObject({ topic: 'users', schemaId: 12345 });
  });

  it('wraps a registry that fails in a retriable DECODE_FAILED', async () => {
    const registry = new InMemorySchemaRegistry();
    vi.spyOn(registry, 'getById').mockRejectedValue(new Error('registry down'));
    const error = await failure(() => codec({ 'users-value': v1 }, registry).decode(frameConfluent(1, Buffer.from([2, 65])), ctx));
    expect(error).toMatchObject({ code: 'DECODE_FAILED', retriable: true });
  });

  it('fails with DECODE_FAILED on a registry schema that is not Avro', async () => {
    const registry = new InMemorySchemaRegistry();
    const id = await registry.register('users-value', '{"type":"nonsense"}');
    expect((await failure(() => codec({ 'users-value': v1 }, registry).decode(frameConfluent(id, Buffer.alloc(1)), ctx))).code).toBe('DECODE_FAILED');
  });

  it.each([
    ['truncated data', (good: Buffer) => good.subarray(0, good.length - 1), /truncated/],
    ['trailing bytes', (good: Buffer) => Buffer.concat([good, Buffer.from([1])]), /1 byte\(s\) follow/],
    ['a wrong magic byte', (good: Buffer) => Buffer.concat([Buffer.from([1]), good.subarray(1)]), /magic byte/],
    ['a bare header', (good: Buffer) => good.subarray(0, 5), /truncated/],
  ])('fails with DECODE_FAILED on %s', async (_what, damage, message) => {
    const users = codec({ 'users-value': v1 });
    const good = await users.encode({ id: 'u1', age: 30 }, ctx);
    const error = await failure(() => users.decode(damage(good), ctx));
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toMatch(message);
  });
});

describe('AvroCodec options', () => {
  const registry = new InMemorySchemaRegistry();

  it.each([
    ['no options', undefined, /options/],
    ['no registry', { schemas: { 'a-value': v1 } }, /"registry"/],
    ['no schemas', { registry, schemas: {} }, /"schemas"/],
    ['an invalid schema', { registry, schemas: { 'a-value': { type: 'record', name: 'R' } } }, /schemas\["a-value"\]/],
    ['a topic subject without -value', { registry, schemas: { users: v1 } }, /"users-value"/],
    ['an unknown strategy', { registry, schemas: { 'a-value': v1 }, subjectStrategy: 'record' }, /"subjectStrategy"/],
  ])('refuses %s at construction, naming the option', (_what, options, message) => {
    expect(() => new AvroCodec(options as AvroCodecOptions)).toThrow(InvalidArgumentError);
    expect(() => new AvroCodec(options as AvroCodecOptions)).toThrow(message);
  });

  it('accepts any subject name with the category strategy', () => {
    expect(isTributaryError(new AvroCodec({ registry, schemas: { users: v1 }, subjectStrategy: 'category' }))).toBe(false);
  });
});
