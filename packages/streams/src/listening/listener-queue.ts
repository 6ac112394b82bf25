import type { StreamDelivery, StreamListener } from '../stream-service.js';

/**
 * One listener's deliveries, handed to its `put()` one at a time in order: a `put` that returns a promise is
 * awaited first, so a listener paces itself. The queue is bounded: past `maxQueued` deliveries the listener is
 * dropped, told why with a final `close` (best effort), and `onDropped` runs, rather than buffering without limit.
 * Once a `close` is queued the queue takes nothing more, but what it holds is still handed over, in order, ending
 * with that `close`; `finished` says when.
 */
export class ListenerQueue {
  readonly #listener: StreamListener;
  readonly #maxQueued: number;
  readonly #onFailed: (reason: string) => void;
  readonly #queue: StreamDelivery[] = [];
  #pumping = false;
  #ended = false;
  #finish!: () => void;
  /** Resolves once nothing more will be handed to the listener: its last delivery was taken, or it was stopped or dropped. */
  readonly finished = new Promise<void>((resolve) => (this.#finish = resolve));

  constructor(listener: StreamListener, maxQueued: number, onFailed: (reason: string) => void) {
    this.#listener = listener;
    this.#maxQueued = maxQueued;
    this.#onFailed = onFailed;
  }

  /** Whether it takes no more deliveries (a `close` was queued, or it was stopped or dropped); see `finished`. */
  get ended(): boolean {
    return this.#ended;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Queue a delivery; false when the listener was dropped (slow) or had ended. */
  push(delivery: StreamDelivery): boolean {
    if (this.#ended) return false;
    if (this.#queue.length >= this.#maxQueued) {
      const reason = `slow listener: more than ${this.#maxQueued} deliveries waiting for put()`;
      this.#queue.length = 0;
      this.#ended = true;
      void Promise.resolve()
        .then(() => this.#listener.put({ action: 'close', stream: delivery.stream, reason }))
        .catch(() => {});
      this.#onFailed(reason);
      return false;
    }
    this.#queue.push(delivery);
    if (delivery.action === 'close') this.#ended = true;
    if (!this.#pumping) void this.#pump();
    return true;
  }

  /** Stop: nothing more is handed to the listener. */
  stop(): void {
    this.#ended = true;
    this.#queue.length = 0;
    this.#finish();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        const delivery = this.#queue.shift()!;
        try {
          const done = this.#listener.put(delivery);
          if (done && typeof (done as Promise<void>).then === 'function') await done;
        } catch (error) {
          // A listener that throws is dropped: its next deliveries could not be trusted to be in order.
          this.#queue.length = 0;
          this.#ended = true;
          this.#onFailed(`the listener's put() threw: ${error instanceof Error ? error.message : String(error)}`);
          return;
        }
      }
    } finally {
      this.#pumping = false;
      if (this.#ended && this.#queue.length === 0) this.#finish();
    }
  }
}
