import type { Schema } from 'avsc';
import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../../src/errors.js';
import { AvroCodec } from '../../src/codec/avro-codec.js';
import { frameConfluent, unframeConfluent } from '../../src/codec/confluent-wire.js';
import { InMemorySchemaLog, InMemorySchemaRegistry, LogSchemaRegistry, schemaId } from '../../src/codec/schema-registry.js';

const ctx = { topic: 'users', category: 'user.created' };
const v1 = { type: 'record', name: 'User', fields: [{ name: 'id', type: 'string' }, { name: 'age', type: 'int' }] } as Schema;
const v2 = { type: 'record', name: 'User', fields: [{ name: 'id', type: 'string' }, { name: 'email', type: 'string', default: 'none' }] } as Schema;
const incompatible = { type: 'record', name: 'User', fields: [{ name: 'id', type: 'int' }] } as Schema;

async function thrown(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('Confluent wire format', () => {
  it('writes magic byte 0 and a 4-byte big-endian schema id before the payload', () => {
    expect([...frameConfluent(0x01020304, Buffer.from([9, 8]))]).toEqual([0, 1, 2, 3, 4, 9, 8]);
    expect(unframeConfluent(Buffer.from([0, 0, 0, 1, 0, 7]))).toEqual({ schemaId: 256, payload: Buffer.from([7]) });
  });

  it.each([[[1, 0, 0, 0, 1, 7]], [[0, 0, 1]]])('rejects %j with DECODE_FAILED', (bytes) => {
    expect(() => unframeConfluent(Buffer.from(bytes))).toThrow(expect.objectContaining({ code: 'DECODE_FAILED' }));
  });
});

describe('AvroCodec', () => {
  it('round-trips, registering the schema once, then encodes synchronously', async () => {
    const registry = new InMemorySchemaRegistry();
    const codec = new AvroCodec({ registry, schemas: { 'users-value': v1 } });
    const first = await codec.encode({ id: 'u1', age: 30 }, ctx);
    const second = codec.encode({ id: 'u2', age: 31 }, ctx);
    expect(second).toBeInstanceOf(Buffer);
    expect(unframeConfluent(first).schemaId).toBe(schemaId(JSON.stringify({ name: 'User', type: 'record', fields: [{ name: 'id', type: 'string' }, { name: 'age', type: 'int' }] })));
    const decoded = codec.decode(first, ctx);
    expect(decoded).not.toBeInstanceOf(Promise);
    expect({ ...(decoded as object) }).toEqual({ id: 'u1', age: 30 });
    expect(await registry.versions('users-value')).toHaveLength(1);
  });

  it('names the wrong fields of a payload that does not fit its schema', async () => {
    const codec = new AvroCodec({ registry: new InMemorySchemaRegistry(), schemas: { 'users-value': v1 } });
    const error = await thrown(() => codec.encode({ id: 5, age: 'old' }, ctx));
    expect(isTributaryError(error, 'ENCODE_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/id: expected "string"/);
    expect((error as Error).message).toMatch(/age: expected "int"/);
  });

  it('reads old records with a new reader schema: added field takes its default, removed field is skipped', async () => {
    const registry = new InMemorySchemaRegistry();
    const writer = new AvroCodec({ registry, schemas: { 'users-value': v1 } });
    const bytes = await writer.encode({ id: 'u1', age: 30 }, ctx);
    const reader = new AvroCodec({ registry, schemas: { 'users-value': v2 } });
    expect({ ...((await reader.decode(bytes, ctx)) as object) }).toEqual({ id: 'u1', email: 'none' });
  });

  it('rejects a writer schema that cannot be resolved, with SCHEMA_INCOMPATIBLE', async () => {
    const registry = new InMemorySchemaRegistry();
    const bytes = await new AvroCodec({ registry, schemas: { 'users-value': v1 } }).encode({ id: 'u1', age: 30 }, ctx);
    const reader = new AvroCodec({ registry, schemas: { 'users-value': incompatible } });
    const error = await thrown(() => reader.decode(bytes, ctx));
    expect(isTributaryError(error, 'SCHEMA_INCOMPATIBLE')).toBe(true);
  });

  it('fails on an unknown schema id with SCHEMA_NOT_FOUND and on malformed bytes with DECODE_FAILED', async () => {
    const registry = new InMemorySchemaRegistry();
    const codec = new AvroCodec({ registry, schemas: { 'users-value': v1 } });
    expect(isTributaryError(await thrown(() => codec.decode(frameConfluent(12345, Buffer.from([2, 65])), ctx)), 'SCHEMA_NOT_FOUND')).toBe(true);
    const good = await codec.encode({ id: 'u1', age: 30 }, ctx);
    const truncated = good.subarray(0, good.length - 1);
    expect(isTributaryError(await thrown(() => codec.decode(truncated, ctx)), 'DECODE_FAILED')).toBe(true);
  });

  it('keys subjects by category when asked', async () => {
    const codec = new AvroCodec({ registry: new InMemorySchemaRegistry(), schemas: { 'user.created': v1 }, subjectStrategy: 'category' });
    expect(codec.subjectOf(ctx)).toBe('user.created');
    expect(isTributaryError(await thrown(() => codec.encode({ id: 'x', age: 1 }, { ...ctx, category: 'user.deleted' })), 'ENCODE_FAILED')).toBe(true);
  });
});

describe('LogSchemaRegistry', () => {
  it('lets two processes on one log agree on ids without coordinating, and find each other\'s schemas', async () => {
    const log = new InMemorySchemaLog();
    const a = new LogSchemaRegistry(log);
    const b = new LogSchemaRegistry(log);
    const s1 = JSON.stringify(v1);
    const s2 = JSON.stringify(v2);
    const [ida, idb, idc] = await Promise.all([a.register('users-value', s1), b.register('users-value', s1), b.register('users-value', s2)]);
    expect(ida).toBe(idb);
    expect(idc).not.toBe(ida);
    expect(await a.getById(idc)).toBe(s2);
    expect(await new LogSchemaRegistry(log).versions('users-value')).toEqual(expect.arrayContaining([s1, s2]));
    expect(isTributaryError(await thrown(() => a.getById(1)), 'SCHEMA_NOT_FOUND')).toBe(true);
  });
});
