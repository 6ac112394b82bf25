/**
 * The vectors that Kafka's own Java code wrote (test/fixtures/CompressionVectors.java): compressed streams as its
 * producer compresses a batch's records, and whole v2 batches with their CRC. Tests read what another
 * implementation wrote, not only their own round trips.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const DIR = new URL('../fixtures/compression/', import.meta.url);

/** A compressed stream and what it inflates to. */
export interface StreamVector {
  kind: 'stream';
  file: string;
  codec: number;
  length: number;
  sha256: string;
}

/** A whole batch from MemoryRecords.withRecords: its CRC field, record count and the SHA-256 of its values. */
export interface BatchVector {
  kind: 'batch';
  file: string;
  codec: number;
  shape: 'small' | 'large';
  baseOffset: number;
  count: number;
  crc: number;
  valuesSha256: string;
}

const all = (JSON.parse(readFileSync(new URL('vectors.json', DIR), 'utf8')) as { vectors: Array<StreamVector | BatchVector> }).vectors;

export const streamVectors = all.filter((v): v is StreamVector => v.kind === 'stream');
export const batchVectors = all.filter((v): v is BatchVector => v.kind === 'batch');

export function readVector(file: string): Buffer {
  return readFileSync(new URL(file, DIR));
}

export function sha256(...parts: Uint8Array[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex');
}
