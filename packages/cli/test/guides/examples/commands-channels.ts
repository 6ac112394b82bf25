// Command messages: a type of your own that publishes a follow-up, run by a processor (a consumer group).
// Channels: Django Channels' layer on Kafka, with a group that fans a message out to every member.
import { randomUUID } from 'node:crypto';
import { ensureTopics, silentLogger } from '@tributary/kafka';
import { ensureMessagingTopics } from '@tributary/messaging';
import {
  CommandMessage,
  CommandProcessor,
  CommandSender,
  EchoCommandMessage,
  MessageRegistry,
  addBuiltinMessageTypes,
  createChannelLayer,
  ensureChannelTopics,
  type CommandContext,
} from '@tributary/commands';

const connection = { brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',') };
const id = randomUUID().slice(0, 8);

/** Reserve stock for an order; on success, an echo follow-up reports it (it keeps this command's correlation id). */
class ReserveStock extends CommandMessage {
  static readonly type = 'reserve-stock';
  constructor(readonly sku: string, readonly quantity: number) {
    super(ReserveStock.type);
  }
  execute(context: CommandContext): boolean {
    // Must be idempotent: delivery is at least once.
    this.newMessages.push(new EchoCommandMessage(`reserved ${this.quantity} x ${this.sku} (correlation ${context.correlationId.slice(0, 8)})`));
    return true; // false or a throw: retried, then dead-lettered with the reason
  }
  toJSON(): unknown {
    return { sku: this.sku, quantity: this.quantity };
  }
  static fromJSON(body: unknown): ReserveStock {
    const { sku, quantity } = body as { sku: string; quantity: number };
    return new ReserveStock(sku, quantity);
  }
}

const topic = `guide-commands-${id}`;
await ensureTopics(connection, [{ topic, partitions: 2 }, { topic: `${topic}.DLT`, partitions: 1 }]);
const registry = addBuiltinMessageTypes(new MessageRegistry()); // echo, chain, fail
registry.addMessageType(ReserveStock);

await using sender = new CommandSender({ connection, topic });
const [sent] = await sender.sendMessages([new ReserveStock('A-1', 2)]);
console.log(`sent ${sent!.type} ${sent!.id}`);

const echoed: string[] = [];
// The built-in echo logs its message at info: a logger of our own collects them (pino fits too).
const logger = { ...silentLogger, info: (o: Record<string, unknown>, msg: string) => void (msg === 'echo' && echoed.push(String(o.message))) };
await using processor = new CommandProcessor({ connection, groupId: `guide-workers-${id}`, topic, registry, dedupe: 'memory', logger });
await processor.start();
for (const deadline = Date.now() + 30_000; processor.counters.executed < 2 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
console.log(`processor ran ${processor.counters.executed} commands (${processor.counters.followUps} follow-up): ${echoed.join('; ')}`);

// Channels: each layer stands for a process; a channel belongs to the layer that made it.
const messagingPrefix = `guide-channels-msg-${id}`;
const prefix = `guide-channels-${id}`;
await ensureMessagingTopics(connection, { prefix: messagingPrefix, inboxPartitions: 2 });
await ensureChannelTopics(connection, { prefix });
const layer = () => createChannelLayer({ connection, prefix, messaging: { prefix: messagingPrefix } });
await using chat = layer();
await using web = layer();
const [a, b] = [await chat.newChannel(), await web.newChannel()];
await chat.groupAdd('room-1', a);
await web.groupAdd('room-1', b);
for (const deadline = Date.now() + 30_000; (await chat.groupMembers('room-1')).length < 2 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
const result = await chat.groupSend('room-1', { type: 'chat.message', text: 'hello room' });
console.log(`group send reached ${result.delivered.length} of ${result.members} channels, ${result.failed.length} failed`);
const [got] = await Promise.all([web.receive(b), chat.receive(a)]);
console.log(`channel received ${JSON.stringify(got)}`);
