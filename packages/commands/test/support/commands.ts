import { createTopics, randomGroup, randomTopic } from '@tributary/test-kit';
import { readToEnd, type ReadRecord } from '@tributary/kafka';
import { decodeEvent, EventOffset, jsonCodec, createCodecLookup, type Event } from '@tributary/core';

/** A fresh commands topic with its dead-letter topic. */
export async function freshCommands(brokers: string[], partitions = 2): Promise<{ topic: string; groupId: string }> {
  const topic = randomTopic('commands');
  await createTopics(brokers, [{ topic, numPartitions: partitions }, { topic: `${topic}.DLT`, numPartitions: 1 }]);
  return { topic, groupId: randomGroup('processor') };
}

/** Every command event of a topic, as a read_committed reader sees it. */
export async function committedCommands(brokers: string[], topic: string): Promise<Event[]> {
  const records: ReadRecord[] = await readToEnd({ brokers }, topic, { isolationLevel: 'read_committed' });
  const codecs = createCodecLookup([jsonCodec]);
  return Promise.all(records.map((r) => decodeEvent({ key: r.key, value: r.value!, headers: r.headers, timestamp: r.timestamp }, codecs, topic, EventOffset.of(topic, r.partition, r.offset))));
}

export async function until(probe: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
