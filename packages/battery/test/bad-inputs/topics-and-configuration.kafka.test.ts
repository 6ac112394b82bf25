// Unknown topics and bad configuration, through the public entry points a user calls: each refused with a typed
// error naming the topic or the option's path and what was expected, at construction for options (before anything
// connects), and the same component, or one beside it, working on a topic that exists afterwards.
//
// Already covered elsewhere, and not repeated here:
// - packages/consumer/test/group/consumer-group.kafka.test.ts "fails to start on a topic that does not exist";
// - each package's options tests (packages/*/test/**/options.test.ts, producer-plugins' kafka-faults "rejects
//   settings with the dotted path"), option by option.
// What this adds: every capability's constructor in one table with the path it must name, and unknown topics
// given to the producer, replay, the pull reader and the command sender, each followed by a working send or read.
import { describe, expect, inject, it } from 'vitest';
import { AvroCodec, Event, FailedToSendEventError, InMemorySchemaRegistry, isTributaryError, type TributaryError } from '@tributary/core';
import { KafkaClient, silentLogger } from '@tributary/kafka';
import { KafkaProducerPlugin } from '@tributary/producer-plugins';
import { randomTopic } from '@tributary/test-kit';
import { ConsumerGroup, createEventReader, kafkaReplaySource, replay } from '@tributary/consumer';
import { createMessaging, ensureMessagingTopics } from '@tributary/messaging';
import { createStreamGateway, createStreams, RemoteStream } from '@tributary/streams';
import { CommandProcessor, CommandSender, EchoCommandMessage, createChannelLayer } from '@tributary/commands';
import { expectExactly, freshTopic, publish } from './support/records.js';

const brokers = inject('kafkaBrokers');

/** What a constructor threw, or a failure naming the case when it threw nothing. */
function thrown(name: string, make: () => unknown): TributaryError {
  try {
    make();
  } catch (error) {
    return error as TributaryError;
  }
  throw new Error(`${name}: the bad option was accepted`);
}

/** What a promise rejected with, or `'no error'`; a call still pending after `ms` is reported as a hang. */
async function outcome(promise: Promise<unknown>, ms = 30_000): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise((resolve) => (timer = setTimeout(() => resolve(`still pending after ${ms} ms`), ms)));
  try {
    return await Promise.race([promise.then(() => 'no error', (e: unknown) => e), hang]);
  } finally {
    clearTimeout(timer);
  }
}

