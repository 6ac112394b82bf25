import { text } from 'node:stream/consumers';
import { Option, type Command } from 'commander';
import { isTributaryError, type Codec, type Event } from '@tributary/core';
import { KafkaProducerPlugin, type KafkaProducerSettingsInput } from '@tributary/producer-plugins';
import type { KafkaClientOptions } from '@tributary/kafka';
import { CODEC_NAMES, schemaTopicOption, writerCodec, type CodecOptions } from '../cli/codecs.js';
import { UsageError } from '../cli/errors.js';
import { parseJsonArgument } from '../cli/json-argument.js';
import { eventFrom, eventsFromLines, headerPairs } from '../cli/event-lines.js';
import { action, collect, type CommandContext } from '../cli/program.js';

interface ProduceOptions extends CodecOptions {
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

/**
 * Encode every payload before any event is sent, so one that does not fit the codec (an Avro field of the wrong
 * type, a string codec given an object) sends nothing. The plugin encodes again when it sends; the cost is the
 * command line's, once per event.
 * @throws UsageError naming the event (its line) and the codec's reason.
 */
async function checkPayloads(codec: Codec, topic: string, events: readonly Event[], fromLines: boolean): Promise<void> {
  for (const [i, event] of events.entries()) {
    try {
      await codec.encode(event.payload, { topic, category: event.category });
    } catch (error) {
      if (!isTributaryError(error, 'ENCODE_FAILED')) throw error;
      const where = fromLines ? `event ${i + 1} of the input` : 'the payload';
      throw new UsageError(`${where} does not fit the ${codec.name} codec: ${error.message}; nothing was sent`, { ...error.context, event: i + 1 }, error);
    }
  }
}

async function produce(ctx: CommandContext, topic: string, payload: string | undefined, opts: ProduceOptions): Promise<void> {
  const defaults = { ...(opts.category ? { category: opts.category } : {}), ...(opts.key ? { key: opts.key } : {}), ...(opts.type ? { type: opts.type } : {}), headers: headerPairs(opts.header) };
  let events: Event[];
  if (payload !== undefined) {
    // The string codec's payload is the text itself; every other codec's is JSON.
    const value = opts.codec === 'string' ? payload : parseJsonArgument(payload, 'the payload', '; nothing was sent');
    events = [eventFrom({ payload: value }, defaults, 'the arguments')];
  } else {
    if (process.stdin.isTTY) throw new UsageError('Give a payload argument, or pipe JSON lines to stdin', { argument: 'payload' });
    events = eventsFromLines(await text(process.stdin), defaults);
  }
  const codec = await writerCodec(ctx, topic, opts);
  await checkPayloads(codec, topic, events, payload === undefined);
  const connection = ctx.connection();
  const plugin = new KafkaProducerPlugin(pluginSettings(topic, connection), { codecs: { default: codec }, ...(connection.logger ? { logger: connection.logger } : {}) });
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
    .addOption(new Option('--codec <codec>', 'how payloads are written: json; string (the payload argument is the text itself); avro (with --schema, or the schema registered for <topic>-value)').choices(CODEC_NAMES).default('json'))
    .option('--schema <file>', 'the Avro schema (.avsc) of --codec avro, registered under <topic>-value in the schema registry at the first send')
    .addOption(schemaTopicOption())
    .addHelpText(
      'after',
      `\nEvery line and every payload is checked before any event is sent: a malformed line, or a payload the codec cannot write, sends nothing and exits 2.\n\nExamples:\n  tributary produce orders -c order.placed -k order-7 '{"total": 42.5}'\n  printf '%s\\n' '{"category":"order.placed","key":"o-1","payload":{"total":1}}' | tributary produce orders\n  tributary produce orders -c order.placed --codec avro --schema order.avsc '{"id": "o-1", "total": 42.5}'\n  tributary produce logs -c log.line --codec string 'disk almost full'`,
    )
    .action(action((ctx, topic: string, payload: string | undefined, opts: Omit<ProduceOptions, 'batch'>) => produce(ctx, topic, payload, { ...opts, batch: 500 })));
}
