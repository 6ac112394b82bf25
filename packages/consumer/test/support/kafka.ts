import { Event, type Codec, encodeEvent, jsonCodec } from '@tributary/core';
import { KafkaProducerPlugin } from '@tributary/producer-plugins';
import { KafkaAdmin, KafkaWriter, partitionKey } from '@tributary/kafka';
import { createTopics, randomTopic, testClient } from '@tributary/test-kit';

/** Poll `check` every 100 ms until it holds; fail naming `what` after `timeoutMs`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh topic with `partitions` partitions (and its `.DLT` with one, unless `dlt` is false). */
export async function freshTopic(brokers: string[], prefix: string, partitions: number, dlt = true): Promise<string> {
  const topic = randomTopic(prefix);
  await createTopics(brokers, [{ topic, numPartitions: partitions }, ...(dlt ? [{ topic: `${topic}.DLT`, numPartitions: 1 }] : [])]);
  return topic;
}

/** Send events through the kafka producer plugin; returns them with their offsets. */
export async function publish(brokers: string[], topic: string, events: Event[]): Promise<Event[]> {
  await using plugin = new KafkaProducerPlugin({ topic, brokers });
  await plugin.open();
  return await plugin.send(events);
}

/** Events of the given categories in turn, keyed over `keys` keys. */
export function events(count: number, categories: readonly string[], keys = 8, from = 0): Event[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return Event.create({ category: categories[i % categories.length]!, key: `k${i % keys}`, payload: { i } });
  });
}

/** Write raw records (what another producer, or a bug, might write). */
export async function sendRaw(brokers: string[], topic: string, messages: Array<{ key: string; value: Buffer | string; headers?: Record<string, string | Buffer>; partition?: number }>): Promise<void> {
  await using writer = new KafkaWriter(testClient(brokers));
  await writer.connect();
  const records = messages.map((m) => {
    const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([name, v]) => [name, Buffer.from(v)]));
    const record = { key: Buffer.from(m.key), value: Buffer.from(m.value), headers, timestamp: String(Date.now()) };
    return { topic, record, size: record.key.length + record.value.length, ...(m.partition === undefined ? {} : { partition: m.partition }) };
  });
  // One record at a time: the order written is the order the test means.
  for (const r of records) {
    const [result] = await writer.write([r]);
    if (!result?.ok) throw new Error(`writing a raw record to ${topic} failed: ${String(result?.ok === false ? result.error : 'no result')}`);
  }
}

/** The record kafkajs would send for an event, encoded with `codec`. */
export async function rawRecordOf(event: Event, topic: string, codec: Codec = jsonCodec): Promise<{ key: string; value: Buffer; headers: Record<string, Buffer> }> {
  const r = await encodeEvent(event, codec, topic);
  return { key: r.key?.toString() ?? '', value: r.value, headers: r.headers };
}

/** Ids that occur more than once, and ids expected but missing. */
export function compareIds(seen: readonly string[], expected: readonly string[]): { missing: string[]; duplicates: string[]; extra: string[] } {
  const counts = new Map<string, number>();
  for (const id of seen) counts.set(id, (counts.get(id) ?? 0) + 1);
  const want = new Set(expected);
  return {
    missing: expected.filter((id) => !counts.has(id)),
    duplicates: [...counts].filter(([, n]) => n > 1).map(([id]) => id),
    extra: [...counts.keys()].filter((id) => !want.has(id)),
  };
}

/** The group's committed offsets per partition of `topic` (undefined where none). */
export async function committedOffsets(brokers: string[], groupId: string, topic: string): Promise<Map<number, bigint | undefined>> {
  await using admin = new KafkaAdmin(testClient(brokers));
  const committed = await admin.groupOffsets(groupId, [topic]);
  return new Map((await admin.ranges(topic)).map((r) => [r.partition, committed.get(partitionKey(topic, r.partition))]));
}
