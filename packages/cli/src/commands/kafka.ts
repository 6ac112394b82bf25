import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { ErrorCodes, TributaryError } from '@tributary/core';
import { KafkaAdmin, KafkaClient, silentLogger } from '@tributary/kafka';
import { provideKafka } from '@tributary/test-kit';
import { action, integerArg, untilAborted, type CommandContext } from '../cli/program.js';

interface KafkaOptions {
  port: number;
  nodes?: string;
  stateFile?: string;
  foreground?: boolean;
}

/** What `kafka up` leaves for `down` and `status`: the launcher's pid, its brokers and its log. */
interface UpState {
  pid: number;
  brokers: string[];
  log: string;
  startedAt: string;
}

function stateFile(o: KafkaOptions): string {
  return o.stateFile ?? join(tmpdir(), `tributary-kafka-${o.port}.json`);
}

function logFile(state: string): string {
  return `${state.replace(/\.json$/, '')}.log`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readState(file: string): UpState | undefined {
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as UpState;
  if (alive(state.pid)) return state;
  rmSync(file, { force: true }); // left by a launcher that died
  return undefined;
}

function ports(o: KafkaOptions): number[] {
  return o.nodes === '3' ? [o.port, o.port + 1, o.port + 2] : [o.port];
}

/** The launcher itself: start the JVMs, write the state file, and stop them at SIGINT or SIGTERM. */
async function foreground(ctx: CommandContext, o: KafkaOptions): Promise<void> {
  const file = stateFile(o);
  // Watched from the start: a signal while the JVMs start stops them once they are up, rather than orphaning them.
  const stopped = untilAborted(ctx.signal);
  const endpoint = await provideKafka({ nodes: o.nodes === '3' ? 3 : 1, ports: ports(o), preferJvm: true, env: { ...process.env, KAFKA_BROKERS: '' }, log: (line) => process.stderr.write(`${line}\n`) });
  try {
    writeFileSync(file, JSON.stringify({ pid: process.pid, brokers: endpoint.brokers, log: logFile(file), startedAt: new Date().toISOString() } satisfies UpState));
    process.stderr.write(`Kafka is running at ${endpoint.brokers.join(',')}. Ctrl-C (SIGINT) or SIGTERM stops it.\n`);
    await stopped;
  } finally {
    await endpoint.stop();
    rmSync(file, { force: true });
  }
}

/** Start the launcher in the background (its output to a log file) and wait until it wrote its state file. */
async function up(ctx: CommandContext, o: KafkaOptions): Promise<void> {
  const file = stateFile(o);
  const running = readState(file);
  if (running) {
    ctx.output.line({ status: 'running', brokers: running.brokers.join(','), pid: running.pid, log: running.log });
    return;
  }
  const log = logFile(file);
  const out = openSync(log, 'w');
  const args = [...process.execArgv, process.argv[1]!, 'kafka', 'up', '--foreground', '--port', String(o.port), '--nodes', o.nodes ?? '1', '--state-file', file];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + 180_000;
  for (;;) {
    const state = readState(file);
    if (state) {
      ctx.output.line({ status: 'started', brokers: state.brokers.join(','), pid: state.pid, log });
      return;
    }
    const tail = () => readFileSync(log, 'utf8').trim().split('\n').slice(-3).join(' | ');
    if (exited !== undefined) throw new TributaryError(ErrorCodes.KAFKA_RUNTIME, `The Kafka launcher exited (code ${exited}) before Kafka was ready: ${tail()}`, { context: { log } });
    if (Date.now() > deadline) {
      process.kill(child.pid!, 'SIGTERM');
      throw new TributaryError(ErrorCodes.KAFKA_RUNTIME, `Kafka was not ready within 180 s (log: ${log})`, { context: { log } });
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function notUp(o: KafkaOptions): TributaryError {
  return new TributaryError(ErrorCodes.KAFKA_RUNTIME, `No Kafka started by "tributary kafka up" is running (state file ${stateFile(o)})`, { context: { stateFile: stateFile(o) } });
}

async function down(ctx: CommandContext, o: KafkaOptions): Promise<void> {
  const state = readState(stateFile(o));
  if (!state) throw notUp(o);
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (alive(state.pid)) {
    if (Date.now() > deadline) throw new TributaryError(ErrorCodes.KAFKA_RUNTIME, `The Kafka launcher (pid ${state.pid}) did not stop within 60 s`, { context: { pid: state.pid } });
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  ctx.output.line({ status: 'stopped', brokers: state.brokers.join(','), pid: state.pid });
}

async function status(ctx: CommandContext, o: KafkaOptions): Promise<void> {
  const state = readState(stateFile(o));
  if (!state) throw notUp(o);
  await using admin = new KafkaAdmin(new KafkaClient({ brokers: state.brokers, connectionTimeoutMs: 2000, retries: 1, logger: silentLogger }));
  const cluster = await admin.describeCluster();
  ctx.output.line({ status: 'running', brokers: state.brokers.join(','), nodes: cluster.brokers.length, controller: cluster.controller, pid: state.pid, since: state.startedAt });
}

/** `tributary kafka up|down|status`: a Kafka for development, run by the test kit's JVM launcher. */
export function kafkaCommand(parent: Command): void {
  const kafka = parent.command('kafka').description("run a Kafka for development with the test kit's JVM launcher (Java >= 17 and Maven)");
  const portOption = () => new Option('-p, --port <port>', 'the (first) broker port').argParser(integerArg(1)).default(9092);
  const stateOption = () => new Option('--state-file <file>', 'where up records its launcher (default: <tmpdir>/tributary-kafka-<port>.json)');

  kafka
    .command('up')
    .description('start Kafka in the background (one node or three) and print its brokers; down stops it')
    .addOption(portOption())
    .addOption(new Option('-n, --nodes <count>', 'one node or a three-node cluster (ports port..port+2)').choices(['1', '3']).default('1'))
    .addOption(stateOption())
    .option('--foreground', 'run the launcher in this process until Ctrl-C or SIGTERM, which stop its JVMs')
    .action(action((ctx, o: KafkaOptions) => (o.foreground ? foreground(ctx, o) : up(ctx, o))));

  kafka
    .command('down')
    .description('stop the Kafka that up started (its launcher stops its JVMs) and wait until it is gone')
    .addOption(portOption())
    .addOption(stateOption())
    .action(action((ctx, o: KafkaOptions) => down(ctx, o)));

  kafka
    .command('status')
    .description('whether the Kafka that up started runs and answers; exit 1 when it does not')
    .addOption(portOption())
    .addOption(stateOption())
    .action(action((ctx, o: KafkaOptions) => status(ctx, o)));
}
