import { KafkaJSConnectionError, KafkaJSProtocolError, KafkaJSRequestTimeoutError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isTributaryError } from '@tributary/core';
import { sendPartitionRequest, type PartitionProduce, type PartitionRequestOptions, type ProducePorts } from '../../src/producer/partition-request.js';
import { ProducerSession } from '../../src/producer/producer-session.js';

const protocol = (type: string, code: number, retriable: boolean) => Object.assign(new KafkaJSProtocolError(`broker said ${type}`), { type, code, retriable });
const notLeader = () => protocol('NOT_LEADER_FOR_PARTITION', 6, true);
const notEnoughReplicas = () => protocol('NOT_ENOUGH_REPLICAS', 19, true);
const reset = () => new KafkaJSConnectionError('Connection error: read ECONNRESET');
const refused = () => new KafkaJSConnectionError('Failed to connect: connect ECONNREFUSED 127.0.0.1:9092');

/** What one attempt meets: a leader that cannot be found or reached, or a leader that answers. */
type Step = { unreachable: Error } | { leader: number; answer: bigint | Error };

/** Ports that play `steps` in order and record what each attempt asked and sent. */
function scripted(steps: Step[]) {
  const lookups: boolean[] = [];
  const sent: Array<PartitionProduce & { leader: number }> = [];
  const ports: ProducePorts = {
    leader(_topic, _partition, refresh) {
      lookups.push(refresh);
      const step = steps.shift();
      if (!step) throw new Error('more attempts than scripted');
      if ('unreachable' in step) return Promise.reject(step.unreachable);
      return Promise.resolve({
        produce(request: PartitionProduce) {
          sent.push({ ...request, leader: step.leader });
          return typeof step.answer === 'bigint' ? Promise.resolve(step.answer) : Promise.reject(step.answer);
        },
      });
    },
  };
  return { ports, lookups, sent, left: () => steps.length };
}

const options = (more: Partial<PartitionRequestOptions> = {}): PartitionRequestOptions => ({
  acks: -1,
  timeoutMs: 1000,
  compression: 0,
  retries: 5,
  deliveryTimeoutMs: 60_000,
  sleep: () => Promise.resolve(),
  ...more,
});

const records = { topic: 't', partition: 2, records: ['a', 'b', 'c'].map((v) => ({ key: null, value: Buffer.from(v), headers: {}, timestamp: '1000' })) };

/** The producer id, epoch and first sequence in the header of the batch a request carried, and its record count. */
const producerFields = (r: PartitionProduce) => [String(r.batch.readBigInt64BE(43)), r.batch.readInt16BE(51), r.batch.readInt32BE(53), r.batch.readInt32BE(57)];

function session(): ProducerSession {
  const s = new ProducerSession('4711', 3);
  s.acknowledged('t', 2, 7);
  return s;
}

