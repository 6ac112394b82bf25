import { Option, type Command } from 'commander';
import { ErrorCodes, TributaryError } from '@tributary/core';
import type { Messaging } from '@tributary/messaging';
import { UsageError } from '../cli/errors.js';
import { parseJsonArgument as json } from '../cli/json-argument.js';
import { headerPairs } from '../cli/event-lines.js';
import { action, collect, integerArg, untilAborted, type CommandContext } from '../cli/program.js';

interface MessagingOptions {
  prefix?: string;
  property?: string[];
}


async function openMessaging(ctx: CommandContext, o: MessagingOptions): Promise<Messaging> {
  const { createMessaging, ensureMessagingTopics } = await import('@tributary/messaging');
  const connection = ctx.connection();
  await ensureMessagingTopics(connection, o.prefix ? { prefix: o.prefix } : {});
  const messaging = createMessaging({ connection, ...(o.prefix ? { prefix: o.prefix } : {}), ...(connection.logger ? { logger: connection.logger } : {}) });
  ctx.defer(() => messaging.close());
  return messaging;
}

async function serve(ctx: CommandContext, paths: string[], o: MessagingOptions & { reply?: string; addressed?: boolean }): Promise<void> {
  const reply = o.reply === undefined ? undefined : json(o.reply, '--reply');
  const properties = headerPairs(o.property);
  const messaging = await openMessaging(ctx, o);
  const session = await messaging.openSession({ properties });
  for (const path of paths) {
    const handler = (request: unknown, c: { sessionId: string; path: string }) => {
      ctx.output.line({ path: c.path, from: c.sessionId, request });
      return reply === undefined ? { path: c.path, request, by: session.id } : reply;
    };
    if (o.addressed) await session.addRequestHandler(path, handler, { addressed: true });
    else await session.registerRequestHandler(path, handler);
  }
  process.stderr.write(`tributary: session ${session.id} serves ${paths.join(', ')}${o.addressed ? ' (addressed: to this session or a filter)' : ''}; Ctrl-C stops\n`);
  await untilAborted(ctx.signal);
}

async function request(ctx: CommandContext, path: string, value: string | undefined, o: MessagingOptions & { session?: string; filter?: string; wait: number }): Promise<void> {
  if (o.session && o.filter) throw new UsageError('Give --session or --filter, not both', { option: 'session' });
  const body = json(value, 'the request');
  const messaging = await openMessaging(ctx, o);
  const client = await messaging.openSession({ properties: headerPairs(o.property) });
  const options = { timeout: o.wait, signal: ctx.signal };
  if (o.filter) {
    const gathered = await client.gatherRequestToFilter(o.filter, path, body, options);
    for (const r of gathered.responses) ctx.output.line({ session: r.sessionId, response: r.response });
    for (const e of gathered.errors) ctx.output.line({ session: e.sessionId, error: e.error.message });
    if (gathered.errors.length > 0) throw new TributaryError(ErrorCodes.REQUEST_FAILED, `${gathered.errors.length} of ${gathered.expected} sessions matching the filter failed${gathered.partial ? ' or did not answer in time' : ''} (their errors are printed above)`, { context: { expected: gathered.expected, errors: gathered.errors.length } });
    return;
  }
  const response = o.session ? await client.sendRequestToSession(path, o.session, body, options) : await client.sendRequestToPath(path, body, options);
  ctx.output.line({ response });
}

/** `tributary serve` and `tributary request`: request/response between sessions (@tributary/messaging). */
export function messagingCommands(parent: Command): void {
  const prefix = () => new Option('--prefix <prefix>', 'prefix of the messaging topics (default tributary.messaging)');
  const property = () => new Option('-P, --property <name=value>', 'a session property (repeatable)').argParser(collect);

  parent
    .command('serve')
    .description('open a session that answers requests to paths, printing each request, until Ctrl-C')
    .argument('<path...>', 'paths to handle, such as prices/quote')
    .option('--reply <json>', 'the response to every request (default: {"path", "request", "by": the session id})')
    .option('--addressed', 'answer requests addressed to this session or to a filter matching it, rather than to the path')
    .addOption(property())
    .addOption(prefix())
    .action(action((ctx, paths: string[], o: MessagingOptions & { reply?: string; addressed?: boolean }) => serve(ctx, paths, o)));

  parent
    .command('request')
    .description('send a request to a path (one of its sessions answers), to a session, or to every session a filter matches')
    .argument('<path>', 'the path, such as prices/quote')
    .argument('[request]', 'the request, as JSON (default null)')
    .option('--session <id>', 'to this session (its handler must be addressed: serve --addressed)')
    .option('--filter <filter>', "to every session matching this filter, such as \"Role is 'pricing'\"; prints each answer")
    .addOption(new Option('--wait <ms>', 'how long to wait for the response').argParser(integerArg(1)).default(30_000))
    .addOption(property())
    .addOption(prefix())
    .action(action((ctx, path: string, value: string | undefined, o: MessagingOptions & { session?: string; filter?: string; wait: number }) => request(ctx, path, value, o)));
}
