import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of one broker listener, for network faults: it forwards bytes both ways, and on
 * demand resets every connection it carries (an RST to both ends, as a dropped NAT entry or a crashed middlebox
 * would) or delays every chunk by a fixed time, keeping each direction's order. Listens on 127.0.0.1 only.
 */
export class ChaosProxy {
  readonly port: number;
  readonly #target: { host: string; port: number };
  readonly #pairs = new Set<[Socket, Socket]>();
  #server: Server | undefined;
  #delayMs = 0;
  /** Connections reset so far. */
  resets = 0;

  constructor(port: number, target: { host: string; port: number }) {
    this.port = port;
    this.#target = target;
  }

  async start(): Promise<void> {
    const server = createServer({ noDelay: true }, (client) => this.#accept(client));
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
  }

  /** Every chunk waits this long before it is passed on (0: none). */
  set delayMs(ms: number) {
    this.#delayMs = ms;
  }

  get delayMs(): number {
    return this.#delayMs;
  }

  /** Reset every open connection; clients see ECONNRESET and must reconnect. */
  resetAll(): number {
    const pairs = [...this.#pairs];
    for (const [a, b] of pairs) {
      a.resetAndDestroy();
      b.resetAndDestroy();
    }
    this.#pairs.clear();
    this.resets += pairs.length;
    return pairs.length;
  }

  async close(): Promise<void> {
    for (const [a, b] of this.#pairs) {
      a.destroy();
      b.destroy();
    }
    this.#pairs.clear();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  #accept(client: Socket): void {
    const upstream = createConnection({ ...this.#target, noDelay: true });
    const pair: [Socket, Socket] = [client, upstream];
    this.#pairs.add(pair);
    const end = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const s of pair) {
      s.on('error', end);
      s.on('close', end);
    }
    this.#pipe(client, upstream);
    this.#pipe(upstream, client);
  }

  /** Forward `from` to `to`, each chunk after the current delay, never overtaking an earlier one. */
  #pipe(from: Socket, to: Socket): void {
    const queue: Array<{ due: number; chunk: Buffer }> = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      const now = Date.now();
      while (queue.length > 0 && queue[0]!.due <= now) if (!to.destroyed) to.write(queue.shift()!.chunk);
      if (queue.length > 0) timer = setTimeout(flush, queue[0]!.due - now);
    };
    from.on('data', (chunk: Buffer) => {
      if (this.#delayMs === 0 && queue.length === 0) {
        to.write(chunk);
        return;
      }
      const due = Math.max(Date.now() + this.#delayMs, queue.at(-1)?.due ?? 0);
      queue.push({ due, chunk });
      timer ??= setTimeout(flush, due - Date.now());
    });
  }
}
