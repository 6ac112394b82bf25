import { describe, expect, it } from 'vitest';
import { InMemorySchemaLog, LogSchemaRegistry, type SchemaLog, type SchemaLogRecord } from '../../src/codec/log-schema-registry.js';
import { schemaId } from '../../src/codec/schema-registry.js';
import { InvalidArgumentError, isTributaryError, type TributaryError } from '../../src/errors.js';
import { COLLIDING } from './fixtures.js';

const v1 = '{"fields":[{"name":"id","type":"string"}],"name":"User","type":"record"}';
const v2 = '{"fields":[{"name":"id","type":"string"},{"default":"","name":"email","type":"string"}],"name":"User","type":"record"}';
const order = '{"fields":[{"name":"total","type":"double"}],"name":"Order","type":"record"}';

async function rejection(promise: Promise<unknown>): Promise<TributaryError> {
  try {
    await promise;
  } catch (error) {
    return error as TributaryError;
  }
  throw new Error('expected a rejection');
}

/** A log that counts its reads and can be made to fail. */
class CountingLog extends InMemorySchemaLog {
  reads = 0;
  failWith: unknown;
  override async readAll(): Promise<SchemaLogRecord[]> {
    this.reads++;
    if (this.failWith !== undefined) throw this.failWith;
    return super.readAll();
  }
}

