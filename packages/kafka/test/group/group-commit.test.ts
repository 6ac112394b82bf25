import { describe, expect, it } from 'vitest';
import type { InternalBroker, InternalOffsetCommit, RawRequest } from '../../src/internal/kafkajs-internals.js';
import { CommitEpochs, sendOffsetCommit } from '../../src/group/group-commit.js';
import { bytes } from '../support/wire-bytes.js';

/** A coordinator that keeps the bodies it was sent and answers each with `answer`. */
function coordinator(answer: Buffer, versions?: InternalBroker['versions']) {
  const sent: Array<{ apiKey: number; apiVersion: number; body: Buffer }> = [];
  const broker = {
    versions,
    connectionPool: {
      async send<T>(raw: RawRequest<T>): Promise<T> {
        const { buffer } = await raw.request.encode();
        sent.push({ apiKey: raw.request.apiKey, apiVersion: raw.request.apiVersion, body: buffer });
        return raw.response.parse(await raw.response.decode(answer));
      },
    },
  } as unknown as InternalBroker;
  return { broker, sent };
}

const ok = bytes(['i32', 0], ['i32', 1], ['str', 't'], ['i32', 2], ['i32', 0], ['i16', 0], ['i32', 1], ['i16', 0]);

/** What kafkajs' consumer group hands over: its generation and member id, offsets as kafkajs' Long (printing as decimal). */
const kafkajsCommit = (offsets: Array<[number, string]>): InternalOffsetCommit => ({
  groupId: 'g',
  groupGenerationId: 5,
  memberId: 'member',
  topics: [{ topic: 't', partitions: offsets.map(([partition, offset]) => ({ partition, offset: { toString: () => offset } as unknown as string, metadata: null })) }],
});

describe('sendOffsetCommit', () => {
  it("commits kafkajs' offsets with kafkajs' generation and member id, each with the epoch given for that very offset", async () => {
    const epochs = new CommitEpochs();
    epochs.set([{ topic: 't', partition: 0, offset: 10n, leaderEpoch: 4 }, { topic: 't', partition: 1, offset: 3n, leaderEpoch: 2 }]);
    const { broker, sent } = coordinator(ok);
    // Partition 1's offset is not the one given an epoch: it goes without one (-1).
    await sendOffsetCommit(broker, kafkajsCommit([[0, '10'], [1, '4']]), epochs, () => Promise.reject(new Error('not used')));
    expect(sent.map((s) => [s.apiKey, s.apiVersion])).toEqual([[8, 7]]);
    expect(sent[0]!.body).toEqual(bytes(
      ['str', 'g'], ['i32', 5], ['str', 'member'], ['str', null],
      ['i32', 1], ['str', 't'], ['i32', 2], ['i32', 0], ['i64', 10n], ['i32', 4], ['str', null], ['i32', 1], ['i64', 4n], ['i32', -1], ['str', null],
    ));
  });

  it("fails as kafkajs' own commit does for a refused partition, so kafkajs rejoins on a rebalance", async () => {
    const refused = bytes(['i32', 0], ['i32', 1], ['str', 't'], ['i32', 1], ['i32', 0], ['i16', 27]);
    const { broker } = coordinator(refused);
    await expect(sendOffsetCommit(broker, kafkajsCommit([[0, '1']]), new CommitEpochs(), () => Promise.resolve())).rejects.toMatchObject({ name: 'KafkaJSProtocolError', type: 'REBALANCE_IN_PROGRESS' });
  });

  it('leaves a broker older than Kafka 2.3 to kafkajs\' own request', async () => {
    const { broker, sent } = coordinator(ok, { 8: { minVersion: 0, maxVersion: 6 } });
    let kafkajs = 0;
    await sendOffsetCommit(broker, kafkajsCommit([[0, '1']]), new CommitEpochs(), async () => void kafkajs++);
    expect([kafkajs, sent.length]).toEqual([1, 0]);
  });
});
