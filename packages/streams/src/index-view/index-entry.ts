/**
 * A stream's entry in the compacted index topic, keyed by stream name: where its records are, which epoch it is
 * in, and its current header (bytes and all, so the header outlives the log's retention). A tombstone removes a
 * deleted stream. Pure codec.
 */
export interface IndexEntry {
  readonly partition: number;
  /** Changes when the stream is deleted and made again. */
  readonly epoch: string;
  /** Offset of the stream's first record in this epoch. */
  readonly start: bigint;
  /** The current header: its record's offset, the codec that wrote it, its bytes. */
  readonly header?: { readonly offset: bigint; readonly codec: string; readonly bytes: Buffer };
  /** Offset of the stream's close record, once closed. */
  readonly closed?: bigint;
}

const VERSION = 1;

export function encodeIndexEntry(entry: IndexEntry): Buffer {
  return Buffer.from(
    JSON.stringify({
      v: VERSION,
      partition: entry.partition,
      epoch: entry.epoch,
      start: entry.start.toString(),
      ...(entry.header ? { header: { offset: entry.header.offset.toString(), codec: entry.header.codec, bytes: entry.header.bytes.toString('base64') } } : {}),
      ...(entry.closed === undefined ? {} : { closed: entry.closed.toString() }),
    }),
    'utf8',
  );
}

/** Decode an entry, or undefined for bytes that are not one (the index is shared; a bad record must not stop it). */
export function decodeIndexEntry(bytes: Buffer): IndexEntry | undefined {
  try {
    const r = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
    if (r.v !== VERSION || typeof r.partition !== 'number' || typeof r.epoch !== 'string' || typeof r.start !== 'string') return undefined;
    const h = r.header as { offset?: unknown; codec?: unknown; bytes?: unknown } | undefined;
    if (h !== undefined && (typeof h.offset !== 'string' || typeof h.codec !== 'string' || typeof h.bytes !== 'string')) return undefined;
    return {
      partition: r.partition,
      epoch: r.epoch,
      start: BigInt(r.start),
      ...(h ? { header: { offset: BigInt(h.offset as string), codec: h.codec as string, bytes: Buffer.from(h.bytes as string, 'base64') } } : {}),
      ...(typeof r.closed === 'string' ? { closed: BigInt(r.closed) } : {}),
    };
  } catch {
    return undefined;
  }
}
