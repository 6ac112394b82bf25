import type { StreamDelivery, StreamListener, StreamSubscription } from '../stream-service.js';

type Step = IteratorResult<StreamDelivery, undefined>;

/**
 * A stream listened to through a gateway, read as an async iterator: `for await (const d of subscription)`
 * gives the header, each put, then the `close` (with its `reason` when the listener was dropped), and ends.
 * Breaking out of the loop hangs up. When the connection fails, the loop throws the {@link RemoteStreamError}
 * after the deliveries already received; after `disconnect()` or `hangup()` it simply ends.
 *
 * Deliveries are handed over one at a time: until the loop takes one, the next waits in the client, and past
 * the client's `maxQueued` the client stops reading the socket, so a slow loop slows the stream down.
 */
export class RemoteSubscription implements StreamListener, StreamSubscription, AsyncIterableIterator<StreamDelivery, undefined> {
  readonly stream: string;
  #recovered = true;
  readonly #hangup: () => Promise<void>;
  #offered: { delivery: StreamDelivery; taken: () => void } | undefined;
  #waiter: { resolve: (step: Step) => void; reject: (error: unknown) => void } | undefined;
  #ended = false;
  #error: unknown;

  /** Made by `RemoteStream.listen`; `hangup` is how it leaves. */
  constructor(stream: string, hangup: () => Promise<void>) {
    this.stream = stream;
    this.#hangup = hangup;
  }

  /** With `from: position`: whether the history after it was complete. Otherwise true. */
  get recovered(): boolean {
    return this.#recovered;
  }

  /** @internal Set by `RemoteStream.listen` from the gateway's answer. */
  setRecovered(recovered: boolean): void {
    this.#recovered = recovered;
  }

  /** Stop listening; the loop ends. */
  async hangup(): Promise<void> {
    this.finish();
    await this.#hangup();
  }

  /** @internal Resolves once the loop has taken the delivery. */
  put(delivery: StreamDelivery): Promise<void> {
    if (this.#ended) return Promise.resolve();
    return new Promise((taken) => {
      const waiter = this.#waiter;
      if (waiter === undefined) {
        this.#offered = { delivery, taken };
        return;
      }
      this.#waiter = undefined;
      waiter.resolve(this.#take(delivery));
      taken();
    });
  }

  /** @internal The loop ends once it has taken what was offered. */
  finish(): void {
    this.#ended = true;
    this.#release()?.resolve({ done: true, value: undefined });
  }

  /** @internal The loop throws `error` once it has taken what was offered. */
  fail(error: unknown): void {
    if (this.#ended) return;
    this.#error = error;
    this.#ended = true;
    this.#release()?.reject(error);
  }

  next(): Promise<Step> {
    const offered = this.#offered;
    if (offered !== undefined) {
      this.#offered = undefined;
      offered.taken();
      return Promise.resolve(this.#take(offered.delivery));
    }
    if (this.#ended) {
      const error = this.#error;
      this.#error = undefined;
      return error === undefined ? Promise.resolve({ done: true, value: undefined }) : Promise.reject(error);
    }
    return new Promise((resolve, reject) => (this.#waiter = { resolve, reject }));
  }

  /** Leaving the loop early hangs up. */
  async return(): Promise<Step> {
    if (!this.#ended) await this.hangup();
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /**
   * At the end: the route stops waiting for what was offered (the loop may still take it), and a waiting loop
   * (there is one only when nothing was offered) is handed back to be told.
   */
  #release(): { resolve: (step: Step) => void; reject: (error: unknown) => void } | undefined {
    this.#offered?.taken();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    return waiter;
  }

  #take(delivery: StreamDelivery): Step {
    // The close is the last delivery of a stream.
    if (delivery.action === 'close') this.#ended = true;
    return { done: false, value: delivery };
  }
}
