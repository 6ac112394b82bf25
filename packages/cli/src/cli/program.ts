import { Command, CommanderError, InvalidArgumentError as CommanderArgumentError, Option } from 'commander';
import { KafkaAdmin, KafkaClient, type KafkaClientOptions } from '@tributary/kafka';
import { connectionOptions, type GlobalOptions } from './config.js';
import { ChildProgramFailed, ExitCodes, exitCodeOf, formatError } from './errors.js';
import { Output } from './output.js';

/** What a command's action gets: the options of the run, its output, and the way to Kafka. */
export interface CommandContext {
  readonly options: GlobalOptions;
  readonly output: Output;
  /** The connection options (flags, KAFKA_BROKERS, config file), checked. */
  connection(): KafkaClientOptions;
  /** A connected admin, closed when the command ends. */
  admin(): Promise<KafkaAdmin>;
  /** Something to close when the command ends, in reverse order. */
  defer(close: () => Promise<unknown> | unknown): void;
  /**
   * Aborted at the first SIGINT or SIGTERM, for a command that runs until stopped (it stops, flushes and exits 0).
   * A command that never reads it, and any command at a second signal, exits at once with 130 (SIGINT) or 143.
   */
  readonly signal: AbortSignal;
}

/** Parse a whole number option or argument (commander reports the option and exits 2 on failure). */
export function integerArg(min = 0): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value) || Number(value) < min) throw new CommanderArgumentError(`expected an integer >= ${min}, got "${value}"`);
    return Number(value);
  };
}

/** Resolves when `signal` aborts: SIGINT or SIGTERM to a command that runs until stopped (serve, kafka up). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

/** Collect a repeatable option into a list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Wrap a command's action: build its context from the global options, run it, close what it opened. Errors
 * propagate to {@link runCli}, which prints them and chooses the exit code.
 */
export function action<A extends unknown[]>(run: (ctx: CommandContext, ...args: A) => Promise<void>): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args.at(-1) as Command;
    const options = command.optsWithGlobals<GlobalOptions>();
    const closers: Array<() => Promise<unknown> | unknown> = [];
    const abort = new AbortController();
    let watched = false;
    const stop = (signal: NodeJS.Signals) => {
      if (!watched || abort.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
      abort.abort();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    let connection: KafkaClientOptions | undefined;
    let admin: Promise<KafkaAdmin> | undefined;
    const ctx: CommandContext = {
      options,
      output: new Output({ json: options.json === true }),
      connection: () => (connection ??= connectionOptions(options)),
      admin: () =>
        (admin ??= (async () => {
          const a = new KafkaAdmin(new KafkaClient(ctx.connection()));
          closers.push(() => a.close());
          await a.connect();
          return a;
        })()),
      defer: (close) => void closers.push(close),
      get signal() {
        watched = true;
        return abort.signal;
      },
    };
    try {
      await run(ctx, ...(args.slice(0, -1) as A));
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
    }
  };
}

/** The root command with the options every command shares. Commands are added by {@link createProgram}'s caller. */
export function createRoot(stderr: NodeJS.WritableStream = process.stderr): Command {
  const program = new Command('tributary')
    .description("Tributary's command line: topics, events, consumer groups and replays on Kafka.")
    .addOption(new Option('--brokers <list>', 'bootstrap brokers, host:port[,host:port] (default: $KAFKA_BROKERS, then the config file)'))
    .addOption(new Option('--config <file>', 'connection options as JSON or YAML: brokers, clientId, tls, sasl, timeouts'))
    .addOption(new Option('--client-id <id>', 'client id shown in broker logs').default(undefined, 'tributary-cli'))
    .addOption(new Option('--tls', 'connect with TLS, trusting the system CAs'))
    .addOption(new Option('--tls-ca <file>', 'PEM CA file to trust (implies --tls)'))
    .addOption(new Option('--tls-cert <file>', 'PEM client certificate, for mutual TLS (implies --tls)'))
    .addOption(new Option('--tls-key <file>', 'PEM key of --tls-cert'))
    .addOption(new Option('--tls-insecure', 'do not check the broker certificate (test brokers only)'))
    .addOption(new Option('--sasl-mechanism <name>', 'SASL mechanism').choices(['plain', 'scram-sha-256', 'scram-sha-512']))
    .addOption(new Option('--sasl-username <name>', 'SASL user name'))
    .addOption(new Option('--sasl-password <secret>', 'SASL password (default: $KAFKA_SASL_PASSWORD)'))
    .addOption(new Option('--timeout <ms>', 'connection and request timeout in milliseconds').argParser(integerArg(1)))
    .addOption(new Option('--retries <n>', 'attempts of a retriable request before it fails (default 5)').argParser(integerArg(0)))
    .addOption(new Option('--json', 'print JSON lines even on a terminal (the default when stdout is piped)'))
    .addOption(new Option('-v, --verbose', 'on failure, print the cause chain; show the Kafka client logs'))
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeErr: (text) => void stderr.write(text),
      // Commander's usage errors, on one line with the program's prefix: "tributary: error: unknown option '--x'".
      outputError: (text, write) => write(`tributary: ${text.trim().replace(/\s*\n\s*/g, ' ')}\n`),
    });
  return program;
}

/**
 * Run the command line and resolve with its exit code: 0 done (or help shown), 2 a usage error (commander's or an
 * INVALID_ARGUMENT), 1 any other failure. The failure is printed to stderr as one line; `--verbose` adds causes.
 */
export async function runCli(program: Command, argv: readonly string[], stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  // A reader that stops early (`tributary consume orders | head -3`) closes the pipe: end quietly, as done.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(ExitCodes.OK);
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCodes.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed help (exit code 0) or its message; a bare `tributary topics` prints help as an error.
      return error.exitCode === 0 ? ExitCodes.OK : ExitCodes.USAGE;
    }
    const verbose = argv.includes('--verbose') || argv.includes('-v');
    if (!(error instanceof ChildProgramFailed)) stderr.write(formatError(error, verbose));
    return exitCodeOf(error);
  }
}
