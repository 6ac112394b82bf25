import type { SessionProperties } from './properties.js';

/**
 * What a session announces on the sessions topic, keyed by its id: its properties, the inbox partition its
 * requests and responses go to, the paths it handles, and how long it lives without a heartbeat. A tombstone
 * (null value) says it closed. Rewritten whole on each heartbeat and change, so compaction keeps the latest.
 */
export interface SessionRecord {
  readonly id: string;
  readonly properties: SessionProperties;
  /** The partition of the inbox topic this session reads. */
  readonly inbox: number;
  /** Paths it handles unaddressed requests for, each with the sender properties its handler asked for. */
  readonly registered: Readonly<Record<string, readonly string[]>>;
  /** Paths it handles requests addressed to it (by id or filter) for. */
  readonly addressed: readonly string[];
  /** Milliseconds after its last announcement at which others consider it gone. */
  readonly timeoutMs: number;
}

const VERSION = 1;

/** Encode a session record (JSON, versioned). Pure. */
export function encodeSessionRecord(record: SessionRecord): Buffer {
  return Buffer.from(JSON.stringify({ v: VERSION, ...record }), 'utf8');
}

/**
 * Decode a session record, or undefined for bytes that are not one (written by a newer version, or by
 * something else): the sessions topic is shared, and one bad record must not stop the view.
 */
export function decodeSessionRecord(id: string, bytes: Buffer): SessionRecord | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (r.v !== VERSION || r.id !== id || typeof r.inbox !== 'number' || typeof r.timeoutMs !== 'number') return undefined;
  if (!isStringMap(r.properties) || !Array.isArray(r.addressed) || typeof r.registered !== 'object' || r.registered === null) return undefined;
  const registered: Record<string, string[]> = {};
  for (const [path, keys] of Object.entries(r.registered as Record<string, unknown>)) {
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) return undefined;
    registered[path] = keys as string[];
  }
  if (!r.addressed.every((p) => typeof p === 'string')) return undefined;
  return { id, properties: r.properties, inbox: r.inbox, registered, addressed: r.addressed as string[], timeoutMs: r.timeoutMs };
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}
