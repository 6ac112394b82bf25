import { KafkaJSConnectionError, KafkaJSProtocolError, KafkaJSRequestTimeoutError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isTributaryError, type TributaryError } from '@tributary/core';
import { Submission, type WriteResult } from '../../src/producer/producer-batch.js';
import { decodeRecordBatches } from '../../src/protocol/record-batch.js';
import { Sender, type PartitionAnswer, type SenderOptions, type SenderPorts } from '../../src/producer/sender.js';

const protocol = (type: string, code: number, retriable: boolean) => Object.assign(new KafkaJSProtocolError(`broker said ${type}`), { type, code, retriable });
const outOfOrder = () => protocol('OUT_OF_ORDER_SEQUENCE_NUMBER', 45, false);
const reset = () => new KafkaJSConnectionError('Connection error: read ECONNRESET');
const tooLarge = () => protocol('MESSAGE_TOO_LARGE', 10, false);

/** A batch as a request carried it: where it went and the producer fields in its header. */
interface SentBatch {
  node: number;
  topic: string;
  partition: number;
  producerId: string;
  epoch: number;
  sequence: number;
  count: number;
  bytes: Buffer;
}

/** A request on the wire, answered by the test: per partition (`t:p` -> offset or error), or failed whole. */
interface Request {
  node: number;
  batches: SentBatch[];
  answer(answers: Record<string, bigint | Error>): void;
  fail(error: unknown): void;
}

/** Ports whose requests wait for the test to answer them; every partition is led by `leaders` (default node 1). */
function fakeCluster(leaders: Record<string, number | undefined> = {}) {
  const requests: Request[] = [];
  let refreshes = 0;
  const ports: SenderPorts = {
    leaderOf: (topic, partition) => (`${topic}:${partition}` in leaders ? leaders[`${topic}:${partition}`] : 1),
    refreshMetadata: async () => void refreshes++,
    newProducerId: async () => ({ producerId: 99n, producerEpoch: 0 }),
    messageLimit: async () => 10_000,
    produce: (node, request) =>
      new Promise((resolve, reject) => {
        const batches = request.partitions.map(({ topic, partition, records: b }) => ({
          node,
          topic,
          partition,
          producerId: String(b.readBigInt64BE(43)),
          epoch: b.readInt16BE(51),
          sequence: b.readInt32BE(53),
          count: b.readInt32BE(57),
          bytes: b,
        }));
        requests.push({
          node,
          batches,
          answer: (answers) => {
            const map = new Map<string, PartitionAnswer>();
            for (const [id, a] of Object.entries(answers)) {
              const [t, p] = id.split(':');
              map.set(`${t}\u0000${p}`, typeof a === 'bigint' ? { baseOffset: a } : { error: a });
            }
            resolve(map);
          },
          fail: reject,
        });
      }),
  };
  return { ports, requests, leaders, refreshes: () => refreshes };
}

const options = (more: Partial<SenderOptions> = {}): SenderOptions => ({
  acks: -1,
  timeoutMs: 1000,
  compression: 0,
  lingerMs: 0,
  batchSize: 1024 * 1024,
  maxInFlight: 5,
  maxRequestBytes: 1024 * 1024,
  retries: 10,
  deliveryTimeoutMs: 60_000,
  backoff: () => 0,
  ...more,
});

/** Let the sender run (it sends on setImmediate; answers settle in microtasks). */
async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

/** Write `values` to a partition as one write() would, each record `size` bytes. */
function write(sender: Sender, topic: string, partition: number, values: string[], size = 10): Promise<WriteResult[]> {
  return new Promise((resolve) => {
    const submission = new Submission(values.length, resolve);
    const state = sender.partition(topic, partition);
    values.forEach((v, i) => state.append({ key: null, value: Buffer.from(v), headers: {}, timestamp: '1000' }, size, submission, i, Date.now(), options().batchSize));
    sender.added(state);
  });
}

