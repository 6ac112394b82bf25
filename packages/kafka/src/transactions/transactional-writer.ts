import { randomUUID } from 'node:crypto';
import type { Producer, Transaction } from 'kafkajs';
import { ErrorCodes, InvalidArgumentError, TributaryError } from '@tributary/core';
import type { KafkaClient } from '../connection/kafka-client.js';
import { KafkaAdmin } from '../admin/kafka-admin.js';
import { partitionKey, topicOffsets } from '../admin/topic-partition.js';
import { waitForPartitions } from '../admin/topic-wait.js';
import { asTributaryError } from '../errors.js';
import type { FenceableGroupMetadata, GroupMetadata } from '../group/group-membership.js';
import { brokerSupports, createTransactionalProducer, kafkaProtocolError, sendRawRequest, type InternalBroker, type InternalTxnOffsetCommit } from '../internal/kafkajs-internals.js';
import { kGenerationFenced, kKafkajs } from '../internal/symbols.js';
import { partitionForKey } from '../producer/partitioner.js';
import { outcomeUnknown, readTransactionOutcome, type TransactionInDoubt, type TransactionOutcome } from './transaction-outcome.js';
import { decodeTxnOffsetCommitResponse, encodeTxnOffsetCommitRequest, GENERATION_FENCING_ERRORS, TXN_OFFSET_COMMIT_API_KEY, TXN_OFFSET_COMMIT_VERSION } from '../protocol/txn-offset-commit-protocol.js';

/** How long a topic's partition count is kept for placing keyed records, as Java's `metadata.max.age.ms`. */
const PARTITION_COUNT_MAX_AGE_MS = 5 * 60_000;

/** First back-off of a kafkajs request that failed for a reason that may pass; doubles on each retry. */
const RETRY_INITIAL_MS = 5;

/** How long the writer tries to learn the outcome of a commit whose answer was lost, beyond the transaction timeout. */
const OUTCOME_GRACE_MS = 30_000;

/** A record to write in a transaction: bytes, headers, and its topic (and partition, or a key to pick it). */
export interface TransactionalRecord {
  readonly topic: string;
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, Buffer>>;
}

/** Consumer group offsets to commit with the transaction: the next offset to read of each partition. */
export interface TransactionalOffsets {
  readonly groupId: string;
  /** With the leader epoch of the record before each offset, when known (committed with it, as a member's commits). */
  readonly offsets: ReadonlyArray<{ readonly topic: string; readonly partition: number; readonly offset: bigint; readonly leaderEpoch?: number }>;
  /**
   * The consuming member's generation and id (`GroupMembership.groupMetadata()`), taken when the offsets were:
   * the coordinator then refuses the offsets once that generation is over (KIP-447), and the transaction fails
   * with COMMIT_FAILED, aborted. Without it, any writer with the transactional id commits them.
   */
  readonly member?: GroupMetadata;
}

/** The offsets of the transaction under way, for its TxnOffsetCommit. */
interface OffsetsUnderWay {
  readonly member: GroupMetadata | undefined;
  /** Committed as each offset's metadata: tells afterwards whether the transaction committed. */
  readonly tag: string;
  readonly epochs: ReadonlyMap<string, number>;
  /** Set when the coordinator fenced the member. */
  refused?: TributaryError;
}

/** Options of a {@link KafkaTransactionalWriter}. */
export interface KafkaTransactionalWriterOptions {
  /**
   * The transactional id: stable across restarts of the same worker, so a restarted worker fences its
   * predecessor and aborts the transaction it left open (Kafka's zombie fencing).
   */
  transactionalId: string;
  /** How long the broker lets a transaction stay open before aborting it. Default 60000 ms. */
  transactionTimeoutMs?: number;
}

