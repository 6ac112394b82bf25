/**
 * A JSON-lines client that writes bytes as they are given, as a client in another language (or a broken one)
 * would, and keeps every line it is answered, parsed.
 */
import { connect, type Socket } from 'node:net';

export type AnswerLine = Record<string, unknown> & { action: string };

export class LineClient implements AsyncDisposable {
  readonly answers: AnswerLine[] = [];
  readonly #socket: Socket;
  #pending = '';

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      const lines = (this.#pending + text).split('\n');
      this.#pending = lines.pop()!;
      for (const line of lines) this.answers.push(JSON.parse(line) as AnswerLine);
    });
    socket.on('error', () => {});
  }

  static connect(address: { host: string; port: number }): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(address);
      socket.once('error', reject);
      socket.once('connect', () => resolve(new LineClient(socket)));
    });
  }

  /** Write bytes as they are: give the newlines. Resolves once the socket took them. */
  write(bytes: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.#socket.write(bytes, (error) => (error ? reject(error) : resolve())));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#socket.destroy();
  }
}
