import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemorySchemaRegistry, schemaId } from '../../src/codec/schema-registry.js';
import { InvalidArgumentError, isTributaryError } from '../../src/errors.js';
import { COLLIDING } from './fixtures.js';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('schemaId', () => {
  it('is the first 31 bits of the SHA-256 of the text', () => {
    const text = '{"type":"string"}';
    const first4 = createHash('sha256').update(text).digest().readUInt32BE(0);
    expect(schemaId(text)).toBe(first4 >>> 1);
    expect(schemaId(text)).toBeGreaterThanOrEqual(0);
    expect(schemaId(text)).toBeLessThan(2 ** 31);
  });

  it('differs for different texts, except for the rare collision the registries refuse', () => {
    expect(schemaId('"string"')).not.toBe(schemaId('"int"'));
    expect(COLLIDING[0]).not.toBe(COLLIDING[1]);
    expect(schemaId(COLLIDING[0])).toBe(schemaId(COLLIDING[1]));
  });
});

describe('InMemorySchemaRegistry', () => {
  const a = '{"name":"A","type":"record","fields":[]}';
  const b = '{"name":"B","type":"record","fields":[]}';

  it('is idempotent: the same schema under the same subject gets the same id, and one id whatever the subject', async () => {
    const registry = new InMemorySchemaRegistry();
    const id = await registry.register('s-value', a);
    expect(id).toBe(schemaId(a));
    expect(await registry.register('s-value', a)).toBe(id);
    expect(await registry.register('other-value', a)).toBe(id);
    expect(await registry.versions('s-value')).toHaveLength(1);
    expect(await registry.getById(id)).toBe(a);
  });

  it('numbers the versions of a subject in registration order and tells the latest', async () => {
    const registry = new InMemorySchemaRegistry();
    await registry.register('s-value', a);
    await registry.register('s-value', b);
    await registry.register('s-value', a);
    expect(await registry.versions('s-value')).toEqual([
      { id: schemaId(a), subject: 's-value', version: 1, schema: a },
      { id: schemaId(b), subject: 's-value', version: 2, schema: b },
    ]);
    expect(await registry.latest('s-value')).toEqual({ id: schemaId(b), subject: 's-value', version: 2, schema: b });
    expect(await registry.versions('none')).toEqual([]);
  });

  it('fails with SCHEMA_NOT_FOUND for an unknown id or subject', async () => {
    const registry = new InMemorySchemaRegistry();
    const byId = await rejection(registry.getById(7));
    expect(isTributaryError(byId, 'SCHEMA_NOT_FOUND')).toBe(true);
    expect((byId as { context: object }).context).toEqual({ schemaId: 7 });
    expect(isTributaryError(await rejection(registry.latest('none')), 'SCHEMA_NOT_FOUND')).toBe(true);
  });

  it('refuses a schema whose id belongs to another schema, keeping the first', async () => {
    const registry = new InMemorySchemaRegistry();
    const id = await registry.register('s-value', COLLIDING[0]);
    const error = await rejection(registry.register('t-value', COLLIDING[1]));
    expect(isTributaryError(error, 'SCHEMA_INCOMPATIBLE')).toBe(true);
    expect((error as { context: object }).context).toMatchObject({ schemaId: id, reason: 'id-collision', subject: 't-value' });
    expect(await registry.getById(id)).toBe(COLLIDING[0]);
    expect(await registry.versions('t-value')).toEqual([]);
  });

  it.each([
    ['', a],
    ['s-value', ''],
    [undefined, a],
  ])('rejects subject %j with schema %j', async (subject, schema) => {
    const registry = new InMemorySchemaRegistry();
    expect(await rejection(registry.register(subject as string, schema))).toBeInstanceOf(InvalidArgumentError);
  });
});
