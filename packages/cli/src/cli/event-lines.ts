import { Event, isTributaryError, type EventInit } from '@tributary/core';
import { UsageError } from './errors.js';

/** Defaults for the events of `produce`, from its flags; a JSON line's own fields win. */
export interface EventDefaults {
  category?: string;
  key?: string;
  type?: string;
  headers?: Record<string, string>;
}

const FIELDS = new Set(['id', 'category', 'type', 'key', 'timestamp', 'headers', 'payload']);

/**
 * An event from one JSON object: `{ category, key?, type?, headers?, payload, id?, timestamp? }` (an event's JSON
 * form without its offset), with the flags' defaults. `where` names the input in errors (`line 3`).
 * @throws UsageError naming `where` and the field that is wrong.
 */
export function eventFrom(value: unknown, defaults: EventDefaults, where: string): Event {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError(`${where}: expected a JSON object with category and payload, got ${JSON.stringify(value)}`, { where });
  const o = value as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !FIELDS.has(k) && k !== 'offset');
  if (unknown.length > 0) throw new UsageError(`${where}: unknown field(s) ${unknown.join(', ')}; an event has ${[...FIELDS].join(', ')}`, { where, fields: unknown });
  const category = o.category ?? defaults.category;
  if (typeof category !== 'string') throw new UsageError(`${where}: no category (give "category" or --category)`, { where });
  if (!('payload' in o)) throw new UsageError(`${where}: no payload`, { where });
  for (const name of ['key', 'type', 'id', 'timestamp'] as const) if (o[name] !== undefined && typeof o[name] !== 'string') throw new UsageError(`${where}: ${name} must be a string, got ${JSON.stringify(o[name])}`, { where });
  const headers = o.headers ?? {};
  if (typeof headers !== 'object' || headers === null || Object.values(headers).some((v) => typeof v !== 'string')) throw new UsageError(`${where}: headers must be an object of strings`, { where });
  const init: EventInit = {
    category,
    payload: o.payload,
    ...((o.key ?? defaults.key) !== undefined ? { key: (o.key ?? defaults.key) as string } : {}),
    ...((o.type ?? defaults.type) !== undefined ? { type: (o.type ?? defaults.type) as string } : {}),
    headers: { ...defaults.headers, ...(headers as Record<string, string>) },
    ...(o.id !== undefined ? { id: o.id as string } : {}),
    ...(o.timestamp !== undefined ? { timestamp: o.timestamp as string } : {}),
  };
  try {
    return Event.create(init);
  } catch (error) {
    if (isTributaryError(error)) throw new UsageError(`${where}: ${error.message}`, { where, ...error.context }, error);
    throw error;
  }
}

/**
 * Every event of a JSON-lines text, all checked before any is sent, so a malformed line fails the whole input
 * and nothing is half-written. Blank lines are skipped.
 * @throws UsageError naming the first bad line.
 */
export function eventsFromLines(text: string, defaults: EventDefaults): Event[] {
  const events: Event[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new UsageError(`line ${i + 1}: not JSON (${(error as Error).message}); nothing was sent`, { line: i + 1 });
    }
    events.push(eventFrom(value, defaults, `line ${i + 1}`));
  });
  return events;
}

/** `name=value` pairs of repeated `--header` flags. */
export function headerPairs(pairs: readonly string[] | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--header must be name=value, got "${pair}"`, { option: 'header', value: pair });
    headers[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return headers;
}

/** An event as a row of output: its JSON form (offset included); a terminal shows offset, category, key, payload. */
export const EVENT_COLUMNS = ['offset', 'category', 'type', 'key', 'payload'] as const;
