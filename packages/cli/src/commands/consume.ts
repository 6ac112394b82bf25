import { randomBytes } from 'node:crypto';
import { Option, type Command } from 'commander';
import { Position, type Event } from '@tributary/core';
import { ConsumerGroup, silentLogger, stderrLogger } from '@tributary/consumer';
import { partitionKey, type KafkaAdmin } from '@tributary/kafka';
import { readerCodecs, schemaTopicOption } from '../cli/codecs.js';
import { UsageError } from '../cli/errors.js';
import { EVENT_COLUMNS } from '../cli/event-lines.js';
import { action, collect, integerArg, type CommandContext } from '../cli/program.js';

interface ConsumeOptions {
  group?: string;
  category?: string[];
  from: string;
  follow?: boolean;
  max?: number;
  schemaTopic?: string;
}

/** A row of output for an event: its JSON form (offset included). */
export function eventRow(event: Event): Record<string, unknown> {
  return event.toJSON() as unknown as Record<string, unknown>;
}

/**
 * The next offset each partition must pass for the group to have read everything there was at start: the high
 * watermarks now, and where a partition with no commit starts (from `--from`), so an empty range counts as read.
 */
async function endsAtStart(admin: KafkaAdmin, topics: readonly string[], from: string): Promise<Map<string, { start: bigint; end: bigint }>> {
  const position = from.includes('@') ? Position.parse(from) : undefined;
  const millis = from === 'earliest' || from === 'latest' || position ? undefined : Date.parse(from);
  const out = new Map<string, { start: bigint; end: bigint }>();
  for (const topic of topics) {
    const byTime = millis === undefined ? undefined : await admin.offsetsForTime(topic, millis);
    for (const r of await admin.ranges(topic)) {
      const start = from === 'latest' ? r.high : (position?.get(topic, r.partition) ?? byTime?.find((p) => p.partition === r.partition)?.offset ?? r.low);
      out.set(partitionKey(topic, r.partition), { start, end: r.high });
    }
  }
  return out;
}

async function consume(ctx: CommandContext, topics: string[], opts: ConsumeOptions): Promise<void> {
  const admin = await ctx.admin();
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0) throw new UsageError(`No such topic: ${missing.join(', ')}`, { topics: missing });
  const groupId = opts.group ?? `tributary-cli-${randomBytes(4).toString('hex')}`;
  const ends = opts.follow ? undefined : await endsAtStart(admin, topics, opts.from);
  let count = 0;
  const done = new AbortController();
  const print = (event: Event) => {
    if (opts.max !== undefined && count >= opts.max) return;
    ctx.output.line(eventRow(event), EVENT_COLUMNS);
    if (++count === opts.max) done.abort();
  };
  const failed: Error[] = [];
  const connection = ctx.connection();
  const group = new ConsumerGroup({
    ...connection,
    groupId,
    topics,
    handlers: Object.fromEntries((opts.category ?? ['#']).map((pattern) => [pattern, print])),
    from: opts.from,
    codecs: readerCodecs(ctx, opts),
    commitIntervalMs: 200,
    logger: ctx.options.verbose ? stderrLogger : silentLogger,
    onError: (error) => {
      failed.push(error);
      done.abort();
    },
  });
  await group.start();
  ctx.defer(() => group.stop());
  const stop = AbortSignal.any([done.signal, ctx.signal]);
  while (!stop.aborted) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (!ends || stop.aborted) continue;
    await group.commit();
    const committed = await admin.groupOffsets(groupId, topics);
    if ([...ends].every(([key, { start, end }]) => (committed.get(key) ?? start) >= end)) break;
  }
  await group.stop();
  if (failed[0]) throw failed[0];
}

/** `tributary consume`: a consumer group printing the events whose category matches, to the end or following. */
export function consumeCommand(parent: Command): void {
  parent
    .command('consume')
    .description('read events as a consumer group (committing as it goes) and print them; stops at the end unless --follow')
    .argument('<topic...>', 'topics to read')
    .option('-g, --group <id>', 'the consumer group (default: a new tributary-cli-<random> group)')
    .option('-c, --category <pattern>', 'only events matching this category pattern: user.created, user.*, user.# (repeatable)', collect)
    .addOption(new Option('--from <start>', "where a partition the group has no commit for starts: earliest, latest, a position (orders:0@42,orders:1@17) or an ISO time").default('earliest'))
    .option('-f, --follow', 'keep reading new events until Ctrl-C (default: stop at the end captured at start)')
    .addOption(new Option('-n, --max <count>', 'stop after this many events').argParser(integerArg(1)))
    .addOption(schemaTopicOption())
    .addHelpText('after', '\nPayloads are decoded by the codec each record names: json, string, or avro (with the writer\'s schema, found in the schema registry by id).')
    .action(
      action(async (ctx, topics: string[], opts: ConsumeOptions) => {
        if (!['earliest', 'latest'].includes(opts.from) && !opts.from.includes('@') && Number.isNaN(Date.parse(opts.from))) {
          throw new UsageError(`--from must be earliest, latest, a position (topic:partition@offset,...) or an ISO time, got "${opts.from}"`, { option: 'from', value: opts.from });
        }
        await consume(ctx, topics, opts);
      }),
    );
}
