import { ErrorCodes, TributaryError } from '@tributary/core';
import { canRetry, judgeAttempt } from './attempt-failure.js';
import { classifyAttempts } from './outcome.js';
import { MAX_EPOCH, PartitionState, type DrainRules, type ProducerIdentity } from './partition-state.js';
import type { ProducerBatch } from './producer-batch.js';
import type { PartitionAnswer, SenderOptions, SenderPorts } from './sender-ports.js';

export type { PartitionAnswer, SenderOptions, SenderPorts } from './sender-ports.js';

/** A broker's requests on the wire, and whether its connection is trusted with more than one. */
interface NodeState {
  inFlight: number;
  /** Until a request has been answered on the connection (a new one, or after it failed), one request at a time. */
  proven: boolean;
  /** Resolves once the broker's last request has been handed to its connection. */
  handedOff: Promise<void>;
}

const defaultBackoff = (retry: number) => Math.min(1000, 100 * 2 ** retry);
const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * Kafka's Sender: drains the partitions' batches into one Produce request per broker, up to `maxInFlight`
 * requests per broker on the wire, and completes, retries or gives up each batch by its partition's own answer,
 * as Java's Sender, RecordAccumulator and TransactionManager do for an idempotent producer (see PartitionState
 * for the order and sequence rules). Outcomes stay exact: a batch is `failed` only when no attempt can have
 * appended it (classifyAttempts), and a batch that may have been appended is never sent under new numbers.
 */
export class Sender {
  readonly #ports: SenderPorts;
  readonly #options: SenderOptions;
  readonly #backoff: (retry: number) => number;
  readonly #now: () => number;
  /** Each topic's partition states by partition number: looked up for every record, so no key string is made. */
  readonly #partitions = new Map<string, PartitionState[]>();
  /** Partitions with batches waiting. */
  readonly #waiting = new Set<PartitionState>();
  readonly #nodes = new Map<number, NodeState>();
  #producer: ProducerIdentity;
  #newProducer: Promise<void> | undefined;
  #refreshing: Promise<void> | undefined;
  #lastRefreshError: unknown;
  #scheduled = false;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Number.POSITIVE_INFINITY;
  #flushing = 0;

  constructor(ports: SenderPorts, producer: ProducerIdentity, options: SenderOptions) {
    this.#ports = ports;
    this.#producer = producer;
    this.#options = options;
    this.#backoff = options.backoff ?? defaultBackoff;
    this.#now = options.now ?? Date.now;
  }

