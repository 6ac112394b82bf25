import { connect, type Socket } from 'node:net';
import { ErrorCodes, InvalidArgumentError } from '@tributary/core';
import { toJsonLine } from '../codec/json-line.js';
import { RemoteStreamError } from '../errors.js';
import type { ListenOptions, StreamListener, StreamService, StreamSubscription } from '../stream-service.js';
import { LineSplitter } from './line-splitter.js';
import { resolveRemoteStreamOptions, type RemoteStreamOptions, type ResolvedRemoteStreamOptions } from './options.js';
import { RemoteRoute, type RouteOwner } from './remote-route.js';
import { RemoteSubscription } from './remote-subscription.js';
import { parseServerLine, type ServerLine } from './server-line.js';
import type { GatewayAction } from './wire.js';

interface Pending {
  readonly resolve: (ack: { recovered?: boolean }) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The seed's `RemoteStream`: a {@link StreamService} on the other side of a stream gateway, over its JSON-lines
 * protocol. Code written against `StreamService` runs unchanged on a remote gateway.
 *
 * Every request carries an id, so each promise settles with the gateway's `ack` or rejects with a
 * {@link RemoteStreamError} carrying the gateway's code, reason and message (an invalid stream name, the
 * service's failure...). Requests reach the gateway in call order, and it handles them in that order.
 * Messages are encoded locally first: one the codec cannot encode rejects with its StreamCodecError and is
 * never sent.
 *
 * `listen(stream)` gives a {@link RemoteSubscription} to read with `for await`; `listen(stream, listener)`
 * hands deliveries to a {@link StreamListener} instead, awaiting each `put`. One connection listens to a
 * stream once (listen again after `hangup`). A delivery this client's codec cannot decode ends that
 * stream's listening with a `close` whose reason says why (a gap would be silent otherwise).
 *
 * When the connection fails (the gateway closes, or cuts a client that did not read), pending requests
 * reject and iterators throw the error, after what they had received. `disconnect()` waits for the answers
 * to requests already sent, then closes; iterators then end. A stream is ended with `close(stream)`, as the
 * seed's service does; the connection with `disconnect()` or `await using`.
 */
export class RemoteStream implements StreamService, RouteOwner, AsyncDisposable {
  readonly #socket: Socket;
  readonly #o: ResolvedRemoteStreamOptions;
  readonly #splitter: LineSplitter;
  readonly #pending = new Map<number, Pending>();
  readonly #routes = new Map<string, RemoteRoute>();
  /** Hangups not yet answered: a new listen to the stream waits, so no old delivery reaches the new listener. */
  readonly #hangingUp = new Map<string | null, Promise<unknown>>();
  #linesSent = 0;
  #queued = 0;
  #disconnecting = false;
  /** An error line the gateway sent for the whole connection (slow-client, gateway-closing), or a broken protocol. */
  #farewell: RemoteStreamError | undefined;
  #closedError: RemoteStreamError | undefined;
  readonly #closed: Promise<void>;

  /**
   * Connect to a gateway.
   * @throws InvalidArgumentError naming a wrong option; RemoteStreamError CONNECTION (reason `connect-failed`,
   *   retriable) when the gateway cannot be reached in time, ABORTED when `signal` aborts.
   */
  static async connect(options: RemoteStreamOptions): Promise<RemoteStream> {
    const o = resolveRemoteStreamOptions(options);
    return new RemoteStream(await open(o), o);
  }

  private constructor(socket: Socket, options: ResolvedRemoteStreamOptions) {
    this.#socket = socket;
    this.#o = options;
    this.#splitter = new LineSplitter(options.maxLineBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    socket.on('error', () => {});
    this.#closed = new Promise((resolve) => socket.once('close', () => resolve(this.#onClosed())));
  }

  /** Set the stream's header. @throws RemoteStreamError from the gateway; StreamCodecError before sending. */
  async setHeader(stream: string, message: unknown): Promise<void> {
    await this.#publish('header', stream, message);
  }

  /** Append a message. @throws RemoteStreamError from the gateway; StreamCodecError before sending. */
  async put(stream: string, message: unknown): Promise<void> {
    await this.#publish('put', stream, message);
  }

  /** End the stream (not the connection: see `disconnect()`). @throws RemoteStreamError from the gateway. */
  async close(stream: string): Promise<void> {
    await this.#request({ action: 'close', stream });
  }

  /** End the stream and forget it. @throws RemoteStreamError from the gateway. */
  async delete(stream: string): Promise<void> {
    await this.#request({ action: 'delete', stream });
  }

