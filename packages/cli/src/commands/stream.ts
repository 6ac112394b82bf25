import { text } from 'node:stream/consumers';
import { Option, type Command } from 'commander';
import type { ListenFrom, StreamDelivery, Streams } from '@tributary/streams';
import { UsageError } from '../cli/errors.js';
import { parseJsonArgument } from '../cli/json-argument.js';

import { action, type CommandContext } from '../cli/program.js';

const json = (value: string, what: string) => parseJsonArgument(value, what, '; nothing was sent');

/** The options of commands on the streams service (stream ..., gateway). */
export interface StreamOptions {
  prefix?: string;
}

/** `--prefix` of the streams topics. */
export function streamsPrefixOption(): Option {
  return new Option('--prefix <prefix>', 'prefix of the streams topics (default tributary.streams)');
}

/** The streams service on the run's connection, its topics made sure of (they are Tributary's own, like a schema log's). */
export async function openStreams(ctx: CommandContext, o: StreamOptions): Promise<Streams> {
  const { createStreams, ensureStreamTopics } = await import('@tributary/streams');
  const connection = ctx.connection();
  // `stream --prefix P listen ...`: the option is the parent command's, so it is read with the globals.
  const prefix = o.prefix ?? (ctx.options as StreamOptions).prefix;
  await ensureStreamTopics(connection, prefix ? { prefix } : {});
  const streams = createStreams({ connection, ...(prefix ? { prefix } : {}), ...(connection.logger ? { logger: connection.logger } : {}) });
  ctx.defer(() => streams.closeHub());
  return streams;
}

function listenFrom(from: string): ListenFrom {
  if (from === 'header' || from === 'start') return from;
  const position = parseJsonArgument(from, '--from') as { epoch?: unknown; offset?: unknown };
  if (typeof position?.epoch !== 'string' || typeof position.offset !== 'string') throw new UsageError(`--from must be header, start or a position {"epoch":"...","offset":"..."} as listen prints it, got ${from}`, { option: 'from', value: from });
  return { epoch: position.epoch, offset: position.offset };
}

async function listen(ctx: CommandContext, stream: string, o: StreamOptions & { from: string }): Promise<void> {
  const from = listenFrom(o.from);
  const streams = await openStreams(ctx, o);
  let closed: (reason?: string) => void = () => {};
  const done = new Promise<string | undefined>((resolve) => (closed = resolve));
  const print = (d: StreamDelivery) => {
    ctx.output.line(d.action === 'close' ? { action: 'close', stream: d.stream, reason: d.reason, position: d.position } : { action: d.action, stream: d.stream, message: d.message, position: d.position }, ['action', 'message', 'reason']);
    if (d.action === 'close') closed(d.reason);
  };
  const subscription = await streams.listen(stream, { put: print }, { from });
  if (!ctx.output.json && subscription.recovered === false && typeof from === 'object') process.stderr.write('tributary: the history after that position is gone; listening from the header\n');
  ctx.signal.addEventListener('abort', () => closed('interrupted'), { once: true });
  await done;
}

async function put(ctx: CommandContext, stream: string, message: string | undefined, o: StreamOptions): Promise<void> {
  let messages: unknown[];
  if (message !== undefined) messages = [json(message, 'the message')];
  else {
    if (process.stdin.isTTY) throw new UsageError('Give a message argument, or pipe JSON lines to stdin', { argument: 'message' });
    messages = (await text(process.stdin)).split('\n').flatMap((line, i) => (line.trim() === '' ? [] : [json(line, `line ${i + 1}`)]));
  }
  const streams = await openStreams(ctx, o);
  for (const m of messages) await streams.put(stream, m);
  ctx.output.line({ stream, put: messages.length });
}

/** `tributary stream listen|put|header|close`: keyed message streams (a header, then a gapless tail). */
export function streamCommand(parent: Command): void {
  const stream = parent
    .command('stream')
    .description('keyed message streams: listen (the header, then every later message), put, header, close')
    .addOption(streamsPrefixOption());

  stream
    .command('listen')
    .description('print the stream\'s header, then every message put after it, until the stream closes (or Ctrl-C)')
    .argument('<stream>', 'the stream name')
    .addOption(new Option('--from <from>', 'header (the current header, then what follows), start (all still kept) or a position as printed').default('header'))
    .action(action((ctx, name: string, o: StreamOptions & { from: string }) => listen(ctx, name, o)));

  stream
    .command('put')
    .description('append messages to a stream: one JSON argument, or JSON lines on stdin (all checked before the first is put)')
    .argument('<stream>', 'the stream name')
    .argument('[message]', 'the message, as JSON')
    .action(action((ctx, name: string, message: string | undefined, o: StreamOptions) => put(ctx, name, message, o)));

  stream
    .command('header')
    .description("set the stream's header (its current status, which a listener that joins receives first)")
    .argument('<stream>', 'the stream name')
    .argument('<message>', 'the header, as JSON')
    .action(
      action(async (ctx, name: string, message: string, o: StreamOptions) => {
        const value = json(message, 'the header');
        await (await openStreams(ctx, o)).setHeader(name, value);
        ctx.output.line({ stream: name, header: value });
      }),
    );

  stream
    .command('close')
    .description('close the stream: its listeners receive close')
    .argument('<stream>', 'the stream name')
    .action(
      action(async (ctx, name: string, o: StreamOptions) => {
        await (await openStreams(ctx, o)).close(name);
        ctx.output.line({ stream: name, closed: true });
      }),
    );
}