/**
 * Writes records and commits consumer-group offsets in one Kafka transaction (exactly-once read-process-write):
 * a reader with `isolationLevel: 'read_committed'` sees the records only if the offsets were committed with
 * them, and never the records of a transaction that aborted. Transactions run one at a time; concurrent calls
 * queue. Built on kafkajs' transactional producer, which the Kafka layer keeps behind this class.
 *
 * Fencing is by transactional id (give each worker a stable id of its own, and one worker per id) and, for
 * offsets given with the consuming member's {@link GroupMetadata}, by its group generation (KIP-447: the
 * offsets go as TxnOffsetCommit v3, Kafka 2.5 and later; an older broker gets kafkajs' v1, without it): a member
 * whose partitions a rebalance moved cannot commit a transaction for them.
 */
export class KafkaTransactionalWriter implements AsyncDisposable {
  #producer: Producer;
  /** Makes the kafkajs producer: anew after one is left in a state it cannot leave (see {@link #run}). */
  readonly #makeProducer: () => Producer;
  readonly #admin: KafkaAdmin;
  readonly #partitionCounts = new Map<string, { count: number; at: number }>();
  #unkeyed = 0;
  #queue: Promise<unknown> = Promise.resolve();
  #connected: Promise<void> | undefined;
  #offsets: OffsetsUnderWay | undefined;
  readonly #transactionalId: string;
  readonly #outcomeDeadlineMs: number;

  /** @throws InvalidArgumentError for a missing transactional id. */
  constructor(client: KafkaClient, options: KafkaTransactionalWriterOptions) {
    if (typeof options?.transactionalId !== 'string' || options.transactionalId === '') {
      throw new InvalidArgumentError('transactionalId must be a non-empty string, stable for one worker across its restarts', { option: 'transactionalId', value: options?.transactionalId });
    }
    this.#transactionalId = options.transactionalId;
    this.#outcomeDeadlineMs = (options.transactionTimeoutMs ?? 60_000) + OUTCOME_GRACE_MS;
    // kafkajs sends TxnOffsetCommit v1 at most, without the member's generation: the Kafka layer sends v3.
    const config = {
      transactionalId: options.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: options.transactionTimeoutMs ?? 60_000,
      // A transaction begun just after the last one committed meets CONCURRENT_TRANSACTIONS while the coordinator
      // still writes the last one's markers, which takes a few milliseconds: back to back, transactions took 38 ms
      // each with Java's 20 ms back-off for it (kafkajs' default, 100 ms, caps a writer at a few a second) and 19 ms
      // with 5 ms, the retries doubling from there.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: RETRY_INITIAL_MS, maxRetryTime: 5000 },
    };
    this.#admin = new KafkaAdmin(client);
    this.#makeProducer = () => createTransactionalProducer(client[kKafkajs], config, (broker, request, kafkajsCommit) => this.#sendOffsets(broker, request, kafkajsCommit));
    this.#producer = this.#makeProducer();
  }

  /** Connect and fence any earlier writer with the same transactional id (its open transaction is aborted). */
  async connect(): Promise<void> {
    try {
      await (this.#connected ??= this.#connectAndFence(this.#producer));
    } catch (error) {
      this.#connected = undefined;
      throw asTributaryError(error, 'Connecting the transactional writer');
    }
  }

  async #connectAndFence(producer: Producer): Promise<void> {
    await producer.connect();
    // kafkajs' connect() asks for a producer id without the transactional id, and sends the transactional
    // InitProducerId only when a first transaction begins: an empty transaction begun and aborted (no request:
    // nothing was added to it) sends it now. It bumps the epoch, which fences an earlier writer with this id, and
    // ends the transaction left open under it: the coordinator completes a commit it began, aborts one it had not.
    const transaction = await producer.transaction();
    await transaction.abort();
  }