  /** Listen with a {@link StreamListener}, as `StreamService.listen`. */
  listen(stream: string, listener: StreamListener, options?: ListenOptions): Promise<StreamSubscription>;
  /** Listen with an async iterator: `for await (const delivery of await remote.listen('job-1'))`. */
  listen(stream: string, options?: ListenOptions): Promise<RemoteSubscription>;
  /**
   * @throws InvalidArgumentError when this connection already listens to the stream; RemoteStreamError from
   *   the gateway (an invalid name or position, the service's failure).
   */
  async listen(stream: string, listenerOrOptions?: StreamListener | ListenOptions, maybeOptions?: ListenOptions): Promise<StreamSubscription> {
    const listener = typeof (listenerOrOptions as StreamListener | undefined)?.put === 'function' ? (listenerOrOptions as StreamListener) : undefined;
    const { from, maxQueued } = (listener === undefined ? (listenerOrOptions as ListenOptions | undefined) : maybeOptions) ?? {};
    await Promise.all([this.#hangingUp.get(stream), this.#hangingUp.get(null)]);
    if (this.#routes.has(stream)) {
      throw new InvalidArgumentError(`This RemoteStream already listens to stream ${JSON.stringify(stream)}: hang up first, or connect another`, { stream, expected: 'one listen per stream and connection' });
    }
    const subscription: RemoteSubscription | undefined = listener === undefined ? new RemoteSubscription(stream, (): Promise<void> => this.hangup(stream, subscription)) : undefined;
    const route = new RemoteRoute(stream, listener ?? subscription!, this);
    this.#routes.set(stream, route);
    let recovered: boolean;
    try {
      ({ recovered = true } = await this.#request({ action: 'listen', stream, ...(from === undefined ? {} : { from }), ...(maxQueued === undefined ? {} : { maxQueued }) }));
    } catch (error) {
      this.#drop(route);
      throw error;
    }
    if (subscription === undefined) return { recovered, hangup: () => this.hangup(stream, listener!) };
    subscription.setRecovered(recovered);
    return subscription;
  }

  /**
   * Stop listening to `stream`, or (null) to every stream; with `listener`, only where that listener listens.
   * Once it resolves, nothing more reaches the listeners hung up. @throws RemoteStreamError from the gateway.
   */
  async hangup(stream: string | null, listener?: StreamListener): Promise<void> {
    const routes = [...this.#routes.values()].filter((r) => (stream === null || r.stream === stream) && (listener === undefined || r.listener === listener));
    for (const route of routes) this.#drop(route);
    if (stream === null && listener === undefined) await this.#hangUpOnGateway(null);
    else await Promise.all(routes.map((r) => this.#hangUpOnGateway(r.stream)));
  }

  /**
   * Wait for the answers to requests already sent, hang up (so the gateway lets go of the listeners at once,
   * not when it next writes), then close the connection; iterators end. Idempotent.
   */
  async disconnect(): Promise<void> {
    if (!this.#disconnecting) {
      if (this.#routes.size > 0) await this.hangup(null).catch(() => {});
      this.#disconnecting = true;
      await Promise.allSettled([...this.#pending.keys()].map((line) => new Promise<void>((settled) => this.#onSettled(line, settled))));
      this.#socket.end(() => this.#socket.destroy());
    }
    await this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.disconnect();
  }

  /** @internal */
  queuedChanged(delta: number): void {
    this.#queued += delta;
    if (this.#queued <= this.#o.maxQueued / 2 && this.#socket.isPaused()) this.#socket.resume();
  }

  /** @internal */
  listenerFailed(route: RemoteRoute): void {
    this.#drop(route);
    void this.#hangUpOnGateway(route.stream).catch(() => {});
  }

  async #publish(action: 'header' | 'put', stream: string, message: unknown): Promise<void> {
    await this.#request({ action, stream, message: this.#o.codec.toJson(message) });
  }

  #request(fields: { action: GatewayAction; stream: string | null } & Record<string, unknown>): Promise<{ recovered?: boolean }> {
    const failed = this.#closedError ?? this.#farewell ?? (this.#disconnecting ? this.#error('disconnected', 'This RemoteStream is disconnected') : undefined);
    if (failed !== undefined) return Promise.reject(failed);
    const line = ++this.#linesSent;
    // The id is the line number, which the gateway's error lines carry too (even for a line it could not read).
    const text = `${toJsonLine({ ...fields, id: line })}\n`;
    return new Promise((resolve, reject) => {
      this.#pending.set(line, { resolve, reject });
      this.#socket.write(text);
    });
  }

  #hangUpOnGateway(stream: string | null): Promise<void> {
    const done = this.#request({ action: 'hangup', stream }).then(() => undefined);
    const settled = done.catch(() => undefined);
    this.#hangingUp.set(stream, settled);
    void settled.then(() => this.#hangingUp.get(stream) === settled && this.#hangingUp.delete(stream));
    return done;
  }

  #drop(route: RemoteRoute): void {
    route.stop();
    if (this.#routes.get(route.stream) === route) this.#routes.delete(route.stream);
  }

  #receive(chunk: Buffer): void {
    for (const item of this.#splitter.push(chunk)) {
      if (item.kind === 'too-long') return this.#broken(`a line from the gateway is longer than maxLineBytes (${this.#o.maxLineBytes})`);
      if (item.bytes.length === 0) continue;
      let line: ServerLine;
      try {
        line = parseServerLine(item.bytes, this.#o.codec);
      } catch (error) {
        return this.#broken((error as Error).message);
      }
      this.#dispatch(line);
    }
    if (this.#queued > this.#o.maxQueued) this.#socket.pause();
  }

  #dispatch(line: ServerLine): void {
    switch (line.kind) {
      case 'ack':
      case 'error': {
        const pending = line.line === undefined ? undefined : this.#pending.get(line.line);
        if (pending === undefined) {
          // Not an answer to a request: the gateway speaks to the whole connection before it closes it.
          if (line.kind === 'error') this.#farewell ??= line.error;
          return;
        }
        this.#pending.delete(line.line!);
        if (line.kind === 'ack') pending.resolve(line);
        else pending.reject(line.error);
        return;
      }
      case 'delivery': {
        const route = this.#routes.get(line.delivery.stream);
        route?.push(line.delivery);
        if (route !== undefined && line.delivery.action === 'close') this.#routes.delete(route.stream);
        return;
      }
      case 'undecodable': {
        const route = this.#routes.get(line.stream);
        if (route === undefined) return;
        route.push({ action: 'close', stream: line.stream, reason: `a message could not be decoded by this client: ${line.problem}` });
        this.#routes.delete(line.stream);
        void this.#hangUpOnGateway(line.stream).catch(() => {});
        return;
      }
    }
  }

  #broken(problem: string): void {
    this.#farewell ??= this.#error('protocol', `The stream gateway broke the protocol: ${problem}`);
    this.#socket.destroy();
  }

  #onClosed(): void {
    const error = this.#farewell ?? this.#error(this.#disconnecting ? 'disconnected' : 'connection-lost', this.#disconnecting ? 'This RemoteStream is disconnected' : `The connection to the stream gateway at ${this.#o.host}:${this.#o.port} was lost`);
    this.#closedError = error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    // After disconnect() listening simply ends; otherwise iterators throw why.
    for (const route of this.#routes.values()) route.end(this.#disconnecting && this.#farewell === undefined ? undefined : error);
    this.#routes.clear();
  }

  /** Calls `settled` once the request of `line` is answered, or at once if it already is. */
  #onSettled(line: number, settled: () => void): void {
    const pending = this.#pending.get(line);
    if (pending === undefined) return settled();
    this.#pending.set(line, {
      resolve: (ack) => (pending.resolve(ack), settled()),
      reject: (error) => (pending.reject(error), settled()),
    });
  }

  #error(reason: string, message: string): RemoteStreamError {
    return new RemoteStreamError(ErrorCodes.CONNECTION, message, { remoteCode: ErrorCodes.CONNECTION, reason, retriable: reason !== 'disconnected' && reason !== 'protocol' });
  }
}

/** Connect a socket within the time allowed, or fail with a RemoteStreamError naming the address. */
function open(o: ResolvedRemoteStreamOptions): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: o.host, port: o.port });
    const fail = (code: typeof ErrorCodes.CONNECTION | typeof ErrorCodes.ABORTED, cause: unknown): void => {
      cleanup();
      socket.destroy();
      const why = cause instanceof Error ? cause.message : String(cause);
      reject(new RemoteStreamError(code, `Cannot connect to the stream gateway at ${o.host}:${o.port}: ${why}`, { remoteCode: code, reason: 'connect-failed', retriable: code === ErrorCodes.CONNECTION }, cause));
    };
    const timer = setTimeout(() => fail(ErrorCodes.CONNECTION, new Error(`no connection within ${o.connectTimeoutMs} ms`)), o.connectTimeoutMs);
    const onError = (error: Error): void => fail(ErrorCodes.CONNECTION, error);
    const onAbort = (): void => fail(ErrorCodes.ABORTED, o.signal?.reason ?? new Error('aborted'));
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('error', onError);
      o.signal?.removeEventListener('abort', onAbort);
    };
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', () => {
      cleanup();
      resolve(socket);
    });
  });
}
