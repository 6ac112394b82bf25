import { isUtf8 } from 'node:buffer';
import { ErrorCodes, EventOffset, TributaryError, quote, type EventRecord, type StoredRecord } from '@tributary/core';

/** Bytes in a log line: the text itself when the bytes are valid UTF-8, otherwise `{ "base64": "..." }`. */
export type LineBytes = string | { base64: string };

/**
 * One line of a file log, one record: `{"offset":"0","timestamp":"1714561200000","key":"user.created",
 * "headers":{"tributary-id":"..."},"value":"{\"name\":\"Ada\"}"}`. Offsets and timestamps are decimal strings
 * (exact for 64-bit values); bytes are text when they are UTF-8, so a JSON payload stays readable.
 */
export interface LogLine {
  offset: string;
  timestamp: string;
  key: LineBytes | null;
  headers: Record<string, LineBytes>;
  value: LineBytes;
}

function toLineBytes(bytes: Buffer): LineBytes {
  return isUtf8(bytes) ? bytes.toString('utf8') : { base64: bytes.toString('base64') };
}

function fromLineBytes(value: unknown, field: string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  const base64 = (value as { base64?: unknown } | null)?.base64;
  if (typeof base64 === 'string') return Buffer.from(base64, 'base64');
  throw new Error(`field ${field} is ${quote(value)}, expected a string or {"base64": "..."}`);
}

/** The text of one line (with its trailing newline) for a record at `offset`. */
export function encodeLine(offset: bigint, record: EventRecord): string {
  const headers: Record<string, LineBytes> = {};
  for (const [name, value] of Object.entries(record.headers)) headers[name] = toLineBytes(value);
  const line: LogLine = {
    offset: offset.toString(),
    timestamp: record.timestamp,
    key: record.key === null ? null : toLineBytes(record.key),
    headers,
    value: toLineBytes(record.value),
  };
  return `${JSON.stringify(line)}\n`;
}

function parseLine(text: string): StoredRecordParts {
  const line = JSON.parse(text) as Partial<LogLine>;
  if (line === null || typeof line !== 'object') throw new Error('not a JSON object');
  if (typeof line.offset !== 'string' || !/^(?:0|[1-9][0-9]*)$/.test(line.offset)) throw new Error(`field offset is ${quote(line.offset)}, expected a decimal string`);
  if (typeof line.timestamp !== 'string') throw new Error(`field timestamp is ${quote(line.timestamp)}, expected a decimal string`);
  const headers: Record<string, Buffer> = {};
  for (const [name, value] of Object.entries(line.headers ?? {})) headers[name] = fromLineBytes(value, `headers.${name}`);
  const record: EventRecord = {
    key: line.key === null || line.key === undefined ? null : fromLineBytes(line.key, 'key'),
    value: fromLineBytes(line.value, 'value'),
    headers,
    timestamp: line.timestamp,
  };
  return { offset: BigInt(line.offset), record };
}

interface StoredRecordParts {
  offset: bigint;
  record: EventRecord;
}

/**
 * Parse one line (without its newline) found at `expected` in `topic:partition`.
 * @throws TributaryError DECODE_FAILED naming the file position when the line is malformed or carries
 *   another offset than its place in the file (the file was edited or spliced).
 */
export function decodeLine(text: string, topic: string, partition: number, expected: bigint): StoredRecord {
  let parts: StoredRecordParts;
  try {
    parts = parseLine(text);
  } catch (error) {
    throw new TributaryError(ErrorCodes.DECODE_FAILED, `Malformed line at ${topic}:${partition}@${expected} of a file log: ${(error as Error).message}`, {
      context: { topic, partition, offset: expected.toString(), line: text.slice(0, 200) },
      cause: error,
    });
  }
  if (parts.offset !== expected) {
    throw new TributaryError(ErrorCodes.DECODE_FAILED, `Line ${expected} of file log ${topic}:${partition} says offset ${parts.offset}: the file was edited or spliced`, {
      context: { topic, partition, offset: expected.toString(), found: parts.offset.toString() },
    });
  }
  return Object.freeze({ offset: EventOffset.of(topic, partition, expected), record: parts.record });
}
