import { ErrorCodes, TributaryError } from '@tributary/core';
import type { ProducePartitionRequest, ProducePartitionResponse } from '../protocol/produce-protocol.js';
import type { Acks } from './outcome.js';

/** Sends one Produce request carrying `partitions` to a broker; resolves with its per-partition answers (undefined with acks 0). */
export type SendProduce = (request: { acks: Acks; timeoutMs: number; partitions: readonly ProducePartitionRequest[] }) => Promise<readonly ProducePartitionResponse[] | undefined>;

/** A partition's share of a broker's request: resolves with its answer, or undefined when none is expected (acks 0). */
interface Pending {
  readonly partition: ProducePartitionRequest;
  readonly acks: Acks;
  readonly timeoutMs: number;
  resolve(answer: ProducePartitionResponse | undefined): void;
  reject(error: unknown): void;
}

/**
 * Gathers the partition requests handed to one broker in one turn of the event loop into one Produce request
 * (Kafka's Produce carries any number of partitions), and gives each partition its own answer: a partition's
 * error is its own, so it is retried or reported alone. A connection failure fails every partition of the request
 * alike. A partition asked twice in one turn goes in the next request, since one Produce request carries one
 * batch per partition.
 */
export class BrokerRequests {
  readonly #send: SendProduce;
  #pending: Pending[] = [];
  #scheduled = false;

  constructor(send: SendProduce) {
    this.#send = send;
  }

  /** Queue one partition's batch for the broker's next request. */
  produce(partition: ProducePartitionRequest, acks: Acks, timeoutMs: number): Promise<ProducePartitionResponse | undefined> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ partition, acks, timeoutMs, resolve, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    this.#scheduled = false;
    let pending = this.#pending;
    this.#pending = [];
    while (pending.length > 0) {
      const { acks, timeoutMs } = pending[0]!;
      const request: Pending[] = [];
      const later: Pending[] = [];
      const seen = new Set<string>();
      for (const p of pending) {
        const id = `${p.partition.topic}\u0000${p.partition.partition}`;
        if (p.acks !== acks || p.timeoutMs !== timeoutMs || seen.has(id)) later.push(p);
        else {
          seen.add(id);
          request.push(p);
        }
      }
      void this.#request(request, acks, timeoutMs);
      pending = later;
    }
  }

  async #request(request: Pending[], acks: Acks, timeoutMs: number): Promise<void> {
    let answers: readonly ProducePartitionResponse[] | undefined;
    try {
      answers = await this.#send({ acks, timeoutMs, partitions: request.map((p) => p.partition) });
    } catch (error) {
      for (const p of request) p.reject(error);
      return;
    }
    const byPartition = new Map(answers?.map((a) => [`${a.topic}\u0000${a.partition}`, a]));
    for (const p of request) {
      if (answers === undefined) {
        p.resolve(undefined);
        continue;
      }
      const { topic, partition } = p.partition;
      const answer = byPartition.get(`${topic}\u0000${partition}`);
      // Sent and answered without the partition: nothing says whether it was appended.
      if (answer) p.resolve(answer);
      else p.reject(new TributaryError(ErrorCodes.CONNECTION, `The broker's answer left out ${topic}:${partition}`, { context: { topic, partition } }));
    }
  }
}
