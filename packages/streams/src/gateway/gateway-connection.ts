import type { Socket } from 'node:net';
import { ErrorCodes } from '@tributary/core';
import { toJsonLine } from '../codec/json-line.js';
import type { JsonValueCodec } from '../codec/json-stream-codec.js';
import type { ListenOptions, StreamService } from '../stream-service.js';
import { ConnectionListener, type ListenerHost } from './connection-listener.js';
import type { ResolvedGatewayOptions } from './options.js';
import { LineSplitter, type SplitLine } from './line-splitter.js';
import { ackJson, errorJson, GatewayErrorReasons, parseRequest, requestError, wireErrorOf, type ErrorPlace, type GatewayRequest, type WireError } from './wire.js';

/** How long a closing connection may take to hand over its last lines before it is cut. */
const GRACE_MS = 1000;
const KEEPALIVE_MS = 10_000;

/**
 * One client's connection: its lines handled one at a time, in order (a request is done before the next line
 * is read), its listeners, and the bound on what waits for it. Input is paused while a line's worth of
 * requests waits, so a fast publisher is slowed by TCP rather than buffered.
 */
export class GatewayConnection implements ListenerHost {
  readonly codec: JsonValueCodec;
  readonly #socket: Socket;
  readonly #service: StreamService;
  readonly #o: ResolvedGatewayOptions;
  readonly #splitter: LineSplitter;
  readonly #waiting: SplitLine[] = [];
  #waitingBytes = 0;
  #working = false;
  #inputEnded = false;
  #closed = false;
  #corked = false;
  readonly #listeners = new Map<string, ConnectionListener>();
  #drain: { promise: Promise<void>; resolve: () => void } | undefined;
  #tornDown: Promise<void> | undefined;
  /** Resolves once the socket is closed and every listener hung up. */
  readonly done: Promise<void>;

