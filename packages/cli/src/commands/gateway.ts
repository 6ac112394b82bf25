import { InvalidArgumentError as CommanderArgumentError, Option, type Command } from 'commander';
import { action, integerArg, untilAborted, type CommandContext } from '../cli/program.js';
import { openStreams, streamsPrefixOption, type StreamOptions } from './stream.js';

interface GatewayOptions extends StreamOptions {
  host: string;
  port: number;
  maxLineBytes?: number;
  maxQueuedBytes?: number;
}

function portArg(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new CommanderArgumentError(`expected a TCP port from 0 to 65535, got "${value}"`);
  return Number(value);
}

async function serveGateway(ctx: CommandContext, o: GatewayOptions): Promise<void> {
  const { createStreamGateway } = await import('@tributary/streams');
  const streams = await openStreams(ctx, o);
  const gateway = createStreamGateway(streams, {
    host: o.host,
    port: o.port,
    ...(o.maxLineBytes !== undefined ? { maxLineBytes: o.maxLineBytes } : {}),
    ...(o.maxQueuedBytes !== undefined ? { maxQueuedBytes: o.maxQueuedBytes } : {}),
  });
  // Closed before the service it relays (defer runs in reverse): clients hear `gateway-closing` first.
  ctx.defer(() => gateway.close());
  const address = await gateway.listen();
  if (ctx.output.json) ctx.output.line({ listening: `${address.host}:${address.port}`, host: address.host, port: address.port });
  else ctx.output.text(`Stream gateway listening on ${address.host}:${address.port} (JSON lines over TCP); Ctrl-C stops it\n`);
  await untilAborted(ctx.signal);
}

/** `tributary gateway`: the streams JSON-lines gateway over TCP, on the run's cluster, until Ctrl-C. */
export function gatewayCommand(parent: Command): void {
  parent
    .command('gateway')
    .description('serve keyed message streams to clients in any language: the JSON-lines stream gateway over TCP, until Ctrl-C')
    .addOption(new Option('--host <host>', 'the address to listen on (0.0.0.0 to serve other machines)').default('127.0.0.1'))
    .addOption(new Option('-p, --port <port>', 'the TCP port (0: a free one, printed at start)').argParser(portArg).default(7070))
    .addOption(new Option('--max-line-bytes <bytes>', 'the longest request line; a longer one is refused (default 1 MiB)').argParser(integerArg(1)))
    .addOption(new Option('--max-queued-bytes <bytes>', 'bytes that may wait unread for one client before it is disconnected as slow (default 8 MiB)').argParser(integerArg(1)))
    .addOption(streamsPrefixOption())
    .addHelpText(
      'after',
      `\nThe first line printed is the address. A client sends one JSON object a line and reads the same:\n  {"action":"listen","stream":"job-7"}        the header, then every later message, then close\n  {"action":"put","stream":"job-7","message":{"step":4},"id":1}   answered by an ack line (with an id)\n  header, close, delete and hangup likewise. RemoteStream (@tributary/streams) is the Node client.\n\nExample:\n  tributary gateway --port 7070 &\n  printf '%s\\n' '{"action":"listen","stream":"job-7"}' | nc 127.0.0.1 7070`,
    )
    .action(action((ctx, o: GatewayOptions) => serveGateway(ctx, o)));
}
