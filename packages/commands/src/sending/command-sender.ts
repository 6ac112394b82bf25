import { jsonCodec, encodeEvent, ErrorCodes, InvalidArgumentError, isValidTopic, quote, TributaryError } from '@tributary/core';
import { KafkaClient, KafkaWriter, stderrLogger, type KafkaClientOptions, type Logger } from '@tributary/kafka';
import { commandEvent } from '../envelope/command-envelope.js';
import type { CommandMessage } from '../message/command-message.js';

/** Options of a {@link CommandSender}. */
export interface CommandSenderOptions {
  connection: KafkaClient | KafkaClientOptions;
  /** The commands topic. */
  topic: string;
  /** Messages per write, at most. Default 500. */
  batchSize?: number;
  logger?: Logger;
}

/** A message sent: its id and where it landed. */
export interface SentCommand {
  readonly id: string;
  readonly type: string;
  readonly partition: number;
  readonly offset: bigint;
}

/**
 * Sends command messages to a commands topic (seed 000's sending; `tributary send-message` on the command
 * line), in batches, each message a Tributary event with its own id and correlation id. Idempotent producer,
 * acknowledged by every in-sync replica.
 */
export class CommandSender implements AsyncDisposable {
  readonly #writer: KafkaWriter;
  readonly #topic: string;
  readonly #batchSize: number;

  /** @throws InvalidArgumentError naming a wrong option (`topic`, `batchSize`, `connection...`), before anything connects. */
  constructor(options: CommandSenderOptions) {
    if (typeof options?.topic !== 'string' || !isValidTopic(options.topic)) fail('topic', 'a topic name (1 to 249 letters, digits, ".", "_" or "-")', options?.topic);
    // A batch size below 1 would never move through the messages: refuse it here rather than loop at the first send.
    if (options.batchSize !== undefined && (!Number.isSafeInteger(options.batchSize) || options.batchSize < 1)) fail('batchSize', 'an integer >= 1', options.batchSize);
    const logger = options.logger ?? stderrLogger;
    const client = KafkaClient.from(options.connection, { clientId: 'tributary-commands', optionPath: 'connection', logger });
    this.#writer = new KafkaWriter(client);
    this.#topic = options.topic;
    this.#batchSize = options.batchSize ?? 500;
  }

  /**
   * Send messages, each its own correlation (or all under `correlationId`). Resolves with where each landed.
   * @throws TributaryError SEND_FAILED naming how many were not written; ENCODE_FAILED for a body JSON cannot hold.
   */
  async sendMessages(messages: readonly CommandMessage[], options: { correlationId?: string } = {}): Promise<SentCommand[]> {
    const sent: SentCommand[] = [];
    for (let i = 0; i < messages.length; i += this.#batchSize) {
      const events = messages.slice(i, i + this.#batchSize).map((m) => commandEvent(m, { correlationId: options.correlationId }));
      const records = await Promise.all(events.map((e) => encodeEvent(e, jsonCodec, this.#topic)));
      const results = await this.#writer.write(records.map((r) => ({ topic: this.#topic, record: r, size: (r.key?.length ?? 0) + r.value.length })));
      const failed = results.filter((r) => !r.ok);
      if (failed.length > 0) {
        throw new TributaryError(ErrorCodes.SEND_FAILED, `${failed.length} of ${results.length} command messages were not written (${sent.length} sent before)`, { retriable: true, context: { failed: failed.length, sent: sent.length }, cause: failed[0]!.ok ? undefined : failed[0]!.error });
      }
      results.forEach((r, k) => r.ok && sent.push({ id: events[k]!.id, type: events[k]!.type!, partition: r.partition, offset: r.offset }));
    }
    return sent;
  }

  close(): Promise<void> {
    return this.#writer.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function fail(option: string, expected: string, value: unknown): never {
  throw new InvalidArgumentError(`CommandSender option ${option} must be ${expected}, got ${quote(value)}`, { option, value, expected });
}
