import { describe, expect, inject, it } from 'vitest';
import { encodeEvent, jsonCodec } from '@tributary/core';
import { KafkaAdmin, KafkaWriter, partitionKey, readToEnd, silentLogger } from '@tributary/kafka';
import { testClient } from '@tributary/test-kit';
import {
  addBuiltinMessageTypes,
  ChainCommandMessage,
  CommandMessage,
  CommandProcessor,
  CommandSender,
  commandEvent,
  EchoCommandMessage,
  FailCommandMessage,
  followUpId,
  MessageRegistry,
  type CommandContext,
} from '@tributary/commands';
import { committedCommands, freshCommands, until } from '../support/commands.js';

const brokers = inject('kafkaBrokers');

/** Counts its runs by id, in the process: what a test of "not run twice" needs. */
const runs = new Map<string, number>();
class Counted extends CommandMessage {
  static readonly type = 'counted';
  constructor() {
    super(Counted.type);
  }
  execute(context: CommandContext): boolean {
    runs.set(context.id, (runs.get(context.id) ?? 0) + 1);
    return true;
  }
  toJSON(): unknown {
    return {};
  }
  static fromJSON(): Counted {
    return new Counted();
  }
}

function registry(): MessageRegistry {
  const r = addBuiltinMessageTypes(new MessageRegistry({ logger: silentLogger }));
  r.addMessageType(Counted);
  return r;
}

