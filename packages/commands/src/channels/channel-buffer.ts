import { ErrorCodes, TributaryError } from '@tributary/core';
import { ChannelFullError, MessageExpiredError } from '../errors.js';

/** A message on a channel: an object, as Django Channels' messages are dicts (with a `type` for consumers). */
export type ChannelMessage = Record<string, unknown>;

interface Buffered {
  readonly message: ChannelMessage;
  readonly expiresAt: number;
}

interface Waiter {
  readonly resolve: (message: ChannelMessage) => void;
  readonly reject: (error: Error) => void;
}

/**
 * One channel's undelivered messages, in the order they arrived, bounded by `capacity`; and the receivers waiting
 * for the next one, in the order they asked. A message is handed to a waiting receiver at once, else kept until a
 * receive takes it or its expiry passes (then it is dropped and `onExpired` counts it). Never drops a message to
 * make room: a push to a full channel throws.
 */
export class ChannelBuffer {
  readonly channel: string;
  readonly capacity: number;
  readonly #onExpired: (count: number) => void;
  #queue: Buffered[] = [];
  readonly #waiters: Waiter[] = [];

  constructor(channel: string, capacity: number, onExpired: (count: number) => void) {
    this.channel = channel;
    this.capacity = capacity;
    this.#onExpired = onExpired;
  }

  /** Messages kept, not yet received (expired ones included until the next sweep). */
  get size(): number {
    return this.#queue.length;
  }

  /** Receivers waiting for a message. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /**
   * Hand `message` to the first waiting receiver (`received`) or keep it (`buffered`).
   * @throws MessageExpiredError when `expiresAt` has passed; ChannelFullError when `capacity` messages are kept.
   */
  push(message: ChannelMessage, expiresAt: number, now = Date.now()): 'received' | 'buffered' {
    if (expiresAt <= now) throw new MessageExpiredError(this.channel, expiresAt);
    const waiter = this.#waiters.shift();
    if (waiter) {
      waiter.resolve(message);
      return 'received';
    }
    if (this.#queue.length >= this.capacity && this.dropExpired(now) === 0) throw new ChannelFullError(this.channel, this.capacity);
    this.#queue.push({ message, expiresAt });
    return 'buffered';
  }

  /**
   * The next message that has not expired, or wait for one.
   * @throws TributaryError ABORTED when `signal` aborts first (no message is taken then).
   */
  take(signal?: AbortSignal): Promise<ChannelMessage> {
    this.dropExpired(Date.now());
    const next = this.#queue.shift();
    if (next) return Promise.resolve(next.message);
    if (signal?.aborted) return Promise.reject(aborted(this.channel, signal));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(aborted(this.channel, signal!));
      };
      const waiter: Waiter = {
        resolve: (m) => (signal?.removeEventListener('abort', onAbort), resolve(m)),
        reject: (e) => (signal?.removeEventListener('abort', onAbort), reject(e)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Drop the kept messages whose expiry has passed; returns how many (also told to `onExpired`). */
  dropExpired(now: number): number {
    const before = this.#queue.length;
    // Senders may set different expiries, so any kept message may be the first to expire.
    if (!this.#queue.some((b) => b.expiresAt <= now)) return 0;
    this.#queue = this.#queue.filter((b) => b.expiresAt > now);
    const dropped = before - this.#queue.length;
    if (dropped > 0) this.#onExpired(dropped);
    return dropped;
  }

  /** Drop every kept message (a flush); returns how many. Waiting receivers keep waiting. */
  clear(): number {
    const dropped = this.#queue.length;
    this.#queue = [];
    return dropped;
  }

  /** End every waiting receive with `error` (the layer is closing). */
  rejectWaiters(error: Error): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}

function aborted(channel: string, signal: AbortSignal): TributaryError {
  return new TributaryError(ErrorCodes.ABORTED, `Receiving from channel ${channel} was aborted`, { context: { channel }, cause: signal.reason });
}