describe('sendPartitionRequest', () => {
  it('repeats a request whose answer was lost with the same producer id and sequence, and takes the offset the broker gives the repeat', async () => {
    const s = session();
    const { ports, sent } = scripted([
      { leader: 1, answer: reset() },
      { leader: 2, answer: 100n },
    ]);
    const result = await sendPartitionRequest(ports, s, records, options());
    expect(result).toEqual({ ok: true, base: 100n });
    expect(sent.map((r) => [r.leader, ...producerFields(r)])).toEqual([
      [1, '4711', 3, 7, 3],
      [2, '4711', 3, 7, 3],
    ]);
    // The batch is encoded once: the retry sends the very bytes of the first attempt.
    expect(sent[1]!.batch).toBe(sent[0]!.batch);
    expect(s.sequence('t', 2)).toBe(10);
  });

  it('looks the leader up again, with fresh metadata, before every retry, so a moved leader is found', async () => {
    const { ports, lookups, sent } = scripted([
      { leader: 1, answer: notLeader() },
      { unreachable: refused() },
      { leader: 3, answer: 42n },
    ]);
    const result = await sendPartitionRequest(ports, session(), records, options());
    expect(result).toEqual({ ok: true, base: 42n });
    expect(lookups).toEqual([false, true, true]);
    expect(sent.map((r) => r.leader)).toEqual([1, 3]);
  });

  it('is unknown when an attempt lost its answer, whatever the later attempts said, and leaves the sequence in doubt', async () => {
    const s = session();
    const { ports } = scripted([
      { leader: 1, answer: new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out') },
      { unreachable: refused() },
      { leader: 2, answer: notEnoughReplicas() },
    ]);
    const result = await sendPartitionRequest(ports, s, records, options({ retries: 2 }));
    expect(result).toMatchObject({ ok: false, outcome: 'unknown', sequenceInDoubt: true });
    expect(result.ok ? [] : result.attempts.map((a) => a.sent)).toEqual([true, false, true]);
    expect(s.sequence('t', 2)).toBe(7);
  });

  it('is failed when every attempt was refused before the append or never sent, and the sequence stays sure', async () => {
    const { ports } = scripted([
      { unreachable: refused() },
      { leader: 2, answer: notEnoughReplicas() },
      { unreachable: new KafkaJSConnectionError('Connection timeout') },
    ]);
    const result = await sendPartitionRequest(ports, session(), records, options({ retries: 2 }));
    expect(result).toMatchObject({ ok: false, outcome: 'failed', sequenceInDoubt: false });
    expect(result.ok ? undefined : result.error).toBeInstanceOf(KafkaJSConnectionError);
  });

  it('counts NOT_LEADER_OR_FOLLOWER as a possible append with acks all, as a refusal with acks 1', async () => {
    const all = await sendPartitionRequest(scripted([{ leader: 1, answer: notLeader() }]).ports, session(), records, options({ retries: 0 }));
    expect(all).toMatchObject({ ok: false, outcome: 'unknown' });
    const one = await sendPartitionRequest(scripted([{ leader: 1, answer: notLeader() }]).ports, ProducerSession.notIdempotent(), records, options({ retries: 0, acks: 1 }));
    expect(one).toMatchObject({ ok: false, outcome: 'failed', sequenceInDoubt: false });
  });

  it('stops at an answer that trying again cannot change', async () => {
    const tooLarge = scripted([{ leader: 1, answer: protocol('MESSAGE_TOO_LARGE', 10, false) }, { leader: 1, answer: 0n }]);
    expect(await sendPartitionRequest(tooLarge.ports, session(), records, options())).toMatchObject({ ok: false, outcome: 'failed', sequenceInDoubt: false });
    expect(tooLarge.left()).toBe(1);
    const typeError = scripted([{ leader: 1, answer: new TypeError('cannot read properties of undefined') }, { leader: 1, answer: 0n }]);
    expect(await sendPartitionRequest(typeError.ports, session(), records, options())).toMatchObject({ ok: false, outcome: 'unknown' });
    expect(typeError.left()).toBe(1);
  });

  it('gives up on a sequence the broker disowns and asks for a new session', async () => {
    const { ports, left } = scripted([{ leader: 1, answer: protocol('OUT_OF_ORDER_SEQUENCE_NUMBER', 45, false) }, { leader: 1, answer: 0n }]);
    expect(await sendPartitionRequest(ports, session(), records, options())).toMatchObject({ ok: false, outcome: 'failed', sequenceInDoubt: true });
    expect(left()).toBe(1);
  });

  it('starts no attempt after deliveryTimeoutMs, with no limit on the count otherwise', async () => {
    let clock = 0;
    const steps: Step[] = Array.from({ length: 50 }, () => ({ unreachable: refused() }));
    const { ports, left } = scripted(steps);
    const result = await sendPartitionRequest(ports, session(), records, {
      ...options({ retries: Number.POSITIVE_INFINITY, deliveryTimeoutMs: 5000 }),
      now: () => clock,
      sleep: (ms) => {
        clock += ms;
        return Promise.resolve();
      },
    });
    expect(result).toMatchObject({ ok: false, outcome: 'failed' });
    // 100 + 200 + 400 + 800 + 1000 + 1000 + 1000 = 4500 ms of waits; one more would pass 5000.
    expect(50 - left()).toBe(8);
  });

  it('sends nothing and is failed, with ENCODE_FAILED, for records that cannot be encoded', async () => {
    const { ports, lookups } = scripted([{ leader: 1, answer: 0n }]);
    const bad = { ...records, records: [{ key: null, value: null, headers: {}, timestamp: 'yesterday' }] };
    const result = await sendPartitionRequest(ports, session(), bad, options());
    expect(result).toMatchObject({ ok: false, outcome: 'failed', sequenceInDoubt: false, attempts: [{ sent: false }] });
    expect(isTributaryError(result.ok ? undefined : result.error, 'ENCODE_FAILED')).toBe(true);
    expect(lookups).toEqual([]);
  });

  it('writes no producer into the batch of a session that is not idempotent (-1, as Java does)', async () => {
    const { ports, sent } = scripted([{ leader: 1, answer: 5n }]);
    await sendPartitionRequest(ports, ProducerSession.notIdempotent(), records, options({ acks: 1 }));
    expect(producerFields(sent[0]!)).toEqual(['-1', -1, -1, 3]);
  });

  it('never puts a session that is not idempotent in doubt', async () => {
    const { ports } = scripted([{ leader: 1, answer: reset() }]);
    expect(await sendPartitionRequest(ports, ProducerSession.notIdempotent(), records, options({ retries: 0, acks: 1 }))).toMatchObject({ ok: false, outcome: 'unknown', sequenceInDoubt: false });
  });
});