/** The values a request's batch carries, decoded. */
const values = async (b: SentBatch) => (await decodeRecordBatches(b.bytes, 0n)).records.map((r) => r.value!.toString());
const shown = (results: WriteResult[]) => results.map((r) => (r.ok ? String(r.offset) : r.outcome));
const fields = (b: SentBatch) => `${b.topic}:${b.partition} e${b.epoch} s${b.sequence} n${b.count}`;

describe('Sender', () => {
  it('sends one request per broker, carrying a batch for every partition the broker leads, each answered alone', async () => {
    const cluster = fakeCluster({ 't:2': 2 });
    const sender = new Sender(cluster.ports, { producerId: 7n, producerEpoch: 0 }, options());
    const written = [0, 1, 2].map((p) => write(sender, 't', p, ['a', 'b']));
    await settle();
    expect(cluster.requests.map((r) => [r.node, r.batches.map(fields)])).toEqual([
      [1, ['t:0 e0 s0 n2', 't:1 e0 s0 n2']],
      [2, ['t:2 e0 s0 n2']],
    ]);
    cluster.requests[0]!.answer({ 't:0': 10n, 't:1': protocol('INVALID_RECORD', 87, false) });
    cluster.requests[1]!.answer({ 't:2': 30n });
    expect((await Promise.all(written)).map(shown)).toEqual([['10', '11'], ['failed', 'failed'], ['30', '31']]);
  });

  it('keeps up to five requests on the wire per broker once its connection answered, with sequence numbers in writing order', async () => {
    const cluster = fakeCluster();
    const sender = new Sender(cluster.ports, { producerId: 7n, producerEpoch: 0 }, options());
    const first = write(sender, 't', 0, ['a']);
    await settle();
    write(sender, 't', 0, ['b']);
    await settle();
    // A new connection carries one request until it has answered.
    expect(cluster.requests).toHaveLength(1);
    cluster.requests[0]!.answer({ 't:0': 0n });
    await first;
    const later = [];
    for (let i = 0; i < 7; i++) {
      later.push(write(sender, 't', 0, [`c${i}`, `d${i}`]));
      await settle();
    }
    // 'b' waited in a batch that took the next write's records too.
    expect(cluster.requests.slice(1).map((r) => fields(r.batches[0]!))).toEqual(['t:0 e0 s1 n3', 't:0 e0 s4 n2', 't:0 e0 s6 n2', 't:0 e0 s8 n2', 't:0 e0 s10 n2']);
    // An answer frees room on the wire: the records waiting meanwhile go, merged into one batch.
    cluster.requests[1]!.answer({ 't:0': 1n });
    await settle();
    expect(cluster.requests.slice(6).map((r) => fields(r.batches[0]!))).toEqual(['t:0 e0 s12 n4']);
    cluster.requests.slice(2).forEach((r, i) => r.answer({ 't:0': BigInt(4 + 2 * i) }));
    expect((await Promise.all(later)).map(shown)).toEqual([['2', '3'], ['4', '5'], ['6', '7'], ['8', '9'], ['10', '11'], ['12', '13'], ['14', '15']]);
  });

  it('sends a failed batch again first and the later batches of its partition after it, in order, with the same bytes', async () => {
    const { cluster, written } = await onTheWire(3, options());
    const [a, b, c] = cluster.requests.slice(1);
    a!.fail(reset());
    b!.answer({ 't:0': outOfOrder() });
    c!.fail(reset());
    await settle();
    // The first is alone on the wire again; the others wait for it, then follow one at a time.
    expect(cluster.requests.slice(4).map((r) => fields(r.batches[0]!))).toEqual(['t:0 e0 s0 n1']);
    expect(cluster.requests[4]!.batches[0]!.bytes).toBe(a!.batches[0]!.bytes);
    cluster.requests[4]!.answer({ 't:0': 1n });
    await settle();
    expect(cluster.requests.slice(5).map((r) => fields(r.batches[0]!))).toEqual(['t:0 e0 s1 n1']);
    cluster.requests[5]!.answer({ 't:0': 2n });
    await settle();
    expect(cluster.requests.slice(6).map((r) => fields(r.batches[0]!))).toEqual(['t:0 e0 s2 n1']);
    cluster.requests[6]!.answer({ 't:0': 3n });
    expect((await Promise.all(written)).map(shown)).toEqual([['1'], ['2'], ['3']]);
  });

  it('starts the next epoch at sequence 0 when the broker refuses the head of the sequence (OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID)', async () => {
    for (const refusal of [outOfOrder(), protocol('UNKNOWN_PRODUCER_ID', 59, false)]) {
      const cluster = fakeCluster();
      const sender = new Sender(cluster.ports, { producerId: 7n, producerEpoch: 3 }, options());
      await prove(cluster, sender);
      const written = write(sender, 't', 0, ['x', 'y']);
      await settle();
      cluster.requests[1]!.answer({ 't:0': refusal });
      await settle();
      expect(cluster.requests.slice(1).map((r) => fields(r.batches[0]!))).toEqual(['t:0 e3 s0 n2', 't:0 e4 s0 n2']);
      cluster.requests[2]!.answer({ 't:0': 50n });
      expect(shown(await written)).toEqual(['50', '51']);
    }
  });

  it('takes DUPLICATE_SEQUENCE_NUMBER as appended before, with no offset known', async () => {
    const cluster = fakeCluster();
    const sender = new Sender(cluster.ports, { producerId: 7n, producerEpoch: 0 }, options());
    const written = write(sender, 't', 0, ['x']);
    await settle();
    cluster.requests[0]!.answer({ 't:0': protocol('DUPLICATE_SEQUENCE_NUMBER', 46, false) });
    expect(await written).toMatchObject([{ ok: true, offset: -1n }]);
  });

  it('fails a batch refused for its epoch (INVALID_PRODUCER_EPOCH) and sends the next batches under the next epoch', async () => {
    const cluster = fakeCluster();
    const sender = new Sender(cluster.ports, { producerId: 7n, producerEpoch: 0 }, options());
    await prove(cluster, sender);
    const refused = write(sender, 't', 0, ['x']);
    await settle();
    cluster.requests[1]!.answer({ 't:0': protocol('INVALID_PRODUCER_EPOCH', 47, false) });
    expect(shown(await refused)).toEqual(['failed']);
    const next = write(sender, 't', 0, ['y']);
    await settle();
    expect(fields(cluster.requests[2]!.batches[0]!)).toBe('t:0 e1 s0 n1');
    cluster.requests[2]!.answer({ 't:0': 9n });
    expect(shown(await next)).toEqual(['9']);
  });

  it('after a batch given up as unknown, gives up the later batches that may be appended and sends the refused ones under the next epoch', async () => {
    const { cluster, written } = await onTheWire(3, options({ retries: 1 }));
    const [a, b, c] = cluster.requests.slice(1);
    // a: its answer lost, then lost again with no retry left: unknown, and the partition's sequence is in doubt.
    a!.fail(new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 8) timed out'));
    b!.fail(reset());
    c!.answer({ 't:0': outOfOrder() });
    await settle();
    cluster.requests[4]!.fail(new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 8) timed out'));
    await settle();
    // b may be in the log (its answer was lost): it cannot go under new numbers. c was refused: it goes, at sequence 0.
    expect(cluster.requests.slice(5).map((r) => fields(r.batches[0]!))).toEqual(['t:0 e1 s0 n1']);
    cluster.requests[5]!.answer({ 't:0': 70n });
    expect((await Promise.all(written)).map(shown)).toEqual([['unknown'], ['unknown'], ['70']]);
  });

  it('after a batch certainly not appended, sends the later ones under the next epoch, even those whose answers were lost', async () => {
    const { cluster, written } = await onTheWire(2, options());
    cluster.requests[1]!.answer({ 't:0': protocol('INVALID_RECORD', 87, false) });
    cluster.requests[2]!.fail(reset());
    await settle();
    expect(cluster.requests.slice(3).map((r) => fields(r.batches[0]!))).toEqual(['t:0 e1 s0 n1']);
    cluster.requests[3]!.answer({ 't:0': 5n });
    expect((await Promise.all(written)).map(shown)).toEqual([['failed'], ['5']]);
  });

  it('sends a batch refused as too large again as halves, under its own sequence numbers, before the batches sent after it', async () => {
    const cluster = fakeCluster();
    const sender = new Sender(cluster.ports, { producerId: 7n, producerEpoch: 0 }, options());
    await prove(cluster, sender);
    const big = write(sender, 't', 0, ['a', 'b', 'c', 'd', 'e']);
    await settle();
    const after = write(sender, 't', 0, ['f']);
    await settle();
    expect(cluster.requests.slice(1).map((r) => fields(r.batches[0]!))).toEqual(['t:0 e0 s0 n5', 't:0 e0 s5 n1']);
    cluster.requests[1]!.answer({ 't:0': tooLarge() });
    // The batch after it is refused for the gap; it keeps its numbers and waits for the halves.
    cluster.requests[2]!.answer({ 't:0': outOfOrder() });
    await settle();
    expect(cluster.requests.slice(3).map((r) => fields(r.batches[0]!))).toEqual(['t:0 e0 s0 n3']);
    // The first half is still too large: it is halved again.
    cluster.requests[3]!.answer({ 't:0': tooLarge() });
    const sent: string[] = [];
    for (let i = 4, offset = 10n; i < 8; i++) {
      await settle();
      expect(cluster.requests).toHaveLength(i + 1);
      const batch = cluster.requests[i]!.batches[0]!;
      sent.push(`${fields(batch)} ${(await values(batch)).join('')}`);
      cluster.requests[i]!.answer({ 't:0': offset });
      offset += BigInt(batch.count);
    }
    expect(sent).toEqual(['t:0 e0 s0 n2 ab', 't:0 e0 s2 n1 c', 't:0 e0 s3 n2 de', 't:0 e0 s5 n1 f']);
    expect([shown(await big), shown(await after)]).toEqual([['10', '11', '12', '13', '14'], ['15']]);
    // Later batches of the partition take at most half the bytes of the smallest batch refused (3 records of 34).
    const later = write(sender, 't', 0, ['g', 'h', 'i']);
    await settle();
    expect(cluster.requests.slice(8).map((r) => fields(r.batches[0]!))).toEqual(['t:0 e0 s6 n1', 't:0 e0 s7 n1', 't:0 e0 s8 n1']);
    cluster.requests.slice(8).forEach((r, i) => r.answer({ 't:0': BigInt(16 + i) }));
    expect(shown(await later)).toEqual(['16', '17', '18']);
  });

  it('fails a lone record refused as too large with EVENT_TOO_LARGE naming its size and the limit, and the next batch starts the next epoch', async () => {
    const cluster = fakeCluster();
    const sender = new Sender(cluster.ports, { producerId: 7n, producerEpoch: 0 }, options());
    const [result] = await (async () => {
      const written = write(sender, 't', 0, ['x'.repeat(100)]);
      await settle();
      cluster.requests[0]!.answer({ 't:0': tooLarge() });
      return written;
    })();
    expect(result).toMatchObject({ ok: false, outcome: 'failed', attempts: [{ sent: true }] });
    const error = result!.ok ? undefined : result!.error;
    expect(isTributaryError(error, 'EVENT_TOO_LARGE')).toBe(true);
    const size = cluster.requests[0]!.batches[0]!.bytes.length;
    expect((error as TributaryError).context).toEqual({ topic: 't', partition: 0, size, limit: 10_000 });
    expect((error as Error).message).toContain(`${size} bytes`);
    expect((error as Error).message).toContain('max.message.bytes is 10000');
    const next = write(sender, 't', 0, ['ok']);
    await settle();
    expect(fields(cluster.requests[1]!.batches[0]!)).toBe('t:0 e1 s0 n1');
    cluster.requests[1]!.answer({ 't:0': 0n });
    expect(shown(await next)).toEqual(['0']);
  });

  it('without idempotence, keeps one batch of a partition on the wire and sends a failed one again before the next', async () => {
    const cluster = fakeCluster();
    const sender = new Sender(cluster.ports, { producerId: -1n, producerEpoch: -1 }, options({ acks: 1 }));
    await prove(cluster, sender);
    const first = write(sender, 't', 0, ['a']);
    await settle();
    const second = write(sender, 't', 0, ['b']);
    write(sender, 't', 1, ['c']);
    await settle();
    expect(cluster.requests.slice(1).map((r) => r.batches.map(fields))).toEqual([['t:0 e-1 s-1 n1'], ['t:1 e-1 s-1 n1']]);
    cluster.requests[1]!.answer({ 't:0': protocol('NOT_ENOUGH_REPLICAS', 19, true) });
    await settle();
    expect(cluster.requests.slice(3).map((r) => r.batches.map((b) => b.bytes.subarray(61).toString('latin1').includes('a')))).toEqual([[true]]);
    cluster.requests[3]!.answer({ 't:0': 1n });
    await settle();
    cluster.requests[4]!.answer({ 't:0': 2n });
    expect([shown(await first), shown(await second)]).toEqual([['1'], ['2']]);
  });

  it('gives up a batch no leader is known for once deliveryTimeoutMs has passed, failed and never sent, reading the metadata again meanwhile', async () => {
    const cluster = fakeCluster({ 't:0': undefined });
    const sender = new Sender(cluster.ports, { producerId: 7n, producerEpoch: 0 }, options({ deliveryTimeoutMs: 300 }));
    const [result] = await write(sender, 't', 0, ['x']);
    expect(result).toMatchObject({ ok: false, outcome: 'failed', attempts: [{ sent: false }] });
    expect(isTributaryError(result!.ok ? undefined : result!.error, 'TIMEOUT')).toBe(true);
    expect(cluster.refreshes()).toBeGreaterThan(0);
    expect(cluster.requests).toHaveLength(0);
  });

  it('fails a batch that cannot be encoded (its compression fails) with ENCODE_FAILED, sending nothing', async () => {
    const cluster = fakeCluster();
    // Codec 5 is no Kafka codec: compressing the batch fails when it is first sent.
    const sender = new Sender(cluster.ports, { producerId: 7n, producerEpoch: 0 }, options({ compression: 5 }));
    const [result] = await write(sender, 't', 0, ['x']);
    expect(result).toMatchObject({ ok: false, outcome: 'failed', attempts: [{ sent: false }] });
    expect(isTributaryError(result!.ok ? undefined : result!.error, 'ENCODE_FAILED')).toBe(true);
    expect(cluster.requests).toHaveLength(0);
  });

  it('refuses a record whose timestamp is not whole milliseconds when it is appended, leaving the partition as it was', async () => {
    const cluster = fakeCluster();
    const sender = new Sender(cluster.ports, { producerId: 7n, producerEpoch: 0 }, options());
    const state = sender.partition('t', 0);
    expect(() => state.append({ key: null, value: null, headers: {}, timestamp: 'yesterday' }, 1, new Submission(1, () => {}), 0, Date.now(), 100)).toThrow(/timestamp "yesterday"/);
    expect(state.queue).toHaveLength(0);
    const next = write(sender, 't', 0, ['ok']);
    await settle();
    expect(cluster.requests.map((r) => fields(r.batches[0]!))).toEqual(['t:0 e0 s0 n1']);
    cluster.requests[0]!.answer({ 't:0': 0n });
    expect(shown(await next)).toEqual(['0']);
  });
});

/** A sender whose connection is proven, with `count` one-record batches of partition 0 on the wire, one request each. */
async function onTheWire(count: number, opts: SenderOptions) {
  const cluster = fakeCluster();
  const sender = new Sender(cluster.ports, { producerId: 7n, producerEpoch: 0 }, opts);
  await prove(cluster, sender);
  const written: Array<Promise<WriteResult[]>> = [];
  for (let i = 0; i < count; i++) {
    written.push(write(sender, 't', 0, [`v${i}`]));
    await settle();
  }
  return { cluster, sender, written };
}

/** Have the broker answer one request on partition 9, so its connection carries up to five. */
async function prove(cluster: ReturnType<typeof fakeCluster>, sender: Sender): Promise<void> {
  const written = write(sender, 't', 9, ['warm-up']);
  await settle();
  cluster.requests.at(-1)!.answer({ 't:9': 0n });
  await written;
}
