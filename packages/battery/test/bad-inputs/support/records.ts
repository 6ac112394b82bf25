/**
 * What the bad-input battery writes and checks: raw records of any shape (null keys and values, null and repeated
 * headers) written one at a time in the order meant, and the "nothing lost behind it" comparison.
 */
import { expect } from 'vitest';
import { encodeEvent, jsonCodec, type Codec, type Event } from '@tributary/core';
import { KafkaWriter, readToEnd, type ReadRecord } from '@tributary/kafka';
import { testClient } from '@tributary/test-kit';
import { compareIds } from '../../../../consumer/test/support/kafka.js';

export { compareIds, committedOffsets, freshTopic, publish, until } from '../../../../consumer/test/support/kafka.js';

/** A record as another client (or a bug) may write it. */
export interface RawInput {
  partition: number;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | string | null | Array<Buffer | string | null>>;
  timestamp?: number;
}

const bytes = (v: Buffer | string | null) => (v === null ? null : Buffer.from(v));

/** Write records one at a time, so the order written is the order in each partition. Returns their offsets. */
export async function writeRaw(brokers: string[], topic: string, inputs: readonly RawInput[]): Promise<bigint[]> {
  await using writer = new KafkaWriter(testClient(brokers, 'bad-inputs-writer'));
  await writer.connect();
  const offsets: bigint[] = [];
  for (const input of inputs) {
    const headers = Object.fromEntries(Object.entries(input.headers ?? {}).map(([name, v]) => [name, Array.isArray(v) ? v.map(bytes) : bytes(v)]));
    const record = { key: bytes(input.key), value: bytes(input.value), headers, timestamp: String(input.timestamp ?? Date.now()) };
    const [result] = await writer.write([{ topic, partition: input.partition, record, size: (record.key?.length ?? 0) + (record.value?.length ?? 0) }]);
    if (!result?.ok) throw new Error(`writing a raw record to ${topic}:${input.partition} failed: ${String(result?.ok === false ? result.error : 'no result')}`);
    offsets.push(result.offset);
  }
  return offsets;
}

/** An event as the kafka producer plugin would write it, encoded with `codec`, ready for {@link writeRaw}. */
export async function eventInput(event: Event, topic: string, partition: number, codec: Codec = jsonCodec): Promise<RawInput> {
  const r = await encodeEvent(event, codec, topic);
  return { partition, key: r.key, value: r.value, headers: r.headers };
}

/**
 * The dead-letter records of `topic`, by the original partition and offset they name (`"0@12"`). A record
 * dead-lettered twice fails the test, naming its positions.
 */
export async function deadLetters(brokers: string[], topic: string): Promise<Map<string, ReadRecord>> {
  const letters = await readToEnd({ brokers }, `${topic}.DLT`);
  const text = (r: ReadRecord, name: string) => r.headers[name]?.toString();
  const byPosition = new Map<string, ReadRecord>();
  const twice: string[] = [];
  for (const r of letters) {
    const position = `${text(r, 'tributary-dlt-original-partition')}@${text(r, 'tributary-dlt-original-offset')}`;
    if (byPosition.has(position)) twice.push(position);
    byPosition.set(position, r);
  }
  expect(twice, `records of ${topic} dead-lettered more than once`).toEqual([]);
  return byPosition;
}

/** Every expected id seen exactly once, and nothing else: missing, duplicate and extra ids are listed on failure. */
export function expectExactly(seen: readonly string[], expected: readonly string[]): void {
  expect(compareIds(seen, expected)).toEqual({ missing: [], duplicates: [], extra: [] });
}

/** Within each partition, offsets only grow: nothing handled out of order or handled again after a later record. */
export function expectOffsetOrder(events: readonly Event[]): void {
  const last = new Map<number, bigint>();
  for (const e of events) {
    const { partition, offset } = e.offset!;
    expect(offset, `partition ${partition}`).toBeGreaterThan(last.get(partition) ?? -1n);
    last.set(partition, offset);
  }
}