describe('LogSchemaRegistry', () => {
  it('registers by appending once, then answers from memory', async () => {
    const log = new CountingLog();
    const registry = new LogSchemaRegistry(log);
    const id = await registry.register('users-value', v1);
    expect(id).toBe(schemaId(v1));
    expect(log.records).toHaveLength(1);
    expect(JSON.parse(log.records[0]!.value)).toEqual({ subject: 'users-value', id, schema: v1 });
    const reads = log.reads;
    expect(await registry.register('users-value', v1)).toBe(id);
    expect(await registry.getById(id)).toBe(v1);
    expect(log.reads).toBe(reads);
    expect(log.records).toHaveLength(1);
  });

  it('does not append a registration another process already made', async () => {
    const log = new InMemorySchemaLog();
    await new LogSchemaRegistry(log).register('users-value', v1);
    expect(await new LogSchemaRegistry(log).register('users-value', v1)).toBe(schemaId(v1));
    expect(log.records).toHaveLength(1);
  });

  it('lets processes registering the same and different schemas at once agree on every id and version', async () => {
    const log = new InMemorySchemaLog();
    const [a, b, c] = [new LogSchemaRegistry(log), new LogSchemaRegistry(log), new LogSchemaRegistry(log)];
    const ids = await Promise.all([
      a.register('users-value', v1),
      b.register('users-value', v1),
      c.register('users-value', v1),
      b.register('users-value', v2),
      a.register('orders-value', order),
      c.register('users-value', v2),
    ]);
    expect(ids).toEqual([schemaId(v1), schemaId(v1), schemaId(v1), schemaId(v2), schemaId(order), schemaId(v2)]);
    // The race really happened: the same registration was appended more than once.
    expect(log.records.length).toBeGreaterThan(3);
    const late = new LogSchemaRegistry(log);
    for (const registry of [a, b, c, late]) {
      expect((await registry.versions('users-value')).map((r) => [r.version, r.id])).toEqual([
        [1, schemaId(v1)],
        [2, schemaId(v2)],
      ]);
      expect(await registry.latest('orders-value')).toEqual({ id: schemaId(order), subject: 'orders-value', version: 1, schema: order });
      expect(await registry.getById(schemaId(v2))).toBe(v2);
    }
  });

  it('finds a schema another process registered after this one last read the log', async () => {
    const log = new InMemorySchemaLog();
    const reader = new LogSchemaRegistry(log);
    expect(isTributaryError(await rejection(reader.getById(schemaId(v1))), 'SCHEMA_NOT_FOUND')).toBe(true);
    const id = await new LogSchemaRegistry(log).register('users-value', v1);
    expect(await reader.getById(id)).toBe(v1);
  });

  it('gives an id to the first claim in log order when two schemas collide, even when both register at once', async () => {
    const log = new InMemorySchemaLog();
    const first = new LogSchemaRegistry(log);
    const second = new LogSchemaRegistry(log);
    const [won, lost] = await Promise.allSettled([first.register('a-value', COLLIDING[0]), second.register('b-value', COLLIDING[1])]);
    // Both read an empty log, so both appended: the log order decides.
    expect(log.records).toHaveLength(2);
    expect(won).toEqual({ status: 'fulfilled', value: schemaId(COLLIDING[0]) });
    expect(lost.status).toBe('rejected');
    expect(isTributaryError((lost as PromiseRejectedResult).reason, 'SCHEMA_INCOMPATIBLE')).toBe(true);
    expect((lost as PromiseRejectedResult).reason.context).toMatchObject({ reason: 'id-collision', subject: 'b-value' });
    for (const registry of [first, second, new LogSchemaRegistry(log)]) {
      expect(await registry.getById(schemaId(COLLIDING[0]))).toBe(COLLIDING[0]);
      expect(await registry.versions('b-value')).toEqual([]);
    }
    // A later attempt is refused before anything is appended.
    expect(isTributaryError(await rejection(new LogSchemaRegistry(log).register('c-value', COLLIDING[1])), 'SCHEMA_INCOMPATIBLE')).toBe(true);
    expect(log.records).toHaveLength(2);
  });

  it('keeps ids and versions through log compaction, since every record has its own key', async () => {
    const log = new InMemorySchemaLog();
    await new LogSchemaRegistry(log).register('s-value', COLLIDING[0]);
    await new LogSchemaRegistry(log).register('s-value', v1);
    // A slow process that read the log before the first registration appends it again, after v1.
    let reads = 0;
    const stale: SchemaLog = { append: (k, v) => log.append(k, v), readAll: async () => (reads++ === 0 ? [] : log.readAll()) };
    await new LogSchemaRegistry(stale).register('s-value', COLLIDING[0]);
    expect(log.records).toHaveLength(3);
    log.compact();
    expect(log.records).toHaveLength(3);
    const after = new LogSchemaRegistry(log);
    expect((await after.versions('s-value')).map((r) => [r.version, r.schema])).toEqual([
      [1, COLLIDING[0]],
      [2, v1],
    ]);
    expect(isTributaryError(await rejection(after.register('t-value', COLLIDING[1])), 'SCHEMA_INCOMPATIBLE')).toBe(true);
  });

  it('skips records that are not registrations, or whose id is not their schema\'s', async () => {
    const log = new InMemorySchemaLog();
    await log.append('noise', 'not json');
    await log.append('null', 'null');
    await log.append('forged', JSON.stringify({ subject: 's-value', id: 7, schema: v1 }));
    const registry = new LogSchemaRegistry(log);
    expect(isTributaryError(await rejection(registry.getById(7)), 'SCHEMA_NOT_FOUND')).toBe(true);
    expect(await registry.register('s-value', v1)).toBe(schemaId(v1));
    expect(await registry.versions('s-value')).toHaveLength(1);
  });

  it('shares one read of the log between concurrent look-ups', async () => {
    const log = new CountingLog();
    await new LogSchemaRegistry(log).register('s-value', v1);
    log.reads = 0;
    const registry = new LogSchemaRegistry(log);
    await Promise.all([registry.getById(schemaId(v1)), registry.getById(schemaId(v1)), registry.latest('s-value'), registry.versions('s-value')]);
    expect(log.reads).toBeLessThanOrEqual(2);
  });

  it('never answers a registration from a read that started before its append', async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // Reads see the log as it was when they started, and take a while; appends take a little less.
    class SlowLog extends InMemorySchemaLog {
      override async readAll(): Promise<SchemaLogRecord[]> {
        const snapshot = await super.readAll();
        await sleep(40);
        return snapshot;
      }
      override async append(key: string, value: string): Promise<void> {
        await sleep(20);
        await super.append(key, value);
      }
    }
    const registry = new LogSchemaRegistry(new SlowLog());
    const registering = registry.register('s-value', v1);
    await sleep(50); // the first read is over and the append is under way
    const lookup = registry.getById(12345).catch((error: unknown) => error);
    expect(await registering).toBe(schemaId(v1));
    expect(isTributaryError(await lookup, 'SCHEMA_NOT_FOUND')).toBe(true);
  });

  it('wraps a failure of the log in a retriable CONNECTION error, keeping the cause', async () => {
    const log = new CountingLog();
    const cause = new Error('broker down');
    log.failWith = cause;
    const error = await rejection(new LogSchemaRegistry(log).register('s-value', v1));
    expect(isTributaryError(error, 'CONNECTION')).toBe(true);
    expect(error.retriable).toBe(true);
    expect(error.cause).toBe(cause);
    log.failWith = undefined;
    expect(await new LogSchemaRegistry(log).register('s-value', v1)).toBe(schemaId(v1));
  });

  it('reports a log that does not return what was just appended', async () => {
    const forgetful: SchemaLog = { append: async () => undefined, readAll: async () => [] };
    const error = await rejection(new LogSchemaRegistry(forgetful).register('s-value', v1));
    expect(isTributaryError(error, 'CONNECTION')).toBe(true);
    expect(error.message).toMatch(/contract/);
  });

  it('refuses something that is not a log, and bad arguments', async () => {
    expect(() => new LogSchemaRegistry({} as SchemaLog)).toThrow(InvalidArgumentError);
    expect(await rejection(new LogSchemaRegistry(new InMemorySchemaLog()).register('', v1))).toBeInstanceOf(InvalidArgumentError);
  });
});