describe('bad configuration: refused at construction with the option path', () => {
  it('names the option and what was expected, for every capability, and connects to nothing', () => {
    // A port nothing listens on: a constructor that tried to connect would not fail this way, or this fast.
    const nowhere = { brokers: ['127.0.0.1:1'], logger: silentLogger };
    const handlers = { '#': () => {} };
    const cases: Array<[string, () => unknown, string]> = [
      ['client with no brokers', () => new KafkaClient({ brokers: [] }), 'brokers'],
      ['client with a bad SASL mechanism', () => new KafkaClient({ ...nowhere, sasl: { mechanism: 'md5', username: 'u', password: 'p' } as never }), 'sasl.mechanism'],
      ['producer with a broker without port', () => new KafkaProducerPlugin({ topic: 't', brokers: ['no-port'] }), 'brokers[0]'],
      ['producer with a bad topic name', () => new KafkaProducerPlugin({ topic: 'has space', brokers: nowhere.brokers }), 'topic'],
      ['producer with a negative maxEventBytes', () => new KafkaProducerPlugin({ topic: 't', brokers: nowhere.brokers, maxEventBytes: -1 }), 'maxEventBytes'],
      ['group with zero retry attempts', () => new ConsumerGroup({ ...nowhere, groupId: 'g', topics: ['t'], handlers, retry: { attempts: 0 } }), 'retry.attempts'],
      ['group with an invalid topic', () => new ConsumerGroup({ ...nowhere, groupId: 'g', topics: ['ok', 'not ok'], handlers }), 'topics[1]'],
      ['group with heartbeats slower than the session', () => new ConsumerGroup({ ...nowhere, groupId: 'g', topics: ['t'], handlers, sessionTimeoutMs: 6000, heartbeatIntervalMs: 6000 }), 'heartbeatIntervalMs'],
      ['group with a bad category pattern', () => new ConsumerGroup({ ...nowhere, groupId: 'g', topics: ['t'], handlers: { 'order..placed': () => {} } }), 'handlers["order..placed"]'],
      ['group with a bad client id type', () => new ConsumerGroup({ ...nowhere, clientId: 42 as never, groupId: 'g', topics: ['t'], handlers }), 'clientId'],
      ['messaging with a session timeout under two heartbeats', () => createMessaging({ connection: nowhere, heartbeatMs: 1000, sessionTimeoutMs: 1500 }), 'sessionTimeoutMs'],
      ['messaging with a bad prefix', () => createMessaging({ connection: nowhere, prefix: 'a b' }), 'prefix'],
      ['messaging with bad connection options', () => createMessaging({ connection: { brokers: ['x:y'] } }), 'connection.brokers[0]'],
      ['streams with a bad maxQueued', () => createStreams({ connection: nowhere, maxQueued: 0 } as never), 'maxQueued'],
      ['gateway with a bad maxLineBytes', () => createStreamGateway(createStreams({ connection: nowhere }), { maxLineBytes: 0 }), 'maxLineBytes'],
      ['gateway with a bad port', () => createStreamGateway(createStreams({ connection: nowhere }), { port: 70_000 }), 'port'],
      ['command processor with no group', () => new CommandProcessor({ connection: nowhere, groupId: '', topic: 't' }), 'groupId'],
      ['command processor with a bad dedupe', () => new CommandProcessor({ connection: nowhere, groupId: 'g', topic: 't', dedupe: 'redis' as never }), 'dedupe'],
      ['command sender with a bad batch size', () => new CommandSender({ connection: nowhere, topic: 't', batchSize: 0 }), 'batchSize'],
      ['channel layer with a bad prefix', () => createChannelLayer({ connection: nowhere, prefix: '' } as never), 'prefix'],
      ['Avro codec with a subject not <topic>-value', () => new AvroCodec({ registry: new InMemorySchemaRegistry(), schemas: { orders: { type: 'string' } } }), 'schemas["orders"]'],
    ];
    const got = cases.map(([name, make, path]) => {
      let error: unknown;
      try {
        error = thrown(name, make);
      } catch (accepted) {
        return { name, problem: (accepted as Error).message };
      }
      if (error instanceof Promise) return { name, problem: 'returned a promise' };
      if (!isTributaryError(error)) return { name, problem: `untyped: ${String(error)}` };
      const named = String(error.context.option ?? error.context.path ?? '');
      return { name, code: error.code, path: named === path ? path : `${named} (message: ${error.message})`, messageNamesIt: error.message.includes(path.replace(/\[.*$/, '')) };
    });
    expect(got).toEqual(cases.map(([name, , path]) => ({ name, code: expect.stringMatching(/^(INVALID_ARGUMENT|PLUGIN_CONFIG)$/), path, messageNamesIt: true })));
  });

  it('refuses a gateway client without a port before connecting', async () => {
    await expect(RemoteStream.connect({} as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', context: { option: 'port' }, message: expect.stringContaining('port') });
  });
});

describe('unknown topics: a typed error naming the topic, and the next call on a topic that exists works', () => {
  it('the producer fails events for a missing topic as failed (never auto-created) and sends the next ones', async () => {
    const missing = randomTopic('missing');
    const topic = await freshTopic(brokers, 'present', 1);
    await using plugin = new KafkaProducerPlugin({ topic, brokers, requestTimeoutMs: 5000 });
    await plugin.open();
    const before = await plugin.send(Event.create({ category: 'topic.test', payload: 1 }));
    const error = await outcome(plugin.send(Event.create({ category: 'topic.test', payload: 2 }), { topic: missing }));
    expect(error).toBeInstanceOf(FailedToSendEventError);
    const sent = (error as FailedToSendEventError).outcomes[0]!;
    expect(sent.status).toBe('failed');
    expect(String((sent as { error: Error }).error.message)).toContain(missing);
    const after = await plugin.send(Event.create({ category: 'topic.test', payload: 3 }));
    const read: Event[] = [];
    for await (const e of replay({ source: kafkaReplaySource({ brokers }), topic })) read.push(e);
    expectExactly(read.map((e) => e.id), [before.id, after.id]);
  });

  it('replay, the pull reader and the command sender name a missing topic, typed, and read or send on one that exists', async () => {
    const missing = randomTopic('missing');
    const topic = await freshTopic(brokers, 'present', 2);
    const sent = await publish(brokers, topic, Array.from({ length: 6 }, (_, i) => Event.create({ category: 'topic.test', key: `k${i}`, payload: i })));

    const replayed = await outcome((async () => {
      for await (const _ of replay({ source: kafkaReplaySource({ brokers }), topic: missing })) break;
    })());
    const reader = createEventReader({ source: kafkaReplaySource({ brokers }), topic: missing, idleTimeoutMs: 300 });
    const pulled = await outcome((async () => {
      for await (const _ of reader.events()) break;
    })());
    await reader.close();
    await using sender = new CommandSender({ connection: { brokers, logger: silentLogger, requestTimeoutMs: 5000 }, topic: missing });
    const commanded = await outcome(sender.sendMessages([new EchoCommandMessage('hello')]));
    const summary = [replayed, pulled, commanded].map((e) => (isTributaryError(e) ? { code: e.code, namesTopic: e.message.includes(missing) } : String(e)));
    expect(summary).toEqual([
      { code: 'INVALID_ARGUMENT', namesTopic: true },
      { code: 'INVALID_ARGUMENT', namesTopic: true },
      { code: 'INVALID_ARGUMENT', namesTopic: true },
    ]);

    const read: Event[] = [];
    await using good = createEventReader({ source: kafkaReplaySource({ brokers }), topic, idleTimeoutMs: 500 });
    for await (const e of good.events()) read.push(e);
    expectExactly(read.map((e) => e.id), sent.map((e) => e.id));
  });

  it('request/response and streams on a prefix whose topics were never made fail typed, naming the topic, and work once they exist', async () => {
    const prefix = randomTopic('unmade');
    const messaging = createMessaging({ connection: { brokers, logger: silentLogger, requestTimeoutMs: 5000 }, prefix, logger: silentLogger, heartbeatMs: 500, sessionTimeoutMs: 3000 });
    const opened = await outcome(messaging.openSession());
    expect(isTributaryError(opened) ? { code: opened.code, namesTopic: opened.message.includes(`${prefix}.`) } : String(opened)).toEqual({ code: 'INVALID_ARGUMENT', namesTopic: true });
    await messaging.close();

    const streams = createStreams({ connection: { brokers, logger: silentLogger, requestTimeoutMs: 5000 }, prefix, logger: silentLogger });
    const put = await outcome(streams.put('s', 1));
    expect(isTributaryError(put) ? { code: put.code, namesTopic: put.message.includes(`${prefix}.`) } : String(put)).toEqual({ code: 'INVALID_ARGUMENT', namesTopic: true });
    await streams.closeHub();

    await ensureMessagingTopics({ brokers }, { prefix, inboxPartitions: 1 });
    const working = createMessaging({ connection: { brokers, logger: silentLogger }, prefix, logger: silentLogger, heartbeatMs: 500, sessionTimeoutMs: 3000 });
    try {
      const server = await working.openSession();
      await server.addRequestHandler('echo', (x: string) => x, { addressed: true, requestType: 'string', responseType: 'string' });
      const client = await working.openSession();
      expect(await client.sendRequestToSession('echo', server.id, 'still here', { requestType: 'string', responseType: 'string', timeout: 20_000 })).toBe('still here');
    } finally {
      await working.close();
    }
  });
});
