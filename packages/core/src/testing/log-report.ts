import { EventHeaders } from '../envelope/record.js';
import type { Event } from '../event/event.js';
import type { StoredRecord } from '../offset/stored-record.js';

/**
 * What is wrong with a log compared with the events sent to it. Every list is empty for a correct log, so a
 * test can `expect(report).toEqual(emptyLogReport())` and, on failure, read the ids that went wrong.
 */
export interface LogReport {
  /** Ids sent (and acknowledged) but not in the log. */
  missing: string[];
  /** Ids in the log that were not sent. */
  extra: string[];
  /** Ids found more than once in the log. */
  duplicates: string[];
  /** Ids whose returned offset differs from where the log holds them (`id: returned != logged`). */
  offsetMismatches: string[];
  /** Keys whose events are out of order or spread over partitions (`key: expected [...] got [...]`). */
  orderViolations: string[];
  /** Partitions whose offsets are not consecutive or not increasing (`topic:partition: a then b`). */
  gaps: string[];
}

/** A report with nothing wrong. */
export function emptyLogReport(): LogReport {
  return { missing: [], extra: [], duplicates: [], offsetMismatches: [], orderViolations: [], gaps: [] };
}

/** The event id a record carries in its `tributary-id` header (empty when it has none). */
export function recordId(stored: StoredRecord): string {
  return stored.record.headers[EventHeaders.id]?.toString('utf8') ?? '';
}

function sortByPosition(log: readonly StoredRecord[]): StoredRecord[] {
  return [...log].sort((a, b) => {
    if (a.offset.partition !== b.offset.partition) return a.offset.partition - b.offset.partition;
    return a.offset.offset < b.offset.offset ? -1 : a.offset.offset > b.offset.offset ? 1 : 0;
  });
}

function checkPartitions(sorted: readonly StoredRecord[], contiguous: boolean, report: LogReport): void {
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!.offset;
    const cur = sorted[i]!.offset;
    if (prev.partition !== cur.partition) continue;
    if (cur.offset === prev.offset || (contiguous && cur.offset !== prev.offset + 1n)) {
      report.gaps.push(`${cur.topic}:${cur.partition}: ${prev.offset} then ${cur.offset}`);
    }
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function checkKeyOrder(sent: readonly Event[], sorted: readonly StoredRecord[], report: LogReport): void {
  const keyOf = new Map(sent.map((e) => [e.id, e.key]));
  const actual = new Map<string, string[]>();
  const partitions = new Map<string, Set<number>>();
  const seen = new Set<string>();
  for (const stored of sorted) {
    const id = recordId(stored);
    const key = keyOf.get(id);
    if (key === undefined || seen.has(id)) continue;
    seen.add(id);
    push(actual, key, id);
    partitions.set(key, (partitions.get(key) ?? new Set()).add(stored.offset.partition));
  }
  const expected = new Map<string, string[]>();
  for (const event of sent) if (seen.has(event.id)) push(expected, event.key, event.id);
  for (const [key, want] of expected) {
    const got = actual.get(key) ?? [];
    if (got.join() !== want.join()) report.orderViolations.push(`${key}: expected [${want.join(', ')}] got [${got.join(', ')}]`);
    const spread = partitions.get(key);
    if (spread && spread.size > 1) report.orderViolations.push(`${key}: spread over partitions ${[...spread].join(', ')}`);
  }
}

/**
 * Compare a log with the events written to it (as `send()` returned them, with offsets): every event exactly
 * once, at the offset `send()` returned, each key's events in send order within one partition, and (with
 * `contiguous`, the default) no gaps between offsets of a partition.
 */
export function checkLog(sent: readonly Event[], log: readonly StoredRecord[], options: { contiguous?: boolean } = {}): LogReport {
  const report = emptyLogReport();
  const sorted = sortByPosition(log);
  const logged = new Map<string, StoredRecord>();
  for (const stored of sorted) {
    const id = recordId(stored);
    if (logged.has(id)) report.duplicates.push(id);
    else logged.set(id, stored);
  }
  const sentById = new Map(sent.map((e) => [e.id, e]));
  for (const event of sent) {
    const stored = logged.get(event.id);
    if (!stored) report.missing.push(event.id);
    else if (event.offset !== undefined && !event.offset.equals(stored.offset)) {
      report.offsetMismatches.push(`${event.id}: ${event.offset} != ${stored.offset}`);
    }
  }
  for (const id of logged.keys()) if (!sentById.has(id)) report.extra.push(id);
  checkPartitions(sorted, options.contiguous ?? true, report);
  checkKeyOrder(sent, sorted, report);
  return report;
}
