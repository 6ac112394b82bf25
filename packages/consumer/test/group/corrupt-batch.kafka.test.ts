// A batch that went bad on the broker's disk. The broker checks each batch's CRC when a producer appends it, so
// no client can write an undecodable batch; but it serves stored bytes as they are, so a flipped bit on its disk
// reaches every reader. Java's consumer refuses such a batch (check.crcs); Tributary's group follows its
// `onUndecodableBatch` policy: dead-letter the batch's bytes and read on after it, or stop the partition there,
// reported. The test writes three batches, flips one byte inside the middle one's records in the segment file
// of the launcher's broker, and reads.
import { closeSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { isTributaryError, type Event, type TributaryError } from '@tributary/core';
import { readToEnd } from '@tributary/kafka';
import { randomGroup } from '@tributary/test-kit';
import { ConsumerGroup, DeadLetterHeaders, kafkaReplaySource, replay, silentLogger } from '../../src/index.js';
import { compareIds, events, freshTopic, publish, until } from '../support/kafka.js';

const brokers = inject('kafkaBrokers');
const logDirs = inject('kafkaLogDirs');

/** Three batches of five events on a one-partition topic; the middle one corrupted on disk. */
async function corruptedTopic(prefix: string) {
  const topic = await freshTopic(brokers, prefix, 1);
  const [a, b, c] = [events(5, ['order.placed'], 1, 0), events(5, ['order.placed'], 1, 5), events(5, ['order.placed'], 1, 10)];
  // One send() per batch, each awaited: three batches, in this order.
  const sent = [await publish(brokers, topic, a), await publish(brokers, topic, b), await publish(brokers, topic, c)];
  const offsets = sent.map((batch) => batch.map((e) => e.offset!.offset));
  expect(offsets.map((o) => [o[0], o[4]])).toEqual([[0n, 4n], [5n, 9n], [10n, 14n]]);
  flipByteInBatch(join(logDirs[0]!, `${topic}-0`, '00000000000000000000.log'), 5n);
  return { topic, before: sent[0]!, bad: sent[1]!, after: sent[2]! };
}

/**
 * Flip one byte near the end of the batch whose base offset is `baseOffset`, inside its last record's value:
 * the batch's CRC (over attributes to the end) no longer matches. Batches in a segment file are laid out as
 * baseOffset (int64), batchLength (int32), then `batchLength` bytes.
 */
function flipByteInBatch(segment: string, baseOffset: bigint): void {
  const bytes = readFileSync(segment);
  for (let at = 0; at + 12 <= bytes.length; ) {
    const base = bytes.readBigInt64BE(at);
    const length = bytes.readInt32BE(at + 8);
    const end = at + 12 + length;
    if (base === baseOffset) {
      const fd = openSync(segment, 'r+');
      try {
        const one = Buffer.alloc(1);
        readSync(fd, one, 0, 1, end - 4);
        one[0] = one[0]! ^ 0x5a;
        writeSync(fd, one, 0, 1, end - 4);
      } finally {
        closeSync(fd);
      }
      return;
    }
    at = end;
  }
  throw new Error(`no batch at offset ${baseOffset} in ${segment}`);
}

const ids = (list: readonly Event[]) => list.map((e) => e.id);

// Where the run's Kafka is not the launcher's (KAFKA_BROKERS, a container), its disk is out of reach.
describe.skipIf(logDirs.length === 0)('a batch corrupted on the broker disk', () => {
  it("is dead-lettered as the batch's bytes with DECODE_FAILED, and the group reads on after it: nothing before or after it lost", async () => {
    const { topic, before, bad, after } = await corruptedTopic('corrupt-dlt');
    const seen: Event[] = [];
    const g = new ConsumerGroup({ brokers, groupId: randomGroup(), topics: [topic], fetchMaxWaitMs: 200, commitIntervalMs: 200, logger: silentLogger, handlers: { '#': (e) => void seen.push(e) } });
    await g.start();
    try {
      await until('lag back to 0', async () => (await g.lag()).every((p) => p.lag === 0n));
    } finally {
      await g.stop();
    }
    expect(compareIds(ids(seen), [...ids(before), ...ids(after)])).toEqual({ missing: [], duplicates: [], extra: [] });
    expect(g.counters).toMatchObject({ handled: 10, deadLettered: 1 });

    const letters = await readToEnd({ brokers }, `${topic}.DLT`);
    expect(letters).toHaveLength(1);
    const h = (name: string) => letters[0]!.headers[name]?.toString();
    expect({ code: h(DeadLetterHeaders.errorCode), topic: h(DeadLetterHeaders.topic), offset: h(DeadLetterHeaders.offset), end: h('tributary-dlt-batch-end-offset') }).toEqual({
      code: 'DECODE_FAILED', topic, offset: String(bad[0]!.offset!.offset), end: String(bad[4]!.offset!.offset + 1n),
    });
    expect(h(DeadLetterHeaders.errorMessage)).toMatch(/crc/i);
    // The letter carries the batch as the broker served it, so the bytes can be examined or repaired.
    expect(letters[0]!.value!.readBigInt64BE(0)).toBe(bad[0]!.offset!.offset);
  });

  it("stops the partition at the batch under 'stop', reported with topic, partition and offset, committing nothing past it", async () => {
    const { topic, before, bad } = await corruptedTopic('corrupt-stop');
    const seen: Event[] = [];
    const errors: TributaryError[] = [];
    const g = new ConsumerGroup({
      brokers, groupId: randomGroup(), topics: [topic], fetchMaxWaitMs: 200, commitIntervalMs: 200, logger: silentLogger, onUndecodableBatch: 'stop',
      onError: (e) => void errors.push(e as TributaryError), handlers: { '#': (e) => void seen.push(e) },
    });
    await g.start();
    try {
      await until('the stall reported', () => errors.length > 0 && g.stalled().length > 0);
      await until('the records before it committed', async () => (await g.lag())[0]?.lag === 10n);
      expect(g.stalled()).toMatchObject([{ topic, partition: 0, reason: 'undecodable-batch' }]);
    } finally {
      await g.stop();
    }
    expect(compareIds(ids(seen), ids(before))).toEqual({ missing: [], duplicates: [], extra: [] });
    expect(isTributaryError(errors[0], 'DECODE_FAILED')).toBe(true);
    expect(errors[0]!.context).toMatchObject({ topic, partition: 0, offset: String(bad[0]!.offset!.offset) });
    expect(await readToEnd({ brokers }, `${topic}.DLT`)).toEqual([]);
  });

  it('ends a replay with DECODE_FAILED at the batch, after every event before it', async () => {
    const { topic, before, bad } = await corruptedTopic('corrupt-replay');
    const seen: Event[] = [];
    const error = await (async () => {
      for await (const event of replay({ source: kafkaReplaySource({ brokers }), topic })) seen.push(event);
    })().catch((e: unknown) => e);
    expect(compareIds(ids(seen), ids(before))).toEqual({ missing: [], duplicates: [], extra: [] });
    expect(isTributaryError(error, 'DECODE_FAILED')).toBe(true);
    expect((error as TributaryError).context).toMatchObject({ topic, partition: 0, offset: String(bad[0]!.offset!.offset) });
  });
});
