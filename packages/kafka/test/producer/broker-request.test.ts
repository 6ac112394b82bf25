import { KafkaJSConnectionError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isTributaryError } from '@tributary/core';
import { BrokerRequests, type SendProduce } from '../../src/producer/broker-request.js';
import type { ProducePartitionResponse } from '../../src/protocol/produce-protocol.js';

const answer = (topic: string, partition: number, errorCode = 0, baseOffset = 0n): ProducePartitionResponse => ({
  topic,
  partition,
  errorCode,
  baseOffset,
  logAppendTimeMs: -1n,
  logStartOffset: 0n,
  recordErrors: [],
  errorMessage: null,
});

/** A broker that records each request's partitions and answers as `respond` says. */
function broker(respond: (partitions: Array<[string, number]>) => Promise<ProducePartitionResponse[] | undefined>) {
  const requests: Array<Array<[string, number]>> = [];
  const send: SendProduce = (request) => {
    const partitions = request.partitions.map((p): [string, number] => [p.topic, p.partition]);
    requests.push(partitions);
    return respond(partitions);
  };
  return { requests, requestsOf: new BrokerRequests(send) };
}

const batch = (topic: string, partition: number) => ({ topic, partition, records: Buffer.from([partition]) });

describe('BrokerRequests', () => {
  it("carries every partition asked in one turn in one request, and gives each partition its own answer", async () => {
    const { requests, requestsOf } = broker(async (ps) => ps.map(([t, p]) => (p === 2 ? answer(t, p, 19) : answer(t, p, 0, BigInt(p * 100)))));
    const answers = await Promise.all([0, 1, 2, 3].map((p) => requestsOf.produce(batch('t', p), -1, 1000)));
    expect(requests).toEqual([[['t', 0], ['t', 1], ['t', 2], ['t', 3]]]);
    expect(answers.map((a) => [a!.partition, a!.errorCode, a!.baseOffset])).toEqual([
      [0, 0, 0n],
      [1, 0, 100n],
      [2, 19, -0n],
      [3, 0, 300n],
    ]);
  });

  it('fails every partition of a request whose connection failed, and only those', async () => {
    let n = 0;
    const { requests, requestsOf } = broker(async (ps) => {
      if (n++ === 0) throw new KafkaJSConnectionError('Connection error: read ECONNRESET');
      return ps.map(([t, p]) => answer(t, p));
    });
    const first = await Promise.allSettled([requestsOf.produce(batch('t', 0), -1, 1000), requestsOf.produce(batch('u', 0), -1, 1000)]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await requestsOf.produce(batch('t', 0), -1, 1000)).toMatchObject({ topic: 't', partition: 0, errorCode: 0 });
    expect(requests).toEqual([[['t', 0], ['u', 0]], [['t', 0]]]);
  });

  it('puts a partition asked twice in one turn in a second request (one batch per partition per request)', async () => {
    const { requests, requestsOf } = broker(async (ps) => ps.map(([t, p]) => answer(t, p)));
    await Promise.all([requestsOf.produce(batch('t', 0), -1, 1000), requestsOf.produce(batch('t', 1), -1, 1000), requestsOf.produce(batch('t', 0), -1, 1000)]);
    expect(requests).toEqual([[['t', 0], ['t', 1]], [['t', 0]]]);
  });

  it('fails a partition the answer left out as a possible append, and resolves nothing with acks 0', async () => {
    const { requestsOf } = broker(async ([first]) => [answer(first![0], first![1])]);
    const [kept, left] = await Promise.allSettled([requestsOf.produce(batch('t', 0), -1, 1000), requestsOf.produce(batch('t', 1), -1, 1000)]);
    expect(kept.status).toBe('fulfilled');
    expect(left.status === 'rejected' && isTributaryError(left.reason, 'CONNECTION')).toBe(true);
    const silent = broker(async () => undefined);
    expect(await silent.requestsOf.produce(batch('t', 0), 0, 1000)).toBeUndefined();
  });
});
