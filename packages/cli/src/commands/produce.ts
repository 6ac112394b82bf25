import { text } from 'node:stream/consumers';
import type { Command } from 'commander';
import type { Event } from '@tributary/core';
import { KafkaProducerPlugin, type KafkaProducerSettingsInput } from '@tributary/producer-plugins';
import type { KafkaClientOptions } from '@tributary/kafka';
import { UsageError } from '../cli/errors.js';
import { parseJsonArgument } from '../cli/json-argument.js';
import { eventFrom, eventsFromLines, headerPairs } from '../cli/event-lines.js';
import { action, collect, type CommandContext } from '../cli/program.js';

interface ProduceOptions {
  category?: string;
  key?: string;
  type?: string;
  header?: string[];
  batch: number;
}

/** The kafka producer plugin's settings from the run's connection options. */
function pluginSettings(topic: string, c: KafkaClientOptions): KafkaProducerSettingsInput {
  const tls = c.tls === true ? {} : c.tls === false || c.tls === undefined ? undefined : { ...c.tls, ca: Array.isArray(c.tls.ca) ? c.tls.ca.join('\n') : c.tls.ca?.toString(), cert: c.tls.cert?.toString(), key: c.tls.key?.toString() };
  return {
    topic,
    brokers: [...c.brokers],
    ...(c.clientId ? { clientId: c.clientId } : {}),
    ...(tls ? { tls: Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined)) } : {}),
    ...(c.sasl ? { sasl: c.sasl } : {}),
    ...(c.connectionTimeoutMs ? { connectionTimeoutMs: c.connectionTimeoutMs } : {}),
    ...(c.requestTimeoutMs ? { requestTimeoutMs: c.requestTimeoutMs } : {}),
    ...(c.retries !== undefined ? { connectRetries: Math.min(20, c.retries) } : {}),
  } as KafkaProducerSettingsInput;
}

async function produce(ctx: CommandContext, topic: string, payload: string | undefined, opts: ProduceOptions): Promise<void> {
  const defaults = { ...(opts.category ? { category: opts.category } : {}), ...(opts.key ? { key: opts.key } : {}), ...(opts.type ? { type: opts.type } : {}), headers: headerPairs(opts.header) };
  let events: Event[];
  if (payload !== undefined) {
    const value = parseJsonArgument(payload, 'the payload', '; nothing was sent');
    events = [eventFrom({ payload: value }, defaults, 'the arguments')];
  } else {
    if (process.stdin.isTTY) throw new UsageError('Give a payload argument, or pipe JSON lines to stdin', { argument: 'payload' });
    events = eventsFromLines(await text(process.stdin), defaults);
  }
  const connection = ctx.connection();
  const plugin = new KafkaProducerPlugin(pluginSettings(topic, connection), connection.logger ? { logger: connection.logger } : {});
  ctx.defer(() => plugin.close());
  await plugin.open();
  for (let i = 0; i < events.length; i += opts.batch) {
    const sent = (await plugin.send(events.slice(i, i + opts.batch))) as Event[];
    for (const event of sent) ctx.output.line(ctx.output.json ? { id: event.id, category: event.category, key: event.key, offset: event.offset?.toString() } : { offset: event.offset?.toString(), category: event.category, key: event.key }, ['offset', 'category', 'key']);
  }
}

/** `tributary produce`: events from arguments or JSON lines, through the kafka producer plugin, each offset printed. */
export function produceCommand(parent: Command): void {
  parent
    .command('produce')
    .description('publish events through the kafka producer plugin and print where each was written (topic:partition@offset)')
    .argument('<topic>', 'the topic (it must exist: tributary topics create)')
    .argument('[payload]', 'the JSON payload of one event; without it, JSON lines on stdin: {"category", "key", "type", "headers", "payload"}')
    .option('-c, --category <category>', 'the category (of every line that has none)')
    .option('-k, --key <key>', 'the partitioning key (default: the category)')
    .option('-t, --type <type>', 'the finer type, carried in the tributary-type header')
    .option('-H, --header <name=value>', 'a header of every event (repeatable)', collect)
    .addHelpText('after', `\nEvery line is checked before any event is sent: a malformed line sends nothing and exits 2.\n\nExamples:\n  tributary produce orders -c order.placed -k order-7 '{"total": 42.5}'\n  printf '%s\\n' '{"category":"order.placed","key":"o-1","payload":{"total":1}}' | tributary produce orders`)
    .action(action((ctx, topic: string, payload: string | undefined, opts: Omit<ProduceOptions, 'batch'>) => produce(ctx, topic, payload, { ...opts, batch: 500 })));
}
