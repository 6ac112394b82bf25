import { createReadStream } from 'node:fs';
import { open, truncate } from 'node:fs/promises';
import { decodeLine } from '../file/line-format.js';

const NEWLINE = 0x0a;
const CHUNK = 64 * 1024;

/** What a scan of a partition file found. */
export interface ScanResult {
  /** Complete (newline-terminated) lines: the offset the next record gets. */
  lines: bigint;
  /** Bytes up to and including the last newline. */
  completeBytes: number;
  /** Bytes in the file; more than `completeBytes` when the last line is torn. */
  size: number;
  /** Start of the last complete line (when there is one). */
  lastLineStart: number;
}

/** Count the complete lines of a file without reading it whole. A missing file is empty. */
export async function scanFile(path: string): Promise<ScanResult> {
  const result: ScanResult = { lines: 0n, completeBytes: 0, size: 0, lastLineStart: 0 };
  const handle = await open(path, 'a+');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let lastStart = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, result.size);
      if (bytesRead === 0) break;
      for (let i = buffer.indexOf(NEWLINE, 0); i !== -1 && i < bytesRead; i = buffer.indexOf(NEWLINE, i + 1)) {
        result.lines++;
        result.lastLineStart = lastStart;
        lastStart = result.completeBytes = result.size + i + 1;
      }
      result.size += bytesRead;
    }
    return result;
  } finally {
    await handle.close();
  }
}

async function readSlice(path: string, start: number, end: number): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(end - start);
    await handle.read(buffer, 0, buffer.length, start);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Make a partition file ready for appending after a crash: a torn last line (bytes after the last newline,
 * left by a write cut short) is truncated, and the last complete line must carry the offset of its place.
 * Returns the offset the next record gets and how many torn bytes were dropped.
 * @throws TributaryError DECODE_FAILED when the last complete line is malformed (corruption, not a torn write).
 */
export async function recoverFile(path: string, topic: string, partition: number): Promise<{ next: bigint; truncatedBytes: number }> {
  const scan = await scanFile(path);
  if (scan.size > scan.completeBytes) await truncate(path, scan.completeBytes);
  if (scan.lines > 0n) {
    const last = await readSlice(path, scan.lastLineStart, scan.completeBytes - 1);
    decodeLine(last, topic, partition, scan.lines - 1n);
  }
  return { next: scan.lines, truncatedBytes: scan.size - scan.completeBytes };
}

/**
 * The complete lines of a file, in order, without their newlines; a torn last line (being written, or left
 * by a crash) is not yielded. A missing file has no lines.
 */
export async function* readLines(path: string, signal?: AbortSignal): AsyncGenerator<string> {
  const stream = createReadStream(path, { highWaterMark: CHUNK, signal });
  let rest: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
      let start = 0;
      for (let i = data.indexOf(NEWLINE); i !== -1; i = data.indexOf(NEWLINE, start)) {
        yield data.toString('utf8', start, i);
        start = i + 1;
      }
      data = data.subarray(start);
      rest = Buffer.from(data);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  } finally {
    stream.destroy();
  }
}