describe('the command processor against a real broker', () => {
  it("runs Scale's built-ins: echo, chain with its follow-up, fail retried then dead-lettered with its reason", async () => {
    const { topic, groupId } = await freshCommands(brokers);
    await using sender = new CommandSender({ connection: { brokers, logger: silentLogger }, topic });
    const [echo, chain, fail] = await sender.sendMessages([new EchoCommandMessage('hello'), new ChainCommandMessage('and then'), new FailCommandMessage()]);
    await using processor = new CommandProcessor({ connection: { brokers, logger: silentLogger }, groupId, topic, logger: silentLogger, dedupe: 'memory', retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 } });
    await processor.start();
    await until(async () => (await readToEnd({ brokers }, `${topic}.DLT`)).length === 1 && processor.counters.executed === 3);
    const events = await committedCommands(brokers, topic);
    const followUp = events.find((e) => e.id === followUpId(chain!.id, 0))!;
    expect(followUp).toBeDefined();
    expect(followUp.payload).toEqual({ type: 'echo', body: { message: 'and then' } });
    expect(followUp.headers).toMatchObject({ 'command-correlation-id': chain!.id, 'command-causation-id': chain!.id });
    expect(events.filter((e) => e.category === 'command.echo').map((e) => e.id).sort()).toEqual([echo!.id, followUp.id].sort());
    // fail: three attempts, no follow-up, then the dead-letter topic with the reason.
    expect(processor.counters.failures).toBe(3);
    const [dead] = await readToEnd({ brokers }, `${topic}.DLT`);
    expect(dead!.headers['tributary-id']?.toString()).toBe(fail!.id);
    expect(Object.entries(dead!.headers).map(([k, v]) => `${k}=${v.toString()}`).join('\n')).toMatch(/returned false/);
  });

  it('does not run a redelivered message twice: the Kafka dedupe store is shared by every processor of the group', async () => {
    const { topic, groupId } = await freshCommands(brokers);
    const message = commandEvent(new Counted());
    // The same message written three times: a producer retry, a re-send, a replay.
    await using writer = new KafkaWriter(testClient(brokers));
    const record = await encodeEvent(message, jsonCodec, topic);
    for (let i = 0; i < 3; i++) await writer.write([{ topic, record, size: record.value.length }]);
    const first = new CommandProcessor({ connection: { brokers, logger: silentLogger }, groupId, topic, registry: registry(), logger: silentLogger });
    await first.start();
    await until(() => first.counters.executed + first.counters.duplicates === 3);
    await first.stop();
    expect(runs.get(message.id)).toBe(1);
    expect(first.counters.duplicates).toBe(2);
    // Another processor, in another group reading the same topic from the start, knows them all from the topic.
    await using second = new CommandProcessor({ connection: { brokers, logger: silentLogger }, groupId: `${groupId}-again`, topic, registry: registry(), logger: silentLogger });
    await second.start();
    await until(() => second.counters.duplicates === 3);
    expect(runs.get(message.id)).toBe(1);
  });

  it('with transactions, a chain ten deep publishes each follow-up once to read_committed readers', async () => {
    const { topic, groupId } = await freshCommands(brokers);
    class Countdown extends CommandMessage {
      static readonly type = 'countdown';
      constructor(readonly left: number) {
        super(Countdown.type);
      }
      execute(): boolean {
        if (this.left > 0) this.newMessages = [new Countdown(this.left - 1)];
        return true;
      }
      toJSON(): unknown {
        return { left: this.left };
      }
      static fromJSON(body: unknown): Countdown {
        return new Countdown((body as { left: number }).left);
      }
    }
    const r = registry();
    r.addMessageType(Countdown);
    await using sender = new CommandSender({ connection: { brokers, logger: silentLogger }, topic });
    const [root] = await sender.sendMessages([new Countdown(9)]);
    await using processor = new CommandProcessor({ connection: { brokers, logger: silentLogger }, groupId, topic, registry: r, logger: silentLogger, transactions: { transactionalId: `${groupId}-worker-1` } });
    await processor.start();
    await until(() => processor.counters.executed === 10);
    const events = await committedCommands(brokers, topic);
    expect(events).toHaveLength(10);
    expect(new Set(events.map((e) => e.headers['command-correlation-id']))).toEqual(new Set([root!.id]));
    expect(events.map((e) => (e.payload as { body: { left: number } }).body.left).sort((a, b) => b - a)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });

  it('with transactions, a command failing mid-batch holds the commit at it, its predecessors committed, then is dead-lettered', async () => {
    const { topic, groupId } = await freshCommands(brokers, 1);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    class Gate extends CommandMessage {
      static readonly type = 'gate';
      constructor() {
        super(Gate.type);
      }
      async execute(): Promise<boolean> {
        await released;
        return false;
      }
      toJSON(): unknown {
        return {};
      }
      static fromJSON(): Gate {
        return new Gate();
      }
    }
    const r = registry();
    r.addMessageType(Gate);
    await using sender = new CommandSender({ connection: { brokers, logger: silentLogger }, topic });
    const [a, b, gate, c] = await sender.sendMessages([new ChainCommandMessage('a'), new ChainCommandMessage('b'), new Gate(), new ChainCommandMessage('c')]);
    await using processor = new CommandProcessor({
      connection: { brokers, logger: silentLogger }, groupId, topic, registry: r, logger: silentLogger,
      transactions: { transactionalId: `${groupId}-worker` }, retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 },
    });
    await using admin = new KafkaAdmin(testClient(brokers));
    const committedOffset = async () => (await admin.groupOffsets(groupId, [topic])).get(partitionKey(topic, 0));
    const echoIds = async () => (await committedCommands(brokers, topic)).filter((e) => e.category === 'command.echo').map((e) => e.id);
    await processor.start();
    // The gate's first attempt hangs: the commands before it are committed with their follow-ups, not past it.
    await until(async () => (await echoIds()).length === 2);
    expect((await echoIds()).sort()).toEqual([followUpId(a!.id, 0), followUpId(b!.id, 0)].sort());
    await until(async () => (await committedOffset()) === gate!.offset);
    expect(processor.counters.executed).toBe(2);
    release();
    // Then the gate is dead-lettered, c runs, and so do the three echoes the chains led to.
    await until(async () => processor.counters.executed === 6 && (await admin.lag(groupId, [topic])).every((l) => l.lag === 0n));
    const [dead] = await readToEnd({ brokers }, `${topic}.DLT`);
    expect(dead!.headers['tributary-id']?.toString()).toBe(gate!.id);
    expect(processor.counters.failures).toBe(3);
    const ids = await echoIds();
    expect(ids.sort()).toEqual([a, b, c].map((m) => followUpId(m!.id, 0)).sort());
  });
});
