import type { StreamDelivery, StreamListener } from '../stream-service.js';
import { RemoteSubscription } from './remote-subscription.js';

/** What a route tells the client it belongs to. */
export interface RouteOwner {
  /** Deliveries waiting across routes went up or down by `delta`. */
  queuedChanged(delta: number): void;
  /** The listener's `put` threw: the route has stopped; the owner hangs it up. */
  listenerFailed(route: RemoteRoute, error: unknown): void;
}

/**
 * One stream a client listens to: its deliveries, handed to the listener one at a time, each `put` awaited
 * before the next, so a listener paces its stream. The client's reading loop never waits for a listener
 * (a listener may await the client's own requests); it stops reading the socket only when too many
 * deliveries wait across routes.
 */
export class RemoteRoute {
  readonly stream: string;
  readonly listener: StreamListener;
  readonly #owner: RouteOwner;
  #queue: StreamDelivery[] = [];
  #pumping = false;
  #stopped = false;
  /** What happens after the last delivery when the connection ended: undefined while it is open. */
  #end: { error: unknown } | undefined;

  constructor(stream: string, listener: StreamListener, owner: RouteOwner) {
    this.stream = stream;
    this.listener = listener;
    this.#owner = owner;
  }

  push(delivery: StreamDelivery): void {
    if (this.#stopped) return;
    this.#queue.push(delivery);
    this.#owner.queuedChanged(1);
    if (!this.#pumping) void this.#pump();
  }

  /** Deliver nothing more (hung up). */
  stop(): void {
    this.#stopped = true;
    this.#owner.queuedChanged(-this.#queue.length);
    this.#queue = [];
    if (this.listener instanceof RemoteSubscription) this.listener.finish();
  }

  /**
   * The connection ended: after what is queued, an iterator ends (or throws `error`); a listener is told with
   * a `close` whose reason is the error's message (it has no other way to hear it).
   */
  end(error: unknown): void {
    if (this.#stopped || this.#end !== undefined) return;
    this.#end = { error };
    if (!this.#pumping) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    while (this.#queue.length > 0 && !this.#stopped) {
      const delivery = this.#queue.shift()!;
      this.#owner.queuedChanged(-1);
      try {
        await this.listener.put(delivery);
      } catch (error) {
        this.stop();
        this.#owner.listenerFailed(this, error);
      }
    }
    this.#pumping = false;
    if (this.#end !== undefined && !this.#stopped) this.#finish(this.#end.error);
  }

  #finish(error: unknown): void {
    this.#stopped = true;
    if (this.listener instanceof RemoteSubscription) {
      if (error === undefined) this.listener.finish();
      else this.listener.fail(error);
    } else if (error !== undefined) {
      void Promise.resolve()
        .then(() => this.listener.put({ action: 'close', stream: this.stream, reason: error instanceof Error ? error.message : String(error) }))
        .catch(() => {});
    }
  }
}