  get #idempotent(): boolean {
    return this.#producer.producerId >= 0n;
  }

  /** The partition's state, made on first use under the current producer id and epoch. */
  partition(topic: string, partition: number): PartitionState {
    let states = this.#partitions.get(topic);
    if (!states) this.#partitions.set(topic, (states = []));
    return (states[partition] ??= new PartitionState(topic, partition, this.#producer));
  }

  /** Batches were added to `state`: send them as the rules allow. */
  added(state: PartitionState): void {
    this.#waiting.add(state);
    this.schedule();
  }

  /** While flushing, batches go without lingering (close() and drain()). */
  flushing(on: boolean): void {
    this.#flushing += on ? 1 : -1;
    if (on) this.schedule();
  }

  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#run());
  }

  /** Stop the sender's timer (the writer is closed; nothing is waiting). */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = Number.POSITIVE_INFINITY;
  }

  #run(): void {
    this.#scheduled = false;
    const now = this.#now();
    const rules: DrainRules = {
      now,
      lingerMs: this.#options.lingerMs,
      batchSize: this.#options.batchSize,
      maxInFlight: this.#idempotent ? 5 : 1,
      flushing: this.#flushing > 0,
    };
    const byNode = new Map<number, PartitionState[]>();
    let wakeAt = Number.POSITIVE_INFINITY;
    let leaderless = false;
    for (const state of this.#waiting) {
      wakeAt = Math.min(wakeAt, this.#expire(state, now));
      if (state.resetNeeded && state.inFlight.length === 0) this.#reset(state);
      if (state.queue.length === 0) {
        this.#waiting.delete(state);
        continue;
      }
      const next = state.sendable(rules);
      if (typeof next === 'number') wakeAt = Math.min(wakeAt, next);
      if (next === undefined || typeof next === 'number') continue;
      const node = this.#ports.leaderOf(state.topic, state.partition);
      if (node === undefined || node < 0) {
        leaderless = true;
        continue;
      }
      let states = byNode.get(node);
      if (!states) byNode.set(node, (states = []));
      states.push(state);
    }
    if (leaderless) this.#refresh();
    for (const [node, states] of byNode) this.#drainNode(node, states, rules);
    // Nothing waiting: no timer keeps the process alive (an answer brings the partition back).
    if (this.#waiting.size === 0) this.stop();
    else this.#wakeAt(wakeAt);
  }

  /** Build requests for `node` from its partitions' sendable batches while it has room on the wire. */
  #drainNode(node: number, states: PartitionState[], rules: DrainRules): void {
    const n = this.#node(node);
    while (states.length > 0 && n.inFlight < (n.proven ? this.#options.maxInFlight : 1)) {
      const batches: Array<{ state: PartitionState; batch: ProducerBatch }> = [];
      const more: PartitionState[] = [];
      let bytes = 0;
      for (const state of states) {
        const next = state.sendable(rules);
        if (next === undefined || typeof next === 'number') continue;
        if (batches.length > 0 && bytes + next.bytes > this.#options.maxRequestBytes) {
          more.push(state);
          continue;
        }
        bytes += next.bytes;
        batches.push({ state, batch: state.take() });
        more.push(state);
      }
      if (batches.length === 0) return;
      this.#send(node, n, batches);
      states = more;
    }
  }

  #node(node: number): NodeState {
    let n = this.#nodes.get(node);
    if (!n) this.#nodes.set(node, (n = { inFlight: 0, proven: false, handedOff: Promise.resolve() }));
    return n;
  }

  /** Encode the batches (once each), then hand the request to the broker's connection after the requests before it. */
  #send(node: number, n: NodeState, batches: Array<{ state: PartitionState; batch: ProducerBatch }>): void {
    n.inFlight++;
    const encoded = Promise.all(batches.map(({ state, batch }) => this.#encode(state, batch)));
    const handed = n.handedOff.then(() => encoded);
    n.handedOff = handed.then(
      () => {},
      () => {},
    );
    void handed.then(async (ok) => {
      const sending = batches.filter((_, i) => ok[i]);
      let answers: ReadonlyMap<string, PartitionAnswer> | undefined;
      let failure: unknown;
      if (sending.length > 0) {
        try {
          answers = await this.#ports.produce(node, {
            acks: this.#options.acks,
            timeoutMs: this.#options.timeoutMs,
            partitions: sending.map(({ batch }) => ({ topic: batch.topic, partition: batch.partition, records: batch.encoded! })),
          });
          n.proven = true;
        } catch (error) {
          failure = error;
          n.proven = false;
        }
      }
      n.inFlight--;
      for (const { state, batch } of sending) {
        state.landed(batch);
        if (failure !== undefined) this.#failed(state, batch, failure, (failure as { notSent?: boolean }).notSent !== true);
        else if (answers === undefined) batch.succeed(-1n);
        else {
          const answer = answers.get(key(batch.topic, batch.partition));
          if (answer === undefined) this.#failed(state, batch, new TributaryError(ErrorCodes.CONNECTION, `The broker's answer left out ${batch.topic}:${batch.partition}`, { retriable: true, context: { topic: batch.topic, partition: batch.partition } }), true);
          else if ('baseOffset' in answer) batch.succeed(answer.baseOffset);
          else this.#failed(state, batch, answer.error, true);
        }
        if (state.queue.length > 0 || state.resetNeeded) this.#waiting.add(state);
      }
      this.schedule();
    });
  }

  /** The batch's bytes, encoded on its first send; false (the batch given up as ENCODE_FAILED) when they cannot be. */
  async #encode(state: PartitionState, batch: ProducerBatch): Promise<boolean> {
    if (batch.encoded) return true;
    try {
      const producer = this.#idempotent ? { producerId: state.producerId, producerEpoch: batch.epoch, baseSequence: batch.baseSequence } : {};
      batch.encoded = await batch.builder.build({ compression: this.#options.compression, ...producer });
      return true;
    } catch (cause) {
      const error = new TributaryError(ErrorCodes.ENCODE_FAILED, `Encoding the records for ${batch.topic}:${batch.partition} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
        cause,
        retriable: false,
        context: { topic: batch.topic, partition: batch.partition },
      });
      state.landed(batch);
      batch.attempts.push({ error, sent: false });
      batch.fail(error, 'failed');
      // Its sequence numbers were taken and will never reach the broker: the batches after it need new ones.
      state.gaveUp(batch, true);
      this.#waiting.add(state);
      return false;
    }
  }

  /** A batch's attempt failed: send it again, wait behind an earlier batch, start a new epoch, or give up (attempt-failure.ts). */
  #failed(state: PartitionState, batch: ProducerBatch, error: unknown, sent: boolean): void {
    batch.attempts.push({ error, sent });
    const { verdict, refresh } = judgeAttempt(error, {
      sent,
      idempotent: this.#idempotent,
      records: batch.count,
      mayHaveAppended: () => batch.mayHaveAppended(this.#options.acks),
      resetNeeded: state.resetNeeded,
    });
    if (refresh) this.#refresh();
    switch (verdict) {
      case 'split':
        return state.split(batch);
      case 'too-large':
        return this.#tooLarge(state, batch, error);
      case 'duplicate':
        return batch.succeed(-1n);
      case 'sequence-gap':
        // Behind an earlier batch that is not appended yet, it waits for it; at the head, the broker's state for the
        // producer is gone or has a gap: the partition starts a new epoch, and this batch (refused) goes under it.
        if (!state.hasEarlierUnacknowledged(batch)) state.resetNeeded = true;
        if (this.#now() <= batch.createdAt + this.#options.deliveryTimeoutMs) return state.requeue(batch);
        return this.#giveUp(state, batch, error);
      case 'requeue':
        return state.requeue(batch);
      case 'fenced':
        return this.#giveUp(state, batch, error);
      case 'retry':
        break;
    }
    const wait = this.#backoff(batch.failures++);
    const now = this.#now();
    if (canRetry(error) && batch.failures <= this.#options.retries && now + wait <= batch.createdAt + this.#options.deliveryTimeoutMs) {
      batch.retryAt = now + wait;
      state.requeue(batch);
      return;
    }
    this.#giveUp(state, batch, error);
  }

  /** A batch of one record refused as too large: it fails with EVENT_TOO_LARGE, naming its size and the topic's limit. */
  #tooLarge(state: PartitionState, batch: ProducerBatch, refusal: unknown): void {
    const outcome = classifyAttempts(batch.attempts, this.#options.acks);
    state.gaveUp(batch, outcome === 'failed');
    const { topic, partition } = batch;
    const size = batch.encoded!.length;
    void this.#ports
      .messageLimit(topic)
      .catch(() => undefined)
      .then((limit) => {
        const error = new TributaryError(
          ErrorCodes.EVENT_TOO_LARGE,
          `The broker refused a record for ${topic}:${partition} as too large: it takes ${size} bytes as a record batch, and the topic's max.message.bytes is ${limit ?? 'unknown (it could not be read)'}`,
          { cause: refusal, retriable: false, context: { topic, partition, size, limit } },
        );
        batch.fail(error, outcome);
      });
  }

  #giveUp(state: PartitionState, batch: ProducerBatch, error: unknown): void {
    const outcome = classifyAttempts(batch.attempts, this.#options.acks);
    batch.fail(error, outcome);
    state.gaveUp(batch, outcome === 'failed');
  }

  /**
   * Give up the partition's batches whose delivery time is spent while they wait: a batch never sent is `failed`;
   * one sent before by its attempts. Returns when the next waiting batch's time runs out.
   */
  #expire(state: PartitionState, now: number): number {
    // The queue is in the order its batches were made, so the first batch still in time ends the search.
    while (state.queue.length > 0) {
      const batch = state.queue[0]!;
      const deadline = batch.createdAt + this.#options.deliveryTimeoutMs;
      if (deadline >= now) return deadline + 1;
      state.queue.shift();
      if (batch.order >= 0) this.#giveUp(state, batch, batch.attempts[batch.attempts.length - 1]!.error);
      else {
        const error = new TributaryError(ErrorCodes.TIMEOUT, `No request for ${batch.topic}:${batch.partition} could be sent within deliveryTimeoutMs (${this.#options.deliveryTimeoutMs} ms)`, {
          cause: this.#lastRefreshError,
          retriable: true,
          context: { topic: batch.topic, partition: batch.partition },
        });
        batch.attempts.push({ error, sent: false });
        batch.fail(error, 'failed');
      }
    }
    return Number.POSITIVE_INFINITY;
  }

  /** Start the partition's sequence over under its next epoch (a new producer id past the last epoch). */
  #reset(state: PartitionState): void {
    let producer: ProducerIdentity = { producerId: state.producerId, producerEpoch: state.epoch + 1 };
    if (state.epoch >= MAX_EPOCH || state.producerId !== this.#producer.producerId) {
      if (state.producerId === this.#producer.producerId) this.#takeNewProducerId();
      if (state.producerId === this.#producer.producerId) return; // waiting for the new id
      producer = this.#producer;
    }
    // Batches the broker may have appended cannot go under new numbers: they end as their attempts say.
    for (const batch of state.reset(producer, this.#options.acks)) {
      batch.fail(batch.attempts[batch.attempts.length - 1]!.error, classifyAttempts(batch.attempts, this.#options.acks));
    }
  }

  #takeNewProducerId(): void {
    if (this.#newProducer) return;
    this.#newProducer = this.#ports.newProducerId().then(
      (producer) => {
        this.#producer = producer;
        this.#newProducer = undefined;
        this.schedule();
      },
      (error: unknown) => {
        this.#lastRefreshError = error;
        setTimeout(() => {
          this.#newProducer = undefined;
          this.schedule();
        }, 1000).unref();
      },
    );
  }

  /** Read the metadata again, once at a time; the partitions waiting for a leader are looked at again after. */
  #refresh(): void {
    if (this.#refreshing) return;
    this.#refreshing = this.#ports
      .refreshMetadata()
      .then(
        () => (this.#lastRefreshError = undefined),
        (error: unknown) => (this.#lastRefreshError = error),
      )
      .then(() => new Promise<void>((r) => setTimeout(r, 100).unref()))
      .finally(() => {
        this.#refreshing = undefined;
        this.schedule();
      });
  }

  #wakeAt(at: number): void {
    if (!Number.isFinite(at) || (this.#timer && this.#timerAt <= at)) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.POSITIVE_INFINITY;
      this.schedule();
    }, Math.max(0, at - this.#now()));
  }
}
