import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { ErrorCodes, InvalidArgumentError, TributaryError } from '@tributary/core';
import type { StreamService } from '../stream-service.js';
import { GatewayConnection } from './gateway-connection.js';
import { resolveGatewayOptions, type ResolvedGatewayOptions, type StreamGatewayOptions } from './options.js';
import { GatewayErrorReasons } from './wire.js';

/** Where a gateway listens. */
export interface GatewayAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * A TCP server speaking seed 004's wire protocol (see `wire.ts` for every line) over any {@link StreamService}:
 * clients in any language publish with `header`, `put`, `close` and `delete`, and listen with `listen` and
 * `hangup`, one JSON object a line.
 *
 * Each connection's lines are handled one at a time, in the order sent: a request is done (the service's
 * promise settled) before the next is read, so one connection's publishes reach the stream in its order.
 * Publishing answers nothing on success unless the request carries an `id` (then an `ack` line); a failure
 * always answers an `error` line naming the line number, so a client knows which publish failed. A malformed
 * line gets an error line and the connection stays usable; a line over `maxLineBytes` is refused as soon as it
 * passes the limit, and the rest of it skipped, without holding it whole.
 *
 * Each `listen` gives the connection a listener of its own to that stream; its deliveries are written as
 * lines, and while the socket holds more than its high-water mark (Node's 16 KiB) the listener's `put` waits
 * for it to drain, so the service (and Kafka behind it) waits for a slow client. A client that still lets more
 * than `maxQueuedBytes` wait unread is disconnected with a final `slow-client` error line (best effort) and
 * its listeners hung up; other clients do not notice. A closed connection's listeners are hung up. A client
 * that only half-closes (sends no more) keeps its listeners: the gateway ends the connection once its last
 * listener ends, and finds a client that is gone at the next write or by TCP keepalive.
 */
export class StreamGateway implements AsyncDisposable {
  readonly #service: StreamService;
  readonly #o: ResolvedGatewayOptions;
  readonly #connections = new Set<GatewayConnection>();
  #server: Server | undefined;
  #address: GatewayAddress | undefined;
  #closing: Promise<void> | undefined;

  /** @throws InvalidArgumentError naming the option that is wrong (`service` when it is not a StreamService). */
  constructor(service: StreamService, options: StreamGatewayOptions = {}) {
    if (typeof service?.listen !== 'function' || typeof service?.put !== 'function') {
      throw new InvalidArgumentError('A stream gateway needs a StreamService (setHeader, put, close, delete, listen, hangup)', { option: 'service', expected: 'StreamService' });
    }
    this.#service = service;
    this.#o = resolveGatewayOptions(options);
  }

  /** The address listened on, once `listen()` resolved. */
  get address(): GatewayAddress | undefined {
    return this.#address;
  }

  /** Clients connected now. */
  get connectionCount(): number {
    return this.#connections.size;
  }

  /**
   * Start accepting connections; resolves with the address (the port the system chose, with port 0).
   * Calling it again gives the same address.
   * @throws TributaryError CONNECTION when the address cannot be listened on (a port taken, say), with the
   *   system's error as the cause; InvalidArgumentError after `close()`.
   */
  async listen(): Promise<GatewayAddress> {
    if (this.#closing) throw new InvalidArgumentError('The stream gateway is closed; make a new one to listen again', { operation: 'listen' });
    if (this.#address) return this.#address;
    const server = createServer({ allowHalfOpen: true }, (socket) => this.#accept(socket));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) =>
        reject(new TributaryError(ErrorCodes.CONNECTION, `The stream gateway cannot listen on ${this.#o.host}:${this.#o.port}: ${cause.message}`, { cause, context: { host: this.#o.host, port: this.#o.port } })),
      );
      server.listen(this.#o.port, this.#o.host, () => resolve());
    });
    const { address, port } = server.address() as AddressInfo;
    this.#address = { host: address, port };
    return this.#address;
  }

  /**
   * Stop: accept no more connections, tell every client with a `gateway-closing` error line, hang up every
   * listener the gateway made, and end the sockets (cut after a short grace if a client does not read).
   * Resolves once all are closed. Calling it again waits for the same close.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(): Promise<void> {
    const server = this.#server;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const connection of this.#connections) {
      connection.shutdown({ code: ErrorCodes.CONNECTION, reason: GatewayErrorReasons.GATEWAY_CLOSING, message: 'The stream gateway is closing', retriable: true });
    }
    await Promise.all([...this.#connections].map((c) => c.done));
    await closed;
  }

  #accept(socket: Socket): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    const connection = new GatewayConnection(socket, this.#service, this.#o);
    this.#connections.add(connection);
    void connection.done.then(() => this.#connections.delete(connection));
  }
}

/** Make a {@link StreamGateway} over `service`; call `listen()` to start it. @throws InvalidArgumentError naming a wrong option. */
export function createStreamGateway(service: StreamService, options?: StreamGatewayOptions): StreamGateway {
  return new StreamGateway(service, options);
}
