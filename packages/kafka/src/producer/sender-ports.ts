import type { ProducePartitionRequest } from '../protocol/produce-protocol.js';
import type { Acks } from './outcome.js';
import type { ProducerIdentity } from './partition-state.js';

/*
 * The sender's contract with the world around it: the cluster it sends to (SenderPorts, made of the client's
 * metadata and connections by cluster-ports.ts, and of fakes in the sender's tests) and the settings it runs by.
 */

/** A partition's answer in a Produce response: the offset of its batch's first record, or the broker's refusal. */
export type PartitionAnswer = { readonly baseOffset: bigint } | { readonly error: Error };

/** Where the sender's requests go: the cluster's metadata and connections. */
export interface SenderPorts {
  /** The partition's leader in the metadata at hand; undefined when none is known. */
  leaderOf(topic: string, partition: number): number | undefined;
  /** Read the cluster's metadata again. Rejects with what kept it from being read. */
  refreshMetadata(): Promise<void>;
  /**
   * Send one Produce request to a broker, handed to its connection before this returns, so requests to one broker
   * go out in the order they were made. Resolves with each partition's answer by `topic\0partition` (undefined
   * with acks 0); rejects when no answer came (the connection's error), or when the broker cannot be reached (then
   * nothing was sent: the error says so with `notSent`).
   */
  produce(node: number, request: { acks: Acks; timeoutMs: number; partitions: readonly ProducePartitionRequest[] }): Promise<ReadonlyMap<string, PartitionAnswer> | undefined>;
  /** A new producer id (InitProducerId), when a partition has used every epoch of the one it has. */
  newProducerId(): Promise<ProducerIdentity>;
  /** The topic's `max.message.bytes` (the largest record batch its partitions take); undefined when it cannot be read. */
  messageLimit(topic: string): Promise<number | undefined>;
}

/** How the sender batches, sends and retries. */
export interface SenderOptions {
  readonly acks: Acks;
  readonly timeoutMs: number;
  /** The batches' compression codec: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd. */
  readonly compression: number;
  readonly lingerMs: number;
  readonly batchSize: number;
  /** Requests to one broker on the wire at once, at most (Java's max.in.flight.requests.per.connection). */
  readonly maxInFlight: number;
  /** A request stops taking partitions' batches once it holds this many bytes (Java's max.request.size). */
  readonly maxRequestBytes: number;
  /** Sends of a batch after its first, at most, on its own retriable failures. */
  readonly retries: number;
  /** A batch is given up once this many milliseconds have passed since its first record was written. */
  readonly deliveryTimeoutMs: number;
  /** The wait before a batch's retry `n` (0-based). Default 100 ms doubling up to 1 s. */
  readonly backoff?: (retry: number) => number;
  readonly now?: () => number;
}
