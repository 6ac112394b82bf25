/**
 * A tiny in-memory StreamService for the gateway's tests: streams kept in arrays, listeners given the header
 * then the puts after it, as the contract says. Each listener has its own queue, so one slow listener never
 * holds up another; past `maxQueued` it is dropped with a `close` that says why, as the hub does.
 */
import { InvalidArgumentError } from '@tributary/core';
import { InvalidStreamNameError } from '../../../src/errors.js';
import { isValidStreamName } from '../../../src/stream-name.js';
import type { ListenOptions, StreamDelivery, StreamListener, StreamService, StreamSubscription } from '../../../src/stream-service.js';

interface Stream {
  readonly epoch: string;
  /** Every record's message by offset; headers too (they take an offset, as in the log). */
  readonly records: { readonly action: 'header' | 'put'; readonly message: unknown }[];
  header: number | undefined;
}

interface Attached {
  readonly stream: string;
  readonly listener: StreamListener;
  readonly maxQueued: number;
  readonly queue: StreamDelivery[];
  pumping: boolean;
  ended: boolean;
}

export interface MemoryStreamServiceOptions {
  /**
   * Await each listener's `put` before its next delivery (default true, as the hub does). False hands
   * deliveries over without waiting: a service that ignores backpressure, which the gateway must bound itself.
   */
  awaitListeners?: boolean;
  /** Make an operation fail: return the error to throw for it. */
  failWith?: (action: 'setHeader' | 'put' | 'close' | 'delete' | 'listen' | 'hangup', stream: string | null) => unknown;
}

export class MemoryStreamService implements StreamService {
  readonly #streams = new Map<string, Stream>();
  readonly #attached = new Set<Attached>();
  readonly #options: MemoryStreamServiceOptions;
  #epochs = 0;

  constructor(options: MemoryStreamServiceOptions = {}) {
    this.#options = options;
  }

  /** Listeners attached now, to one stream or to all. */
  listenerCount(stream?: string): number {
    return [...this.#attached].filter((a) => stream === undefined || a.stream === stream).length;
  }

  async setHeader(stream: string, message: unknown): Promise<void> {
    const s = this.#stream(this.#check('setHeader', stream));
    s.header = s.records.push({ action: 'header', message }) - 1;
  }

  async put(stream: string, message: unknown): Promise<void> {
    const s = this.#stream(this.#check('put', stream));
    const offset = s.records.push({ action: 'put', message }) - 1;
    for (const a of this.#of(stream)) this.#deliver(a, { action: 'put', stream, message, position: { epoch: s.epoch, offset: String(offset) } });
  }

  async close(stream: string): Promise<void> {
    const s = this.#stream(this.#check('close', stream));
    const position = { epoch: s.epoch, offset: String(s.records.length) };
    for (const a of this.#of(stream)) {
      this.#deliver(a, { action: 'close', stream, position });
      this.#attached.delete(a);
    }
  }

  async delete(stream: string): Promise<void> {
    await this.close(this.#check('delete', stream));
    this.#streams.delete(stream);
  }

  async listen(stream: string, listener: StreamListener, options: ListenOptions = {}): Promise<StreamSubscription> {
    this.#check('listen', stream);
    const { from = 'header', maxQueued = 10_000 } = options;
    const s = this.#streams.get(stream);
    // The header to give first (if any), and the first offset whose puts follow.
    let header = s?.header;
    let recovered = true;
    if (typeof from === 'object') {
      if (!/^\d+$/.test(from.offset)) throw new InvalidArgumentError(`A stream position is { epoch, offset } with the offset in decimal, got ${JSON.stringify(from)}`, { option: 'from' });
      recovered = s !== undefined && s.epoch === from.epoch && Number(from.offset) < s.records.length;
      if (recovered) header = undefined;
    } else if (from === 'start') header = undefined;
    const start = typeof from === 'object' && recovered ? Number(from.offset) + 1 : from === 'start' ? 0 : (header ?? -1) + 1;
    const attached: Attached = { stream, listener, maxQueued, queue: [], pumping: false, ended: false };
    this.#attached.add(attached);
    const position = (offset: number) => ({ epoch: s!.epoch, offset: String(offset) });
    if (header !== undefined) this.#deliver(attached, { action: 'header', stream, message: s!.records[header]!.message, position: position(header) });
    for (let offset = start; offset < (s?.records.length ?? 0); offset++) {
      const record = s!.records[offset]!;
      if (record.action === 'put') this.#deliver(attached, { action: 'put', stream, message: record.message, position: position(offset) });
    }
    return { recovered, hangup: async () => void this.#detach(attached) };
  }

  async hangup(stream: string | null, listener: StreamListener): Promise<void> {
    if (stream !== null) this.#check('hangup', stream);
    for (const a of this.#attached) if (a.listener === listener && (stream === null || a.stream === stream)) this.#detach(a);
  }

  #check(action: Parameters<NonNullable<MemoryStreamServiceOptions['failWith']>>[0], stream: string): string {
    if (!isValidStreamName(stream)) throw new InvalidStreamNameError(stream);
    const error = this.#options.failWith?.(action, stream);
    if (error !== undefined) throw error;
    return stream;
  }

  #stream(name: string): Stream {
    let s = this.#streams.get(name);
    if (s === undefined) this.#streams.set(name, (s = { epoch: `e${++this.#epochs}`, records: [], header: undefined }));
    return s;
  }

  #of(stream: string): Attached[] {
    return [...this.#attached].filter((a) => a.stream === stream);
  }

  #detach(a: Attached): void {
    a.ended = true;
    a.queue.length = 0;
    this.#attached.delete(a);
  }

  #deliver(a: Attached, delivery: StreamDelivery): void {
    if (a.ended) return;
    if (this.#options.awaitListeners === false) {
      void Promise.resolve(a.listener.put(delivery)).catch(() => {});
      return;
    }
    if (a.queue.length >= a.maxQueued) {
      this.#detach(a);
      void Promise.resolve(a.listener.put({ action: 'close', stream: a.stream, reason: `slow listener: more than ${a.maxQueued} deliveries waiting for put()` })).catch(() => {});
      return;
    }
    a.queue.push(delivery);
    if (!a.pumping) void this.#pump(a);
  }

  async #pump(a: Attached): Promise<void> {
    a.pumping = true;
    while (a.queue.length > 0) await a.listener.put(a.queue.shift()!);
    a.pumping = false;
  }
}
