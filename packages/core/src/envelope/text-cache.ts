/** A header value read as text, remembered with what the reader found out about it. */
export interface CachedText {
  readonly bytes: Buffer;
  readonly text: string;
  /** Set by the reader once it checked the text (a category against its pattern, say). */
  checked: boolean;
}

const SLOTS = 256;
/** Longer values are read afresh each time: they are rare in headers that repeat, and costly to compare. */
const MAX_CACHED_BYTES = 256;

/**
 * Short header values that repeat from record to record (categories, codec names) to strings, without making a
 * new string for each record: a small direct-mapped table keyed by a hash of the bytes. Comparing a few bytes
 * costs less than decoding them, and the text comes back as the same string, so later checks on it can be
 * remembered too. Entries hold copies, so a record's (possibly large) fetch buffer is not kept alive.
 */
export class TextCache {
  readonly #slots: Array<CachedText | undefined> = new Array<CachedText | undefined>(SLOTS);
  readonly #encoding: 'latin1' | 'utf8';

  constructor(encoding: 'latin1' | 'utf8') {
    this.#encoding = encoding;
  }

  get(bytes: Buffer): CachedText {
    const n = bytes.length;
    if (n > MAX_CACHED_BYTES) return { bytes, text: bytes.toString(this.#encoding), checked: false };
    let hash = n;
    for (let i = 0; i < n; i++) hash = (Math.imul(hash, 31) + bytes[i]!) | 0;
    const slot = hash & (SLOTS - 1);
    const known = this.#slots[slot];
    if (known !== undefined && known.bytes.length === n) {
      const kb = known.bytes;
      let i = 0;
      while (i < n && kb[i] === bytes[i]) i++;
      if (i === n) return known;
    }
    const entry: CachedText = { bytes: Buffer.from(bytes), text: bytes.toString(this.#encoding), checked: false };
    this.#slots[slot] = entry;
    return entry;
  }
}