  constructor(socket: Socket, service: StreamService, options: ResolvedGatewayOptions) {
    this.#socket = socket;
    this.#service = service;
    this.#o = options;
    this.codec = options.codec;
    this.#splitter = new LineSplitter(options.maxLineBytes);
    socket.setNoDelay(true);
    // A client that only half-closed may still listen; one that is gone is found when a write fails, or by
    // keepalive on an idle connection.
    socket.setKeepAlive(true, KEEPALIVE_MS);
    socket.on('data', (chunk: Buffer) => this.#receive(this.#splitter.push(chunk)));
    socket.on('end', () => {
      this.#inputEnded = true;
      this.#receive(this.#splitter.end());
      this.#finishIfIdle();
    });
    socket.on('drain', () => this.#drained());
    // A reset or a broken pipe is a client leaving; 'close' follows and tears down.
    socket.on('error', () => {});
    this.done = new Promise((resolve) => socket.once('close', () => void this.#teardown().then(resolve)));
  }

  /** Whether the connection is closed (or closing): it takes no more requests and writes no more deliveries. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Queue a line for the client. A promise while the socket is over its watermark; nothing once closed. */
  send(json: Record<string, unknown>): Promise<void> | undefined {
    if (this.#closed) return undefined;
    const bytes = Buffer.from(`${toJsonLine(json)}\n`, 'utf8');
    const queued = this.#socket.writableLength;
    // One line into an empty queue always goes, however large: only a client that leaves lines unread is cut.
    if (queued > 0 && queued + bytes.length > this.#o.maxQueuedBytes) {
      this.shutdown({ code: ErrorCodes.CONNECTION, reason: GatewayErrorReasons.SLOW_CLIENT, message: `Disconnected: ${queued} bytes were waiting unread for this client, and the next line would pass maxQueuedBytes (${this.#o.maxQueuedBytes})`, retriable: true });
      return undefined;
    }
    // Lines written in one tick leave in one system call.
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    if (this.#socket.write(bytes)) return undefined;
    this.#drain ??= withResolvers();
    return this.#drain.promise;
  }

  ended(listener: ConnectionListener): void {
    if (this.#listeners.get(listener.stream) === listener) this.#listeners.delete(listener.stream);
    this.#finishIfIdle();
  }

  /**
   * Close this connection: listeners hung up at once, then a last error line saying why (best effort) and the
   * socket ended, cut after a grace period if the client does not take what is queued.
   */
  shutdown(why: WireError): void {
    if (this.#closed) return;
    // Written past the bound on purpose: it is the last line, and it says why there are no more.
    if (this.#socket.writable) this.#socket.write(`${toJsonLine(errorJson(why))}\n`);
    void this.#teardown();
    this.#socket.end();
    setTimeout(() => this.#socket.destroy(), GRACE_MS).unref();
  }

  #receive(lines: SplitLine[]): void {
    if (this.#closed) return;
    for (const line of lines) {
      this.#waiting.push(line);
      this.#waitingBytes += line.kind === 'line' ? line.bytes.length : 0;
    }
    if (this.#waitingBytes >= this.#o.maxLineBytes) this.#socket.pause();
    if (!this.#working) void this.#work();
  }

  async #work(): Promise<void> {
    this.#working = true;
    while (this.#waiting.length > 0 && !this.#closed) {
      const line = this.#waiting.shift()!;
      if (line.kind === 'line') this.#waitingBytes -= line.bytes.length;
      if (this.#waitingBytes < this.#o.maxLineBytes && this.#socket.isPaused()) this.#socket.resume();
      await this.#handle(line);
    }
    this.#working = false;
    this.#finishIfIdle();
  }

  async #handle(line: SplitLine): Promise<void> {
    if (line.kind === 'too-long') {
      this.#error(requestError(GatewayErrorReasons.LINE_TOO_LONG, `Line ${line.number} is longer than ${this.#o.maxLineBytes} bytes (maxLineBytes); it was skipped`), { line: line.number });
      return;
    }
    if (line.bytes.length === 0) return;
    const parsed = parseRequest(line.bytes, line.number, this.codec);
    if (!parsed.ok) this.#error(parsed.error, { line: line.number, id: parsed.id, stream: parsed.stream });
    else await this.#execute(parsed.request, line.number);
  }

  async #execute(request: GatewayRequest, line: number): Promise<void> {
    const place = { line, id: request.id, stream: request.stream };
    try {
      let recovered: boolean | undefined;
      switch (request.action) {
        case 'header':
          await this.#service.setHeader(request.stream, request.message);
          break;
        case 'put':
          await this.#service.put(request.stream, request.message);
          break;
        case 'close':
          await this.#service.close(request.stream);
          break;
        case 'delete':
          await this.#service.delete(request.stream);
          break;
        case 'listen':
          if (this.#listeners.has(request.stream)) {
            this.#error(requestError(GatewayErrorReasons.ALREADY_LISTENING, `Line ${line} (listen): this connection already listens to stream ${JSON.stringify(request.stream)}; hang up first`), place);
            return;
          }
          recovered = await this.#listen(request.stream, { from: request.from, maxQueued: request.maxQueued });
          break;
        case 'hangup':
          await this.#hangup(request.stream);
          break;
      }
      if (request.id !== undefined) this.send(ackJson(request.id, line, recovered));
    } catch (error) {
      this.#error(wireErrorOf(error, GatewayErrorReasons.SERVICE, `Line ${line} (${request.action}) failed: `), place);
    }
  }

  async #listen(stream: string, options: ListenOptions): Promise<boolean> {
    const listener = new ConnectionListener(stream, this);
    this.#listeners.set(stream, listener);
    try {
      const subscription = await this.#service.listen(stream, listener, withoutUndefined(options));
      listener.subscription = subscription;
      // Torn down, or the listener ended (the stream closed at once), while the service was adding it.
      if (this.#closed || !listener.active) await subscription.hangup().catch(() => {});
      return subscription.recovered;
    } catch (error) {
      listener.deactivate();
      this.ended(listener);
      throw error;
    }
  }

  async #hangup(stream: string | null): Promise<void> {
    const listeners = stream === null ? [...this.#listeners.values()] : [this.#listeners.get(stream)].filter((l) => l !== undefined);
    for (const listener of listeners) {
      listener.deactivate();
      this.#listeners.delete(listener.stream);
    }
    await Promise.all(listeners.map((l) => l.subscription?.hangup()));
  }

  #error(error: WireError, place: ErrorPlace): void {
    this.send(errorJson(error, place));
  }

  #drained(): void {
    const drain = this.#drain;
    this.#drain = undefined;
    drain?.resolve();
  }

  /** A client that said it sends no more, once its requests are done and no listener remains, is finished. */
  #finishIfIdle(): void {
    if (this.#inputEnded && !this.#working && this.#waiting.length === 0 && this.#listeners.size === 0 && !this.#closed) this.#socket.end();
  }

  #teardown(): Promise<void> {
    this.#tornDown ??= this.#hangUpAll();
    return this.#tornDown;
  }

  async #hangUpAll(): Promise<void> {
    this.#closed = true;
    this.#waiting.length = 0;
    this.#drained();
    const listeners = [...this.#listeners.values()];
    this.#listeners.clear();
    for (const listener of listeners) listener.deactivate();
    await Promise.all(listeners.map((l) => l.subscription?.hangup().catch(() => {})));
  }
}

function withResolvers(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function withoutUndefined<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as T;
}
