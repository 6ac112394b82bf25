/**
 * Bytes in, numbered lines out (pure). A line longer than the limit is reported as soon as it passes the limit
 * and the rest of it is skipped up to its newline, so an over-long line is never held whole in memory.
 */

/** One line of input: its bytes (without the `\n`, nor a `\r` before it), or the news that it was too long. */
export type SplitLine = { readonly kind: 'line'; readonly number: number; readonly bytes: Buffer } | { readonly kind: 'too-long'; readonly number: number };

const NEWLINE = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream at `\n`. Lines are numbered from 1, counting every line, empty and over-long ones
 * too, so a number always matches the sender's own count. A line of more than `maxLineBytes` bytes (not
 * counting its `\n`) gives one `too-long` entry, at the moment it passes the limit, and none of its bytes.
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  #parts: Buffer[] = [];
  #partBytes = 0;
  #skipping = false;
  #number = 1;

  constructor(maxLineBytes: number) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** The lines completed (or found too long) by this chunk, in order. */
  push(chunk: Buffer): SplitLine[] {
    const out: SplitLine[] = [];
    let start = 0;
    while (start <= chunk.length) {
      const end = chunk.indexOf(NEWLINE, start);
      const piece = chunk.subarray(start, end === -1 ? chunk.length : end);
      // The start of a line carried over to the next chunk is copied: a view would pin the whole chunk.
      if (!this.#skipping) this.#take(end === -1 ? Buffer.from(piece) : piece, out);
      if (end === -1) break;
      if (!this.#skipping) out.push({ kind: 'line', number: this.#number, bytes: this.#line() });
      this.#skipping = false;
      this.#number++;
      start = end + 1;
    }
    return out;
  }

  /** At the end of input: a last line that had no `\n`, if there is one. */
  end(): SplitLine[] {
    if (this.#skipping || this.#partBytes === 0) return [];
    return [{ kind: 'line', number: this.#number++, bytes: this.#line() }];
  }

  #take(piece: Buffer, out: SplitLine[]): void {
    if (piece.length === 0) return;
    if (this.#partBytes + piece.length > this.#maxLineBytes) {
      out.push({ kind: 'too-long', number: this.#number });
      this.#parts = [];
      this.#partBytes = 0;
      this.#skipping = true;
      return;
    }
    this.#parts.push(piece);
    this.#partBytes += piece.length;
  }

  #line(): Buffer {
    const bytes = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.#partBytes);
    this.#parts = [];
    this.#partBytes = 0;
    return bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.subarray(0, bytes.length - 1) : bytes;
  }
}