  /**
   * Write `records` and commit `offsets` atomically. Resolves once committed; on a failure the transaction is
   * aborted (nothing of it becomes visible to read_committed readers), run again when the failure may pass, and
   * the error thrown when it does not. A commit whose answer was lost (a connection reset, the coordinator killed
   * as it answered) is not run again blindly, which could commit the records twice: the writer starts over with a
   * new producer, whose InitProducerId ends the transaction, and reads from the group's commits (the offsets carry
   * the transaction's tag as metadata) whether it committed; it resolves if it did, runs it again if it did not.
   * @throws TributaryError TRANSACTION_OUTCOME_UNKNOWN (not retriable) when that could not be learned: Kafka out
   *   of reach until the transaction timeout and 30 s more, or a transaction without offsets, which nothing
   *   records. {@link outcome} asks again later; COMMIT_FAILED (not retriable) when the coordinator refused the offsets because
   *   `offsets.member`'s generation is over (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID): its
   *   partitions may belong to another member now; CONNECTION, AUTHORIZATION... with the cause kept.
   */
  commit(records: readonly TransactionalRecord[], offsets?: TransactionalOffsets): Promise<void> {
    const run = this.#queue.then(() => this.#withRetries(records, offsets));
    this.#queue = run.catch(() => {});
    return run;
  }

