import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createTopics, ensureKafkaJars, findJava, randomTopic, testClient, waitFor } from '@tributary/test-kit';
import { COMPRESSION_NAMES, type CompressionName } from '../../src/producer/compression.js';
import { KafkaWriter, type RecordToWrite, type WritableRecord } from '../../src/producer/writer.js';
import { readToEnd, type ReadRecord } from '../../src/reader/read-to-end.js';

const brokers = inject('kafkaBrokers');

/** What Kafka's console consumer prints for a null value or header value (`null.literal`). */
const NULL = '<NULL>';

/**
 * Records of the shapes a dead letter keeps and events carry, all printable text so Kafka's console consumer can
 * show them on one line: a tombstone, a null key, a null header value, a name repeated with a null among its
 * values, an empty header value, unicode, and a value of 200 KB.
 */
function shapes(tag: string): WritableRecord[] {
  const b = (s: string) => Buffer.from(s, 'utf8');
  return [
    { key: b('k0'), value: b(`${tag} plain`), headers: { 'tributary-id': b('id-0'), 'tributary-category': b('order.placed') }, timestamp: '1700000000000' },
    { key: b('k1'), value: null, headers: { reason: null }, timestamp: '1700000000005' },
    { key: null, value: b(`${tag} no key`), headers: { seen: [b('first'), null, b('third')], empty: b('') }, timestamp: '1699999999990' },
    { key: b('ключ'), value: b(`${tag} ünïcödé ✓`), headers: { 'имя': b('значение'), trace: null }, timestamp: '1700000000001' },
    { key: b('k4'), value: b(`${tag} `.padEnd(200_000, 'x')), headers: {}, timestamp: '1700000000002' },
  ];
}

const toWrite = (topic: string, records: WritableRecord[]): RecordToWrite[] => records.map((record) => ({ topic, record, size: (record.key?.length ?? 0) + (record.value?.length ?? 0) }));

/** Every header as written: an array is its name once per value. */
const writtenHeaders = (r: WritableRecord) => Object.entries(r.headers).flatMap(([name, v]) => (Array.isArray(v) ? v.map((each: Buffer | null) => [name, each]) : [[name, v]]));
const readHeaders = (r: ReadRecord) => r.headerList ?? Object.entries(r.headers);

/**
 * Read a topic with Kafka's own console consumer (the test kit's reader prints positions only): one line per
 * record, `Partition:p<TAB>Offset:o<TAB>headers<TAB>key<TAB>value`, nulls printed as {@link NULL}.
 */
async function consoleConsumerLines(topic: string, count: number): Promise<string[]> {
  const [{ java }, jars] = await Promise.all([findJava(), ensureKafkaJars()]);
  const args = [
    '-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xmx256m', '-cp', jars.classpath, 'org.apache.kafka.tools.consumer.ConsoleConsumer',
    '--bootstrap-server', brokers.join(','), '--topic', topic, '--from-beginning', '--max-messages', String(count), '--timeout-ms', '30000',
    ...['print.partition', 'print.offset', 'print.headers', 'print.key', 'print.value'].flatMap((p) => ['--property', `${p}=true`]),
    '--property', `null.literal=${NULL}`,
  ];
  const { stdout } = await promisify(execFile)(java, args, { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout.split('\n').filter((line) => line.startsWith('Partition:'));
}

describe('KafkaWriter against a broker', () => {
  const topics = new Map<CompressionName, string>();
  const written = new Map<CompressionName, { records: WritableRecord[]; offsets: bigint[] }>();

  beforeAll(async () => {
    for (const compression of COMPRESSION_NAMES) topics.set(compression, randomTopic(`writer-${compression}`));
    await createTopics(brokers, [...topics.values()].map((topic) => ({ topic, numPartitions: 1 })));
    for (const compression of COMPRESSION_NAMES) {
      const topic = topics.get(compression)!;
      await using writer = new KafkaWriter(testClient(brokers), { compression });
      await writer.connect();
      // Two writes: the second batch carries the partition's next sequence numbers.
      const records = [...shapes(`${compression} a`), ...shapes(`${compression} b`)];
      const results = [...(await writer.write(toWrite(topic, records.slice(0, 5)))), ...(await writer.write(toWrite(topic, records.slice(5))))];
      const offsets = results.map((r) => {
        if (!r.ok) throw new Error(`write to ${topic} failed: ${String(r.error)}`);
        return r.offset;
      });
      written.set(compression, { records, offsets });
    }
  }, 120_000);

  it.each(COMPRESSION_NAMES)('%s: every record reads back at its reported offset exactly as written, null header values and repeated names included', async (compression) => {
    const { records, offsets } = written.get(compression)!;
    expect(offsets).toEqual(records.map((_, i) => BigInt(i)));
    const read = await readToEnd({ brokers }, topics.get(compression)!);
    expect(read.map((r) => [r.offset, r.timestamp, r.key, r.value, readHeaders(r)])).toEqual(records.map((r, i) => [offsets[i], r.timestamp, r.key, r.value, writtenHeaders(r)]));
  });

  it.each(COMPRESSION_NAMES)("%s: Kafka's Java console consumer reads every record, with its null header values", async (compression) => {
    const { records, offsets } = written.get(compression)!;
    const lines = await consoleConsumerLines(topics.get(compression)!, records.length);
    const text = (b: Buffer | null) => (b === null ? NULL : b.toString('utf8'));
    const expected = records.map((r, i) => {
      const headers = writtenHeaders(r);
      const shown = headers.length === 0 ? 'NO_HEADERS' : headers.map(([name, v]) => `${String(name)}:${text(v as Buffer | null)}`).join(',');
      return `Partition:0\tOffset:${offsets[i]}\t${shown}\t${text(r.key)}\t${text(r.value)}`;
    });
    expect(lines).toEqual(expected);
  }, 120_000);

  it('writes with acks 1, and with acks 0 (no answer awaited, no offset known), without idempotence', async () => {
    const topic = randomTopic('writer-acks');
    await createTopics(brokers, [{ topic, numPartitions: 1 }]);
    const records = shapes('acks');
    for (const acks of [1, 0] as const) {
      await using writer = new KafkaWriter(testClient(brokers), { acks, idempotent: false });
      await writer.connect();
      const results = await writer.write(toWrite(topic, records));
      expect(results.map((r) => r.ok && r.offset)).toEqual(acks === 1 ? [0n, 1n, 2n, 3n, 4n] : [-1n, -1n, -1n, -1n, -1n]);
    }
    // Nothing says when records sent with acks 0 are appended: wait until all are.
    const read = await waitFor('the records written with acks 0', async () => {
      const all = await readToEnd({ brokers }, topic);
      return all.length === 2 * records.length ? all : undefined;
    });
    expect(read.map((r) => [r.value, readHeaders(r)])).toEqual([...records, ...records].map((r) => [r.value, writtenHeaders(r)]));
  });
});
