import { DateTime } from 'luxon';

/** How {@link Event.toPrintable} renders an event. */
export interface PrintableOptions {
  /**
   * Property names whose values are replaced by `"<secret>"` wherever they appear: at any depth of the payload
   * (in objects and in arrays of objects) and among the headers. Matched ignoring case. Defaults to none.
   */
  secretFields?: readonly string[];
  /** Strings longer than this are cut to this many characters and marked with their full length. Default 200. */
  maxStringLength?: number;
}

/** What a masked value is replaced with. */
export const SECRET_MASK = '<secret>';

const DEFAULT_MAX_STRING_LENGTH = 200;

interface Walk {
  secrets: ReadonlySet<string>;
  max: number;
  seen: WeakSet<object>;
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
}

function printableObject(value: object, walk: Walk): unknown {
  if (walk.seen.has(value)) return '<circular>';
  walk.seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => printableValue(item, walk));
    if (value instanceof Map) return printableObject(Object.fromEntries(value), walk);
    if (value instanceof Set) return printableObject([...value], walk);
    const out: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) {
      if (item === undefined || typeof item === 'function') continue;
      out[name] = walk.secrets.has(name.toLowerCase()) ? SECRET_MASK : printableValue(item, walk);
    }
    return out;
  } finally {
    walk.seen.delete(value);
  }
}

function printableValue(value: unknown, walk: Walk): unknown {
  if (typeof value === 'string') return shorten(value, walk.max);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function' || typeof value === 'symbol') return `<${typeof value}>`;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '<invalid date>' : value.toISOString();
  if (DateTime.isDateTime(value)) return value.toISO();
  return printableObject(value, walk);
}

/**
 * Render a JSON-like value for a log line: values of secret fields masked at any depth, long strings cut,
 * bytes shown as their length, cycles marked. Pure; the input is not changed.
 */
export function toPrintableValue(value: unknown, options: PrintableOptions = {}): unknown {
  const walk: Walk = {
    secrets: new Set((options.secretFields ?? []).map((name) => name.toLowerCase())),
    max: Math.max(1, options.maxStringLength ?? DEFAULT_MAX_STRING_LENGTH),
    seen: new WeakSet(),
  };
  return printableValue(value, walk);
}