  /**
   * Whether a transaction a TRANSACTION_OUTCOME_UNKNOWN error named (its `context.transaction`) committed, asked
   * again: after the failure that kept it unknown passed. Queued behind the transactions under way.
   * @throws TributaryError TRANSACTION_OUTCOME_UNKNOWN while Kafka still does not tell, by the same deadline.
   */
  outcome(transaction: TransactionInDoubt): Promise<TransactionOutcome> {
    const run = this.#queue.then(() => this.#learnOutcome(transaction));
    this.#queue = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    await this.#queue;
    await this.#admin.close().catch(() => {});
    if (this.#connected) await this.#producer.disconnect();
    this.#connected = undefined;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * A transaction that failed for a reason that may pass (a coordinator moving, as a group's first commit can
   * meet) was aborted, so running it again is safe: up to five attempts.
   */
  async #withRetries(records: readonly TransactionalRecord[], offsets?: TransactionalOffsets): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#run(records, offsets);
      } catch (error) {
        if (!(error instanceof TributaryError) || !error.retriable || attempt >= 5) throw error;
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
      }
    }
  }

  async #run(records: readonly TransactionalRecord[], offsets?: TransactionalOffsets): Promise<void> {
    await this.connect();
    let transaction: Transaction | undefined;
    const underWay: OffsetsUnderWay = (this.#offsets = { member: offsets?.member, tag: `tributary-txn:${randomUUID()}`, epochs: epochsOf(offsets) });
    let committing = false;
    /** A send kafkajs resolved without an answer for its partition: its cluster's view is not to be trusted. */
    let unanswered = false;
    try {
      const perPartition = await this.#byPartition(records);
      transaction = await this.#producer.transaction();
      const open = transaction;
      // One sendBatch per partition, so each goes to one leader: kafkajs retries a sendBatch that failed at one
      // leader by sending again to every leader that had not answered yet, and a request still in flight then
      // (its sequence numbers already taken) is appended twice, once under new sequence numbers, inside the
      // transaction. Partitions of one broker still share its connection, one request at a time.
      await Promise.all(
        [...perPartition.values()].map(async ({ topic, partition, list }) => {
          const acks = await open.sendBatch({ acks: -1, topicMessages: [{ topic, messages: list.map((r) => ({ key: r.key, value: r.value, headers: { ...(r.headers ?? {}) }, partition })) }] });
          // kafkajs resolves a send whose Produce went out without the partition (its broker table confused, see
          // keepBrokersByNode) with no answer for it: committing then would commit offsets without the records.
          if (acks.some((a) => a.topicName === topic && a.partition === partition)) return;
          unanswered = true;
          throw unacknowledged(topic, partition, list.length);
        }),
      );
      if (offsets && offsets.offsets.length > 0) {
        const topics = topicOffsets(offsets.offsets).map(({ topic, partitions }) => ({ topic, partitions: partitions.map((p) => ({ ...p, metadata: underWay.tag })) }));
        await transaction.sendOffsets({ consumerGroupId: offsets.groupId, topics });
      }
      committing = true;
      await transaction.commit();
    } catch (error) {
      if (committing) {
        // The EndTxn may have reached the coordinator: never aborted and run again as it is before that is known.
        await this.#startOver();
        const doubt = offsets && offsets.offsets.length > 0 ? { transactionalId: this.#transactionalId, tag: underWay.tag, groupId: offsets.groupId, partitions: offsets.offsets.map(({ topic, partition }) => ({ topic, partition })) } : undefined;
        if (!doubt) throw outcomeUnknown(undefined, error, this.#transactionalId);
        if ((await this.#learnOutcome(doubt, error)) === 'committed') return;
        // Aborted: running it again is safe, as for a failure before the commit.
        throw underWay.refused ?? (error instanceof TributaryError ? error : asTributaryError(error, 'A transaction failed and was aborted'));
      }
      // kafkajs' state machine stays in ABORTING when an abort fails (a connection lost, the coordinator moving),
      // and in it refuses every later transaction ("Cannot call beginTransaction in state ABORTING"). As Java's
      // producer after a fatal error, the writer then starts over with a producer of its own: connecting it
      // (InitProducerId under the same transactional id) bumps the epoch and aborts whatever was left open.
      const aborted = !transaction?.isActive() || (await transaction.abort().then(() => true, () => false));
      if (!aborted || !transaction || unanswered) await this.#startOver();
      // kafkajs may wrap the refusal in its own error: the refusal is what happened.
      throw underWay.refused ?? (error instanceof TributaryError ? error : asTributaryError(error, 'A transaction failed and was aborted'));
    } finally {
      this.#offsets = undefined;
    }
  }

  /**
   * Whether the transaction in doubt committed: once this writer's producer has connected (its InitProducerId
   * ends the transaction), from the group's commits. Tried until the transaction timeout and a grace period
   * passed. `cause`: the failure that put it in doubt, kept on the error.
   */
  async #learnOutcome(doubt: TransactionInDoubt, cause?: unknown): Promise<TransactionOutcome> {
    const deadline = Date.now() + this.#outcomeDeadlineMs;
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const connected = await Promise.race([
        this.connect().then(() => true, () => false),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now())))),
      ]).finally(() => clearTimeout(timer));
      if (connected) break;
      if (Date.now() + 500 > deadline) throw outcomeUnknown(doubt, cause);
      await new Promise((r) => setTimeout(r, 500));
    }
    return readTransactionOutcome(this.#admin, doubt, deadline);
  }

  async #startOver(): Promise<void> {
    const stale = this.#producer;
    this.#producer = this.#makeProducer();
    this.#connected = undefined;
    await stale.disconnect().catch(() => {});
  }

  /**
   * The records by partition, in the order given: a record without a partition goes where Kafka's default
   * partitioner puts it (murmur2 of its key; one partition after the other for records without a key).
   */
  async #byPartition(records: readonly TransactionalRecord[]): Promise<Map<string, { topic: string; partition: number; list: TransactionalRecord[] }>> {
    const out = new Map<string, { topic: string; partition: number; list: TransactionalRecord[] }>();
    for (const r of records) {
      const partition = r.partition ?? (await this.#place(r));
      const key = partitionKey(r.topic, partition);
      const entry = out.get(key);
      if (entry) entry.list.push(r);
      else out.set(key, { topic: r.topic, partition, list: [r] });
    }
    return out;
  }

  async #place(record: TransactionalRecord): Promise<number> {
    let known = this.#partitionCounts.get(record.topic);
    if (!known || Date.now() - known.at > PARTITION_COUNT_MAX_AGE_MS) {
      // A topic the broker asked does not know yet is asked for again for up to a second (see waitForPartitions);
      // a lookup that failed otherwise fails the transaction, which runs again when the failure may pass.
      const count = await waitForPartitions(record.topic, () => this.#admin.partitionCount(record.topic), { retryForMs: 0, ...(known ? { known: known.count } : {}) });
      known = { count, at: Date.now() };
      this.#partitionCounts.set(record.topic, known);
    }
    return record.key === null ? this.#unkeyed++ % known.count : partitionForKey(record.key, known.count);
  }

  /**
   * kafkajs' TxnOffsetCommit of the transaction under way, as v3 with the member's generation and id and each
   * offset's leader epoch (to a broker older than Kafka 2.5, as kafkajs sends it). A refusal for the member's
   * generation fails the transaction with COMMIT_FAILED and tells the membership; the coordinator's other
   * refusals go back to kafkajs as its own errors (it retries COORDINATOR_LOAD_IN_PROGRESS, looks the coordinator
   * up again after NOT_COORDINATOR).
   */
  async #sendOffsets(broker: InternalBroker, request: InternalTxnOffsetCommit, kafkajsCommit: () => Promise<unknown>): Promise<unknown> {
    const underWay = this.#offsets;
    if (!underWay || !brokerSupports(broker, TXN_OFFSET_COMMIT_API_KEY, TXN_OFFSET_COMMIT_VERSION)) return kafkajsCommit();
    const member = underWay.member;
    const partitions = request.topics.flatMap(({ topic, partitions }) =>
      partitions.map((p) => ({ topic, partition: p.partition, offset: BigInt(String(p.offset)), leaderEpoch: underWay.epochs.get(partitionKey(topic, p.partition)) ?? -1, metadata: p.metadata ?? null })),
    );
    const body = encodeTxnOffsetCommitRequest({
      transactionalId: request.transactionalId,
      groupId: request.groupId,
      producerId: BigInt(String(request.producerId)),
      producerEpoch: request.producerEpoch,
      generationId: member?.generationId ?? -1,
      memberId: member?.memberId ?? '',
      groupInstanceId: member?.groupInstanceId ?? null,
      partitions,
    });
    const response = await sendRawRequest(broker, { apiKey: TXN_OFFSET_COMMIT_API_KEY, apiVersion: TXN_OFFSET_COMMIT_VERSION, apiName: 'TxnOffsetCommit', body, decode: decodeTxnOffsetCommitResponse, flexible: true });
    const refused = response.partitions.find((p) => p.errorCode !== 0);
    if (!refused) return response;
    const fencing = GENERATION_FENCING_ERRORS.get(refused.errorCode);
    if (fencing === undefined || !member) throw kafkaProtocolError(refused.errorCode);
    (member as FenceableGroupMetadata)[kGenerationFenced]?.();
    throw (underWay.refused = new TributaryError(
      ErrorCodes.COMMIT_FAILED,
      `The group coordinator refused the offsets of group "${request.groupId}" (${fencing}): member ${member.memberId} of generation ${member.generationId} no longer owns its partitions; the transaction was aborted, nothing of it committed`,
      { retriable: false, context: { groupId: request.groupId, generationId: member.generationId, memberId: member.memberId, kafkaError: fencing } },
    ));
  }
}

function unacknowledged(topic: string, partition: number, records: number): TributaryError {
  return new TributaryError(ErrorCodes.CONNECTION, `Writing ${records} record(s) to ${topic}:${partition} in a transaction got no answer for that partition from kafkajs; the transaction is aborted and run again with a new producer`, {
    retriable: true,
    context: { topic, partition },
  });
}

/** The leader epochs given with the offsets, by partition. */
function epochsOf(offsets: TransactionalOffsets | undefined): Map<string, number> {
  const epochs = new Map<string, number>();
  for (const o of offsets?.offsets ?? []) if (o.leaderEpoch !== undefined && o.leaderEpoch >= 0) epochs.set(partitionKey(o.topic, o.partition), o.leaderEpoch);
  return epochs;
}

