import { describe, expect, it } from 'vitest';
import { AvroCodec, ErrorCodes, InMemorySchemaRegistry, InvalidArgumentError, TributaryError, jsonCodec, type AvroSchema, type Codec } from '@tributary/core';
import { DEFAULT_STREAM_CATEGORY, streamCodecFrom } from '../../src/codec/stream-codec-adapter.js';
import { StreamCodecError } from '../../src/errors.js';

const job = { type: 'record', name: 'JobStatus', fields: [{ name: 'job', type: 'string' }, { name: 'percent', type: 'int' }, { name: 'note', type: ['null', 'string'], default: null }] } as AvroSchema;

function avro(registry = new InMemorySchemaRegistry()): AvroCodec {
  return new AvroCodec({ registry, schemas: { 'jobs-value': job } });
}

async function rejection(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** A codec that fails the way user code does: with a plain Error, thrown or rejected. */
function failing(mode: 'throw' | 'reject'): Codec {
  const fail = (what: string) => {
    const error = new Error(`${what} broke`);
    if (mode === 'throw') throw error;
    return Promise.reject(error);
  };
  return { name: 'mine', encode: () => fail('encode'), decode: () => fail('decode') };
}

describe('streamCodecFrom', () => {
  it("serves Avro with its schema registry: the codec's name, a Promise the first time, then Buffers", async () => {
    const registry = new InMemorySchemaRegistry();
    const codec = streamCodecFrom(avro(registry), { topic: 'jobs' });
    expect(codec.name).toBe('avro');
    const first = codec.encode({ job: 'j1', percent: 10, note: null });
    expect(first).toBeInstanceOf(Promise);
    const messages = [{ job: 'j1', percent: 10, note: null }, { job: 'j2', percent: 100, note: 'done\n' }];
    const bytes = [await first, codec.encode(messages[1])];
    expect(bytes[1]).toBeInstanceOf(Buffer);
    expect((await registry.latest('jobs-value')).subject).toBe('jobs-value');
    // Another process's codec, with a fresh cache, fetches the writer schema once and reads both.
    const reader = streamCodecFrom(avro(registry), { topic: 'jobs' });
    expect(await Promise.all(bytes.map((b) => reader.decode(b as Buffer)))).toEqual(messages);
    expect(reader.decode(bytes[0] as Buffer)).toEqual(messages[0]);
  });

  it("passes the codec's own errors through unchanged", async () => {
    const codec = streamCodecFrom(avro(), { topic: 'jobs' });
    const wrong = (await rejection(() => codec.encode({ job: 7 }))) as TributaryError;
    expect(wrong).toBeInstanceOf(TributaryError);
    expect(wrong).not.toBeInstanceOf(StreamCodecError);
    expect(wrong.code).toBe(ErrorCodes.ENCODE_FAILED);
    expect(wrong.message).toMatch(/does not fit the Avro schema of subject "jobs-value": job: expected string, got 7/);
    const unknownId = (await rejection(() => codec.decode(Buffer.from([0, 0, 0, 0, 1, 2])))) as TributaryError;
    expect(unknownId.code).toBe(ErrorCodes.SCHEMA_NOT_FOUND);
    const badFrame = (await rejection(() => codec.decode(Buffer.from([7])))) as TributaryError;
    expect(badFrame.code).toBe(ErrorCodes.DECODE_FAILED);
    const noSchema = (await rejection(() => streamCodecFrom(avro(), { topic: 'other' }).encode({}))) as TributaryError;
    expect(noSchema.message).toMatch(/^No Avro schema for subject "other-value" \(topic "other", category "stream.message"\)/);
  });

  it('tells the codec the topic and category', () => {
    const seen: unknown[] = [];
    const spy: Codec = { name: 'spy', encode: (_, c) => (seen.push(c), Buffer.alloc(0)), decode: (_, c) => seen.push(c) };
    streamCodecFrom(spy, { topic: 't' }).encode(1);
    streamCodecFrom(spy, { topic: 't', category: 'job.status' }).decode(Buffer.alloc(0));
    expect(seen).toEqual([{ topic: 't', category: DEFAULT_STREAM_CATEGORY }, { topic: 't', category: 'job.status' }]);
  });

  it("serves core's JSON codec synchronously", () => {
    const codec = streamCodecFrom(jsonCodec, { topic: 'jobs' });
    expect(codec.decode(codec.encode({ a: [1] }) as Buffer)).toEqual({ a: [1] });
  });

  it.each(['throw', 'reject'] as const)('wraps a plain error the codec %ss, keeping it as the cause', async (mode) => {
    const codec = streamCodecFrom(failing(mode), { topic: 'jobs' });
    for (const [verb, run, code] of [['encode', () => codec.encode(1), ErrorCodes.ENCODE_FAILED], ['decode', () => codec.decode(Buffer.alloc(1)), ErrorCodes.DECODE_FAILED]] as const) {
      const error = (await rejection(run)) as StreamCodecError;
      expect(error).toBeInstanceOf(StreamCodecError);
      expect(error.code).toBe(code);
      expect(error.message).toBe(`Codec "mine" failed to ${verb} a stream message for topic "jobs": ${verb} broke`);
      expect(error.context).toEqual({ codec: 'mine', topic: 'jobs' });
      expect((error.cause as Error).message).toBe(`${verb} broke`);
    }
  });

  it.each([
    ['a codec without decode', { name: 'x', encode: () => Buffer.alloc(0) }, { topic: 't' }, 'codec'],
    ['no options', jsonCodec, undefined, 'options'],
    ['an invalid topic', jsonCodec, { topic: 'a b' }, undefined],
    ['an empty category', jsonCodec, { topic: 't', category: '' }, 'category'],
  ])('refuses %s', (_, codec, options, path) => {
    let error: unknown;
    try {
      streamCodecFrom(codec as Codec, options as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    if (path !== undefined) expect((error as InvalidArgumentError).context.option).toBe(path);
  });
});
