import type { Kafka } from 'kafkajs';
import { ErrorCodes, TributaryError } from '@tributary/core';

/** One record fetched from a partition, with its exact offset. */
export interface FetchedRecord {
  topic: string;
  partition: number;
  /** Decimal offset (exact: Kafka offsets are 64-bit). */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer>;
  timestamp: string;
}

/** What one fetch of a partition returned. */
export interface FetchResult {
  records: FetchedRecord[];
  /** The partition's high watermark when the broker answered (one past its last committed record). */
  highWatermark: bigint;
}

// kafkajs' Cluster and Broker are internal: only their use below is relied on (kafkajs 2.2.x, unmaintained,
// so it will not change under us). They give what kafkajs' public API lacks: a fetch with no consumer group.
interface KafkajsBroker {
  fetch(request: {
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    isolationLevel: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; fetchOffset: string; maxBytes: number }> }>;
  }): Promise<{ responses: Array<{ topicName: string; partitions: Array<{ partition: number; errorCode: number; highWatermark: string; messages: KafkajsRecord[] }> }> }>;
}
interface KafkajsRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | Buffer[] | undefined>;
  timestamp: string;
  isControlRecord?: boolean;
}
interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadata(): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(query: { nodeId: string }): Promise<KafkajsBroker>;
}

const READ_COMMITTED = 1;

function createCluster(kafka: Kafka): KafkajsCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = symbol ? (kafka as unknown as Record<symbol, (o: object) => KafkajsCluster>)[symbol] : undefined;
  if (!create) throw new Error('this kafkajs version does not expose its cluster; a group-less fetch needs kafkajs 2.2');
  return create({ allowAutoTopicCreation: false, maxInFlightRequests: null });
}

/**
 * Reads partitions from any offset without joining a consumer group and without committing anything: what
 * replay and catch-up readers need, and what kafkajs' public API does not offer (its consumer always joins a
 * group). Each fetch goes to the partition's leader; a moved leader is found again on the next call.
 */
export class KafkaFetcher implements AsyncDisposable {
  readonly #cluster: KafkajsCluster;
  #connected = false;

  constructor(kafka: Kafka) {
    this.#cluster = createCluster(kafka);
  }

  /**
   * Fetch records of one partition from `offset` (inclusive), at most about `maxBytes`, waiting up to
   * `maxWaitMs` for data when there is none yet. Control records (transaction markers) are left out.
   * @throws TributaryError OFFSET_OUT_OF_RANGE when `offset` is outside the partition; CONNECTION otherwise.
   */
  async fetch(topic: string, partition: number, offset: bigint, options: { maxBytes?: number; maxWaitMs?: number } = {}): Promise<FetchResult> {
    const maxBytes = options.maxBytes ?? 1024 * 1024;
    try {
      if (!this.#connected) {
        await this.#cluster.connect();
        this.#connected = true;
      }
      await this.#cluster.addTargetTopic(topic);
      let leaders = this.#cluster.findLeaderForPartitions(topic, [partition]);
      if (Object.keys(leaders).length === 0) {
        await this.#cluster.refreshMetadata();
        leaders = this.#cluster.findLeaderForPartitions(topic, [partition]);
      }
      const nodeId = Object.keys(leaders)[0];
      if (nodeId === undefined) throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `Topic "${topic}" has no partition ${partition}`, { context: { topic, partition } });
      const broker = await this.#cluster.findBroker({ nodeId });
      const response = await broker.fetch({
        maxWaitTime: options.maxWaitMs ?? 0,
        minBytes: 1,
        maxBytes,
        isolationLevel: READ_COMMITTED,
        topics: [{ topic, partitions: [{ partition, fetchOffset: offset.toString(), maxBytes }] }],
      });
      const answer = response.responses[0]?.partitions[0];
      const records: FetchedRecord[] = [];
      for (const m of answer?.messages ?? []) {
        // A fetch returns whole batches, which may start before the requested offset.
        if (m.isControlRecord || BigInt(m.offset) < offset) continue;
        records.push({ topic, partition, offset: m.offset, key: m.key, value: m.value, headers: toBuffers(m.headers), timestamp: m.timestamp });
      }
      return { records, highWatermark: BigInt(answer?.highWatermark ?? '0') };
    } catch (error) {
      throw fetchError(error, topic, partition, offset);
    }
  }

  async close(): Promise<void> {
    if (this.#connected) await this.#cluster.disconnect();
    this.#connected = false;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function toBuffers(headers: KafkajsRecord['headers']): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const v = Array.isArray(value) ? value[value.length - 1] : value;
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function fetchError(error: unknown, topic: string, partition: number, offset: bigint): unknown {
  if (error instanceof TributaryError) return error;
  const type = (error as { type?: string }).type;
  if (type === 'OFFSET_OUT_OF_RANGE') {
    return new TributaryError(ErrorCodes.OFFSET_OUT_OF_RANGE, `Offset ${offset} is outside partition ${topic}:${partition}`, { cause: error, context: { topic, partition, offset: offset.toString() } });
  }
  return new TributaryError(ErrorCodes.CONNECTION, `Fetching ${topic}:${partition} from offset ${offset} failed: ${(error as Error).message}`, {
    cause: error,
    retriable: (error as { retriable?: boolean }).retriable ?? true,
    context: { topic, partition, offset: offset.toString() },
  });
}
