import { randomBytes } from 'node:crypto';
import { encodeEvent, jsonCodec } from '@tributary/core';
import { silentLogger } from '@tributary/consumer';
import {
  addBuiltinMessageTypes,
  CommandMessage,
  CommandProcessor,
  CommandSender,
  commandEvent,
  EchoCommandMessage,
  MessageRegistry,
  type CommandContext,
  type CommandProcessorOptions,
} from '@tributary/commands';
import { createTopics } from '@tributary/test-kit';
import type { RawMessage } from './raw-kafkajs.js';
import { within } from './deadline.js';

/** How a processor of a throughput case is set up: its dedupe store, and whether it commits in transactions. */
export type ProcessorVariant = 'no store' | 'memory store' | 'kafka store' | 'transactions';

/** A commands topic with its dead-letter topic (the processor needs `<topic>.DLT` for failed messages). */
export async function createCommandsTopic(brokers: string[], prefix: string, partitions: number): Promise<string> {
  const topic = `${prefix}-${randomBytes(4).toString('hex')}`;
  await createTopics(brokers, [{ topic, numPartitions: partitions }, { topic: `${topic}.DLT`, numPartitions: 1 }]);
  return topic;
}

/**
 * `count` `echo` command records, encoded once as `CommandSender` encodes them (a JSON event, `{type, body}`
 * envelope, correlation id header), whose value is about `size` bytes: written as they are to every topic of a
 * case, so the processor and the raw kafkajs anchor read the same records.
 */
export async function echoRecords(count: number, size: number): Promise<RawMessage[]> {
  const probe = await encodeEvent(commandEvent(new EchoCommandMessage('')), jsonCodec, 'bench');
  const text = 'e'.repeat(Math.max(0, size - probe.value.length));
  const records: RawMessage[] = [];
  for (let i = 0; i < count; i++) {
    const r = await encodeEvent(commandEvent(new EchoCommandMessage(text)), jsonCodec, 'bench');
    records.push({ key: r.key, value: r.value, headers: r.headers, timestamp: r.timestamp });
  }
  return records;
}

function processorOptions(brokers: string[], topic: string, variant: ProcessorVariant, registry?: MessageRegistry): CommandProcessorOptions {
  const groupId = `bench-commands-${randomBytes(4).toString('hex')}`;
  const common = { connection: { brokers, logger: silentLogger }, groupId, topic, logger: silentLogger, ...(registry ? { registry } : {}) };
  switch (variant) {
    case 'no store':
      return { ...common, dedupe: false };
    case 'memory store':
      return { ...common, dedupe: 'memory' };
    case 'kafka store':
      return { ...common, dedupe: 'kafka' };
    case 'transactions':
      // The exactly-once setting as a user gets it by adding `transactions`: the Kafka store's mark goes in
      // the transaction with the offset commit.
      return { ...common, dedupe: 'kafka', transactions: { transactionalId: `${groupId}-worker` } };
  }
}

/** What one processor run over a pre-filled topic measured. */
export interface ProcessorRun {
  /** From the start() call (store, writer, group join) to the last message executed. */
  seconds: number;
  /** From the first partitions assigned to the last message executed. */
  afterAssignSeconds: number;
  /** This process's CPU seconds over `seconds`. */
  cpu: number;
}

/**
 * A new processor in a new group over `topic`, which holds `count` echo commands: the time from `start()` to
 * the count executed. Every message must execute once: a duplicate or a failure fails the run.
 */
export async function runProcessor(brokers: string[], topic: string, count: number, variant: ProcessorVariant, timeoutMs: number): Promise<ProcessorRun> {
  const options = processorOptions(brokers, topic, variant);
  let assignedAt: number | undefined;
  const processor = new CommandProcessor({ ...options, group: { onPartitionsAssigned: () => void (assignedAt ??= performance.now()) } });
  const cpu = process.cpuUsage();
  const started = performance.now();
  try {
    await processor.start();
    const c = processor.counters;
    await waitFor(() => c.executed >= count || c.failures > 0 || c.duplicates > 0, timeoutMs, () => `${variant}: the processor executed ${c.executed} of ${count} commands`);
    const ended = performance.now();
    if (c.failures > 0 || c.duplicates > 0) throw new Error(`${variant}: ${c.failures} failures and ${c.duplicates} duplicates among ${count} echo commands`);
    const used = process.cpuUsage(cpu);
    return { seconds: (ended - started) / 1000, afterAssignSeconds: (ended - (assignedAt ?? started)) / 1000, cpu: (used.user + used.system) / 1e6 };
  } finally {
    await processor.stop();
  }
}

/** Resolves once `done()` is true, polled every 2 ms; rejects with `what()` once `timeoutMs` have passed. */
async function waitFor(done: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`${what()} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Chains whose last command has run, by correlation id: told the time it ran. */
const chainEnds = new Map<string, (at: number) => void>();

/**
 * A command that re-emits itself with a counter one lower until it reaches 0, as the processor test's
 * Countdown: `new Countdown(n)` is a chain of n follow-ups. Its last one tells {@link chainEnds}.
 */
class Countdown extends CommandMessage {
  static readonly type = 'bench-countdown';

  constructor(readonly left: number) {
    super(Countdown.type);
  }

  execute(context: CommandContext): boolean {
    if (this.left > 0) this.newMessages = [new Countdown(this.left - 1)];
    else chainEnds.get(context.correlationId)?.(performance.now());
    return true;
  }

  toJSON(): unknown {
    return { left: this.left };
  }

  static fromJSON(body: unknown): Countdown {
    return new Countdown((body as { left: number }).left);
  }
}

/** A running processor and a sender on one commands topic: `chain()` times one chain from send to its end. */
export interface ChainBed {
  /** Send a chain of `depth` follow-ups; resolves with the milliseconds from the send call to the last one executed. */
  chain(depth: number): Promise<number>;
  close(): Promise<void>;
}

/** A processor (`variant` as in the throughput cases) running Countdown chains on a new commands topic. */
export async function startChainBed(brokers: string[], partitions: number, variant: ProcessorVariant, timeoutMs: number): Promise<ChainBed> {
  const topic = await createCommandsTopic(brokers, 'bench-commands-chain', partitions);
  const registry = addBuiltinMessageTypes(new MessageRegistry({ logger: silentLogger }));
  registry.addMessageType(Countdown);
  const sender = new CommandSender({ connection: { brokers, logger: silentLogger }, topic, logger: silentLogger });
  const processor = new CommandProcessor(processorOptions(brokers, topic, variant, registry));
  const close = async () => void (await Promise.allSettled([processor.stop(), sender.close()]));
  try {
    await processor.start();
  } catch (error) {
    await close();
    throw error;
  }
  const chain = async (depth: number) => {
    const correlationId = randomBytes(8).toString('hex');
    const ended = new Promise<number>((resolve) => chainEnds.set(correlationId, resolve));
    const started = performance.now();
    try {
      await sender.sendMessages([new Countdown(depth)], { correlationId });
      return (await within(ended, timeoutMs, `the chain ${correlationId} of ${depth} follow-ups ended`)) - started;
    } finally {
      chainEnds.delete(correlationId);
    }
  };
  return { chain, close };
}
