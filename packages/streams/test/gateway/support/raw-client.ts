/**
 * A client that speaks the gateway's protocol by hand, as a client in another language would: it writes bytes
 * and reads JSON lines, with no Tributary code in between.
 */
import { connect, type Socket } from 'node:net';

export type Line = Record<string, unknown> & { action: string };

export class RawClient {
  /** Every line received, parsed, in order. */
  readonly lines: Line[] = [];
  #ended = false;
  readonly #socket: Socket;
  #buffer = '';

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.#buffer += text;
      let end: number;
      while ((end = this.#buffer.indexOf('\n')) !== -1) {
        this.lines.push(JSON.parse(this.#buffer.slice(0, end)) as Line);
        this.#buffer = this.#buffer.slice(end + 1);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => (this.#ended = true));
  }

  static connect(address: { host: string; port: number }): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(address);
      socket.once('error', reject);
      socket.once('connect', () => resolve(new RawClient(socket)));
    });
  }

  /** Whether the gateway closed the connection. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Write text as it is (give the newlines). */
  send(text: string | Buffer): void {
    this.#socket.write(text);
  }

  /** Write one request line. */
  request(fields: Record<string, unknown>): void {
    this.send(`${JSON.stringify(fields)}\n`);
  }

  /** Stop reading: what the gateway writes piles up in the kernel, then in the gateway. */
  stopReading(): void {
    this.#socket.pause();
  }

  startReading(): void {
    this.#socket.resume();
  }

  /** The lines of one kind. */
  of(action: string): Line[] {
    return this.lines.filter((l) => l.action === action);
  }

  /** Wait until `probe` holds for what was received (or the connection ended, with `orEnd`). */
  async until(probe: (lines: Line[]) => boolean, { timeoutMs = 15_000, orEnd = false } = {}): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!probe(this.lines) && !(orEnd && this.#ended)) {
      if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last lines: ${JSON.stringify(this.lines.slice(-3)).slice(0, 600)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Wait for the answer (ack or error) to request line `line`. */
  async answer(line: number): Promise<Line> {
    await this.until((lines) => lines.some((l) => l.line === line && (l.action === 'ack' || l.action === 'error')));
    return this.lines.find((l) => l.line === line && (l.action === 'ack' || l.action === 'error'))!;
  }

  /** Send no more (a half-close); keep reading. */
  end(): void {
    this.#socket.end();
  }

  close(): void {
    this.#socket.destroy();
  }
}
