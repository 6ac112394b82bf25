import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ErrorCodes, Event, FailedToSendEventError, isTributaryError, PluginConfigError } from '@tributary/core';
import { createTopics, freePort, randomTopic, startKafkaCluster, type KafkaCluster } from '@tributary/test-kit';
import { readToEnd } from '@tributary/kafka';
import { KafkaProducerPlugin } from '../../src/kafka/kafka-producer-plugin.js';

const brokers = inject('kafkaBrokers');

async function sendError(promise: Promise<unknown>): Promise<FailedToSendEventError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(FailedToSendEventError);
  return error as FailedToSendEventError;
}

describe('kafka plugin: bad input never reaches the broker', () => {
  it('rejects settings with the dotted path of the bad one', () => {
    const make = (settings: object) => () => new KafkaProducerPlugin({ topic: 't', brokers, ...settings } as never);
    expect(make({ brokers: ['no-port'] })).toThrow(PluginConfigError);
    expect(make({ brokers: ['no-port'] })).toThrow(/brokers\[0\]/);
    expect(make({ compression: 'brotli' })).toThrow(/compression/);
    expect(make({ acks: 1 })).toThrow(/idempotent/);
    expect(make({ lingerMs: -1 })).toThrow(/lingerMs/);
    expect(make({ batchSize: 100 })).toThrow(/batchSize/);
    expect(make({ maxInFlightRequests: 6 })).toThrow(/maxInFlightRequests/);
    // Java's names, and the old name of batchSize still read.
    expect(make({ lingerMs: 5, batchSize: 65_536, maxInFlightRequests: 1 })).not.toThrow();
    expect(make({ maxBatchBytes: 65_536 })).not.toThrow();
  });

  it('fails an oversized event before sending, naming its size and the limit, and sends the rest of nothing', async () => {
    const topic = randomTopic('oversized');
    await createTopics(brokers, [{ topic, numPartitions: 1 }]);
    await using plugin = new KafkaProducerPlugin({ topic, brokers, maxEventBytes: 2000 });
    await plugin.open();
    const small = Event.create({ category: 'size.small', payload: 'ok' });
    const big = Event.create({ category: 'size.big', payload: 'x'.repeat(5000) });
    const error = await sendError(plugin.send([small, big]));
    const bigOutcome = error.outcomes[1]!;
    expect(bigOutcome.status).toBe('failed');
    expect(isTributaryError((bigOutcome as { error: unknown }).error, ErrorCodes.EVENT_TOO_LARGE)).toBe(true);
    expect(String((bigOutcome as { error: Error }).error.message)).toMatch(/2000/);
    expect(error.outcomes[0]!.status).toBe('failed');
    expect(await readToEnd({ brokers }, topic)).toHaveLength(0);
  });

  it('fails a payload that cannot be serialized, with the event marked failed', async () => {
    const topic = randomTopic('unserializable');
    await createTopics(brokers, [{ topic, numPartitions: 1 }]);
    await using plugin = new KafkaProducerPlugin({ topic, brokers });
    await plugin.open();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const error = await sendError(plugin.send(Event.create({ category: 'bad.payload', payload: { big: 10n } })));
    expect(error.outcomes[0]!.status).toBe('failed');
    const error2 = await sendError(plugin.send(Event.create({ category: 'bad.payload', payload: cyclic })));
    expect(error2.outcomes[0]!.status).toBe('failed');
    expect(await readToEnd({ brokers }, topic)).toHaveLength(0);
  });

  it('rejects an invalid category when the event is made', () => {
    expect(() => Event.create({ category: 'bad..category', payload: 1 })).toThrow(/bad\.\.category/);
  });
});

describe('kafka plugin: broker faults', () => {
  it('fails open() after bounded retries when no broker listens, with a retriable CONNECTION error', async () => {
    const port = await freePort();
    const plugin = new KafkaProducerPlugin({ topic: 'x', brokers: [`127.0.0.1:${port}`], connectRetries: 1, connectionTimeoutMs: 500 });
    const started = Date.now();
    const error = await plugin.open().then(() => undefined, (e: unknown) => e);
    expect(isTributaryError(error, ErrorCodes.CONNECTION)).toBe(true);
    expect((error as { retriable: boolean }).retriable).toBe(true);
    expect((error as Error).message).toContain(String(port));
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  describe('with a broker stopped mid-send', () => {
    let cluster: KafkaCluster;
    beforeAll(async () => {
      cluster = await startKafkaCluster();
    });
    afterAll(async () => {
      await cluster?.stop();
    });

    it('reports events failed or unknown, never drops one silently, and sends again once the broker is back', async () => {
      const topic = randomTopic('outage');
      await createTopics(cluster.brokers, [{ topic, numPartitions: 3 }]);
      const plugin = new KafkaProducerPlugin({ topic, brokers: cluster.brokers, connectRetries: 2, requestTimeoutMs: 3000 });
      await plugin.open();
      const acknowledged = new Set<string>();
      const unknown = new Set<string>();
      const failed = new Set<string>();
      const sendSome = async (n: number, tag: string) => {
        const events = Array.from({ length: n }, (_, i) => Event.create({ category: `outage.${tag}`, payload: { i } }));
        try {
          for (const e of await plugin.send(events)) acknowledged.add(e.id);
        } catch (error) {
          expect(error).toBeInstanceOf(FailedToSendEventError);
          for (const o of (error as FailedToSendEventError).outcomes) {
            (o.status === 'ok' ? acknowledged : o.status === 'unknown' ? unknown : failed).add(o.event.id);
          }
        }
      };
      await sendSome(50, 'before');
      const inFlight = [sendSome(20, 'during1'), sendSome(20, 'during2')];
      await cluster.nodes[0]!.kill();
      await Promise.all(inFlight);
      await sendSome(10, 'down');
      expect(failed.size + unknown.size).toBeGreaterThanOrEqual(10);

      await cluster.nodes[0]!.start();
      let resumed = false;
      for (let attempt = 0; attempt < 30 && !resumed; attempt++) {
        const before = acknowledged.size;
        await sendSome(5, 'after');
        resumed = acknowledged.size === before + 5;
        if (!resumed) await new Promise((r) => setTimeout(r, 1000));
      }
      expect(resumed).toBe(true);
      await plugin.close();

      const logged = new Set((await readToEnd({ brokers: cluster.brokers }, topic)).map((r) => r.headers['tributary-id']!.toString()));
      const lost = [...acknowledged].filter((id) => !logged.has(id));
      const failedButWritten = [...failed].filter((id) => logged.has(id));
      expect({ lost, failedButWritten }).toEqual({ lost: [], failedButWritten: [] });
    });
  });
});
