import { ErrorCodes, isTributaryError, jsonCodec, encodeEvent, type Event, type EventRecord } from '@tributary/core';
import { ConsumerGroup, type HandlerContext, type OffsetToCommit } from '@tributary/consumer';
import { KafkaTransactionalWriter, KafkaWriter, type GroupMetadata, type TransactionalRecord } from '@tributary/kafka';
import { addBuiltinMessageTypes } from '../builtins/builtins.js';
import { CommandFailedError } from '../errors.js';
import { KafkaDedupeStore } from '../dedupe/kafka-dedupe-store.js';
import { MemoryDedupeStore, type DedupeStore } from '../dedupe/dedupe-store.js';
import { COMMAND_CATEGORY, commandEnvelope, commandEvent, followUpId, messageOf, type CommandEnvelope } from '../envelope/command-envelope.js';
import type { CommandMessage } from '../message/command-message.js';
import { MessageRegistry } from '../message/message-registry.js';
import { resolveProcessorOptions, type CommandProcessorOptions, type ResolvedProcessorOptions } from './options.js';
import { TransactionBatch } from './transaction-batch.js';

/**
 * Commands executed and held for their transaction, at most: past this, a handler waits for the transaction under
 * way, so a transaction that keeps failing does not let the batch grow without bound.
 */
const MAX_HELD = 10_000;


/** What a processor has done since it started. */
export interface CommandProcessorCounters {
  /** Messages that ran and succeeded (their follow-ups published). */
  executed: number;
  /** Redelivered messages the dedupe store knew, not run again. */
  duplicates: number;
  /** Failed runs (each retry counts). */
  failures: number;
  /** Follow-ups published. */
  followUps: number;
}

/**
 * Runs command messages from a topic in a consumer group (seed 000's processing, on Kafka): for each message,
 * skip it if the dedupe store knows its id; rebuild it with the registry; `execute()`; publish its follow-ups
 * (they keep the correlation id, and their causation id is this message's id); then the group commits. A false
 * result or a throw publishes nothing and commits nothing: the message is retried with back-off, then written
 * to `<topic>.DLT` with the reason.
 *
 * With `transactions`, the follow-ups and dedupe marks of the commands executed, and their offset commit, go in
 * one Kafka transaction per batch (a transaction under way, the next one takes every command executed meanwhile),
 * so a reader with `isolationLevel: 'read_committed'` sees each follow-up once even if the processor dies at any
 * point; a command that fails holds the commit back until it is dead-lettered (see `TransactionBatch`). Without, the window is this: a processor that dies after publishing follow-ups and before the group
 * commits runs the message again when it is redelivered (execution must be idempotent, as the seed demands) and
 * publishes the follow-ups again under the same ids, which readers can drop by id.
 */
export class CommandProcessor implements AsyncDisposable {
  readonly #o: ResolvedProcessorOptions;
  readonly #registry: MessageRegistry;
  readonly #dedupe: DedupeStore | undefined;
  readonly #group: ConsumerGroup;
  readonly #writer: KafkaWriter | undefined;
  readonly #txn: KafkaTransactionalWriter | undefined;
  readonly #batch: TransactionBatch | undefined;
  /** A commit of the batch is under way or due; `#again`: commands came meanwhile, so another follows. */
  #committing: Promise<void> | undefined;
  #again = false;
  readonly counters: CommandProcessorCounters = { executed: 0, duplicates: 0, failures: 0, followUps: 0 };

