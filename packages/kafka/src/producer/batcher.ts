/**
 * Merges concurrent submissions into one request, since kafkajs has no producer accumulator: while a request
 * is in flight, new submissions wait and go out together in the next one. One request is in flight at a time,
 * which is what keeps per-key order across concurrent `send()` calls (and what kafkajs' idempotent producer
 * needs: more than one in flight risks out-of-order sequence errors).
 *
 * A submission is never split across requests, so each `send()` succeeds or fails as a whole request.
 */
export interface BatcherOptions<T, R> {
  /** How long to wait for more submissions when nothing is in flight. 0 waits one turn of the event loop. */
  lingerMs: number;
  /** Stop adding submissions to a request once it holds this many bytes (one submission may exceed it). */
  maxBatchBytes: number;
  /** Sends one request; returns one result per item, in order. */
  flush(items: T[]): Promise<R[]>;
}

interface Submission<T, R> {
  items: T[];
  bytes: number;
  resolve(results: R[]): void;
  reject(error: unknown): void;
}

export class Batcher<T, R> {
  readonly #options: BatcherOptions<T, R>;
  readonly #queue: Submission<T, R>[] = [];
  #queuedBytes = 0;
  #inFlight: Promise<void> | undefined;
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;

  constructor(options: BatcherOptions<T, R>) {
    this.#options = options;
  }

  /** Queue items (one caller's batch) and resolve with their results once the request carrying them is done. */
  submit(items: T[], bytes: number): Promise<R[]> {
    return new Promise<R[]>((resolve, reject) => {
      this.#queue.push({ items, bytes, resolve, reject });
      this.#queuedBytes += bytes;
      this.#schedule();
    });
  }

  /** Resolves once everything submitted so far has been sent (or failed). */
  async drain(): Promise<void> {
    while (this.#inFlight || this.#queue.length > 0) {
      if (!this.#inFlight) this.#start();
      await this.#inFlight;
    }
  }

  get pending(): number {
    return this.#queue.length;
  }

  #schedule(): void {
    if (this.#inFlight) return; // the in-flight request's completion starts the next one
    if (this.#queuedBytes >= this.#options.maxBatchBytes) return this.#start();
    if (this.#timer) return;
    const fire = () => {
      this.#timer = undefined;
      if (!this.#inFlight) this.#start();
    };
    this.#timer = this.#options.lingerMs > 0 ? setTimeout(fire, this.#options.lingerMs) : setImmediate(fire);
  }

  #start(): void {
    if (this.#timer) {
      clearTimeout(this.#timer as NodeJS.Timeout);
      clearImmediate(this.#timer as NodeJS.Immediate);
      this.#timer = undefined;
    }
    const batch = this.#take();
    if (batch.length === 0) return;
    this.#inFlight = this.#send(batch).finally(() => {
      this.#inFlight = undefined;
      if (this.#queue.length > 0) this.#start();
    });
  }

  #take(): Submission<T, R>[] {
    const batch: Submission<T, R>[] = [];
    let bytes = 0;
    while (this.#queue.length > 0) {
      const next = this.#queue[0]!;
      if (batch.length > 0 && bytes + next.bytes > this.#options.maxBatchBytes) break;
      batch.push(this.#queue.shift()!);
      bytes += next.bytes;
    }
    this.#queuedBytes -= bytes;
    return batch;
  }

  async #send(batch: Submission<T, R>[]): Promise<void> {
    const items = batch.flatMap((s) => s.items);
    let results: R[];
    try {
      results = await this.#options.flush(items);
    } catch (error) {
      for (const s of batch) s.reject(error);
      return;
    }
    let at = 0;
    for (const s of batch) {
      s.resolve(results.slice(at, at + s.items.length));
      at += s.items.length;
    }
  }
}