  /** @throws InvalidArgumentError naming a wrong option. */
  constructor(options: CommandProcessorOptions) {
    const o = (this.#o = resolveProcessorOptions(options));
    this.#registry = o.registry ?? addBuiltinMessageTypes(new MessageRegistry({ logger: o.logger }));
    const dedupe = o.dedupe ?? 'kafka';
    this.#dedupe = dedupe === false ? undefined : dedupe === 'memory' ? new MemoryDedupeStore() : dedupe === 'kafka' ? new KafkaDedupeStore({ client: o.client, topic: `${o.topic}.dedupe`, logger: o.logger }) : dedupe;
    if (o.transactions) {
      this.#txn = new KafkaTransactionalWriter(o.client, o.transactions);
      this.#batch = new TransactionBatch(this.#txn, o.groupId);
    } else this.#writer = new KafkaWriter(o.client);
    const batch = this.#batch;
    this.#group = new ConsumerGroup({
      ...o.group,
      client: o.client,
      groupId: o.groupId,
      topics: [o.topic],
      from: o.from ?? 'earliest',
      retry: o.retry,
      logger: o.logger,
      metrics: o.metrics,
      // Only committed follow-ups of other processors are commands to run.
      isolationLevel: 'read_committed',
      handlers: { [`${COMMAND_CATEGORY}.#`]: (event, context) => this.#handle(event, context) },
      // With transactions, the group's commits are the batch's transactions: offsets never commit without the
      // follow-ups of the commands below them.
      ...(batch ? { commitOffsets: (offsets: readonly OffsetToCommit[], member: GroupMetadata) => this.#commitBatch(offsets, member) } : {}),
      onPartitionsRevoked: (partitions) => {
        batch?.revoke(partitions);
        return o.group?.onPartitionsRevoked?.(partitions);
      },
      onPartitionsAssigned: async (...args) => {
        // A redelivered message may have been finished by the member that had the partition before.
        await this.#dedupe?.catchUp?.();
        await o.group?.onPartitionsAssigned?.(...args);
      },
    });
  }

  /** The registry the processor rebuilds messages with. */
  get registry(): MessageRegistry {
    return this.#registry;
  }

  async start(): Promise<void> {
    if (this.#dedupe instanceof KafkaDedupeStore) await this.#dedupe.start();
    await this.#txn?.connect();
    await this.#writer?.connect();
    await this.#group.start();
  }

  /** Stop taking messages, let the one at work finish, commit, and disconnect. */
  async stop(): Promise<void> {
    await this.#group.stop();
    await Promise.allSettled([this.#writer?.close(), this.#txn?.close(), this.#dedupe?.close?.()]);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  /**
   * One command. Synchronous (no Promise, so the group goes on to the next record without a round through the
   * microtask queue) while nothing on the way is: the dedupe lookup, `execute()`, and keeping what it left for the
   * batch's transaction; publishing follow-ups without transactions always waits for their acknowledgement.
   */
  #handle(event: Event, context: HandlerContext): void | Promise<void> {
    const envelope = commandEnvelope(event);
    const place = event.offset!;
    this.#batch?.handling(place.topic, place.partition, place.offset);
    if (this.#batch?.holds(envelope.id)) return this.#duplicate(envelope);
    const known = this.#dedupe?.has(envelope.id);
    if (known instanceof Promise) return known.then((done) => (done ? this.#duplicate(envelope) : this.#execute(envelope, place, context)));
    return known ? this.#duplicate(envelope) : this.#execute(envelope, place, context);
  }

  #duplicate(envelope: CommandEnvelope): void {
    this.counters.duplicates++;
    this.#o.logger.debug({ id: envelope.id, type: envelope.type }, 'Command already done: not run again');
  }

  #execute(envelope: CommandEnvelope, place: Place, context: HandlerContext): void | Promise<void> {
    const message = messageOf(this.#registry, envelope);
    let ok: boolean | Promise<boolean>;
    try {
      ok = message.execute({ id: envelope.id, correlationId: envelope.correlationId, causationId: envelope.causationId, attempt: context.attempt, signal: context.signal, logger: this.#o.logger });
    } catch (error) {
      throw this.#threw(envelope, error);
    }
    if (isThenable(ok)) {
      return Promise.resolve(ok).then(
        (result) => this.#executed(envelope, place, message, result),
        (error: unknown) => {
          throw this.#threw(envelope, error);
        },
      );
    }
    return this.#executed(envelope, place, message, ok);
  }

  #threw(envelope: CommandEnvelope, error: unknown): CommandFailedError {
    this.counters.failures++;
    return new CommandFailedError(envelope.id, envelope.type, `execute() threw: ${(error as Error)?.message ?? String(error)}`, error);
  }

  /** `execute()` returned `ok`: on success, its follow-ups are published (or held for the transaction). */
  #executed(envelope: CommandEnvelope, place: Place, message: CommandMessage, ok: unknown): void | Promise<void> {
    if (ok !== true) {
      this.counters.failures++;
      throw new CommandFailedError(envelope.id, envelope.type, `execute() returned ${JSON.stringify(ok)}`);
    }
    const next = message.newMessages;
    if (next.length === 0) return this.#done(envelope.id, place, []);
    const encoded = next.map((m, i) => encodeEvent(commandEvent(m, { id: followUpId(envelope.id, i), correlationId: envelope.correlationId, causationId: envelope.id }), jsonCodec, this.#o.topic));
    if (encoded.some(isThenable)) return Promise.all(encoded).then((records) => this.#done(envelope.id, place, records));
    return this.#done(envelope.id, place, encoded as EventRecord[]);
  }

  /** Hold what the command left for the batch's transaction, or publish its follow-ups and mark it done. */
  #done(id: string, place: Place, records: EventRecord[]): void | Promise<void> {
    if (this.#batch) {
      const held = this.#hold(place, id, records);
      this.counters.executed++;
      return held;
    }
    if (records.length === 0) {
      this.#mark(id);
      this.counters.executed++;
      return;
    }
    return this.#publish(id, records).then(() => {
      this.#mark(id);
      this.counters.followUps += records.length;
      this.counters.executed++;
    });
  }

  /** Keep what the command left for the batch's transaction, and see that one is under way. */
  #hold(place: Place, id: string, records: EventRecord[]): void | Promise<void> {
    const batch = this.#batch!;
    const writes: TransactionalRecord[] = records.map((r) => ({ topic: this.#o.topic, key: r.key, value: r.value, headers: r.headers }));
    const mark = this.#dedupe?.recordFor?.(id);
    if (mark) writes.push(mark);
    batch.add({ topic: place.topic, partition: place.partition, offset: place.offset, id, records: writes, followUps: records.length });
    const committing = this.#commitSoon();
    if (batch.size >= MAX_HELD) return committing;
  }

  /**
   * Have the group commit what settled (a transaction, through {@link #commitBatch}) once the records in hand
   * are handled: after the current turn of the event loop, or after the transaction under way, which takes
   * with it every command executed meanwhile. Resolves when that commit ended, whether or not it went through
   * (the group's next commit tries again).
   */
  #commitSoon(): Promise<void> {
    if (this.#committing) {
      this.#again = true;
      return this.#committing;
    }
    const run = async () => {
      do {
        // A turn of the event loop first: the records handled so far have settled by then.
        await new Promise((resolve) => setImmediate(resolve));
        this.#again = false;
        if (this.#group.state !== 'running') return;
        await this.#group.commit().catch((error: unknown) => {
          // A group that began to stop meanwhile commits at its stop.
          if (this.#group.state !== 'running') return;
          const err = (error as Error)?.message ?? String(error);
          if (isTributaryError(error, ErrorCodes.COMMIT_FAILED)) this.#o.logger.warn({ err }, 'A transaction of executed commands was refused: this member\'s generation is over; what it held is dropped with the partitions it lost');
          else if (isTributaryError(error, ErrorCodes.TRANSACTION_OUTCOME_UNKNOWN)) this.#o.logger.warn({ err }, 'Whether a transaction of executed commands committed is not known yet: no transaction runs until Kafka tells, asked again at the next commit');
          else this.#o.logger.warn({ err }, 'A transaction of executed commands failed; it is tried again at the next commit');
        });
      } while (this.#again);
    };
    this.#committing = run().finally(() => {
      this.#committing = undefined;
      // A command held between the last check and now.
      if (this.#again) void this.#commitSoon();
    });
    return this.#committing;
  }

  /**
   * The group's commit: one transaction for the offsets and every command below them, sent with the member's
   * generation, so a member whose partitions a rebalance moved meanwhile (a zombie: it stood still, or its
   * transaction was slow) cannot commit them: the transaction aborts, and the commands it held are dropped with
   * their partitions when the member rejoins (they run again from the group's commits, here or elsewhere).
   */
  async #commitBatch(offsets: readonly OffsetToCommit[], member: GroupMetadata): Promise<void> {
    const committed = await this.#batch!.commit(offsets, member);
    const dedupe = this.#dedupe;
    for (const done of committed) {
      if (dedupe) (dedupe.remember ?? dedupe.add).call(dedupe, done.id);
      this.counters.followUps += done.followUps;
    }
  }

  async #publish(id: string, records: EventRecord[]): Promise<void> {
    const results = await this.#writer!.write(records.map((r) => ({ topic: this.#o.topic, record: r, size: (r.key?.length ?? 0) + r.value.length })));
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) throw new CommandFailedError(id, 'follow-ups', `publishing its follow-ups failed (${failed.outcome})`, failed.error);
  }

  /**
   * Not awaited: the mark only spares a rerun when the message comes again, which happens only if the group has
   * not committed it; a mark lost with a crash costs a rerun, as at-least-once allows. Waiting for each mark
   * would cost a round trip per message.
   */
  #mark(id: string): void {
    const marked = this.#dedupe?.add(id);
    if (marked instanceof Promise) marked.catch((error: unknown) => this.#o.logger.warn({ id, err: (error as Error)?.message ?? String(error) }, 'A dedupe mark could not be written; a redelivery of this command would run it again'));
  }
}

/** Where a command was read. */
type Place = { readonly topic: string; readonly partition: number; readonly offset: bigint };

function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
