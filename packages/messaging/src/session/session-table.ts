import { mostSpecificPath } from '../routing/path.js';
import type { SessionInfo, SessionEvent } from './session-info.js';
import type { SessionRecord } from './session-record.js';

interface Entry {
  record: SessionRecord;
  info: SessionInfo;
  /** Local epoch milliseconds of its last announcement. */
  lastSeen: number;
}

/**
 * The live sessions, from their announcements, with an index of who handles which path. Pure state: the
 * registry feeds it records and the clock, and passes on the events it returns.
 */
export class SessionTable {
  readonly #entries = new Map<string, Entry>();
  readonly #byPath = new Map<string, Set<string>>();
  readonly #inboxLoad = new Map<number, number>();

  get size(): number {
    return this.#entries.size;
  }

  get(id: string): SessionInfo | undefined {
    return this.#entries.get(id)?.info;
  }

  record(id: string): SessionRecord | undefined {
    return this.#entries.get(id)?.record;
  }

  all(): SessionInfo[] {
    return [...this.#entries.values()].map((e) => e.info);
  }

  /** Apply an announcement (a record) or a goodbye (undefined), seen at `now`. */
  apply(id: string, record: SessionRecord | undefined, now: number): SessionEvent | undefined {
    const before = this.#entries.get(id);
    if (record === undefined) {
      if (!before) return undefined;
      this.#remove(id, before);
      return { type: 'removed', session: before.info, reason: 'closed' };
    }
    const info: SessionInfo = { id, properties: record.properties, registeredPaths: Object.keys(record.registered), addressedPaths: record.addressed };
    if (before) {
      before.lastSeen = now;
      if (sameRecord(before.record, record)) return undefined;
      this.#unindex(id, before.record);
    }
    this.#entries.set(id, { record, info, lastSeen: now });
    this.#index(id, record);
    return { type: before ? 'changed' : 'added', session: info };
  }

  /** Remove the sessions silent for longer than their timeout, and say which. */
  expire(now: number): SessionEvent[] {
    const events: SessionEvent[] = [];
    for (const [id, entry] of this.#entries) {
      if (now - entry.lastSeen > entry.record.timeoutMs) {
        this.#remove(id, entry);
        events.push({ type: 'removed', session: entry.info, reason: 'expired' });
      }
    }
    return events;
  }

  /**
   * The sessions that handle unaddressed requests to `path`: those registered for the most specific registered
   * path that covers it (`a/b/c`, else `a/b`, else `a`), with that path.
   */
  handlersOf(path: string): { path: string; sessions: string[] } | undefined {
    const found = mostSpecificPath(path, (p) => (this.#byPath.get(p)?.size ?? 0) > 0);
    return found === undefined ? undefined : { path: found, sessions: [...this.#byPath.get(found)!] };
  }

  /** The inbox partition with the fewest live sessions (plus `extra`; a random one of those on a tie), for a new session. */
  leastLoadedInbox(partitions: number, extra: ReadonlyMap<number, number> = new Map()): number {
    let best: number[] = [];
    let bestLoad = Infinity;
    for (let p = 0; p < partitions; p++) {
      const load = (this.#inboxLoad.get(p) ?? 0) + (extra.get(p) ?? 0);
      if (load < bestLoad) [best, bestLoad] = [[p], load];
      else if (load === bestLoad) best.push(p);
    }
    // A random one of the least loaded, so processes opening sessions at the same moment spread out.
    return best[Math.floor(Math.random() * best.length)] ?? 0;
  }

  #remove(id: string, entry: Entry): void {
    this.#entries.delete(id);
    this.#unindex(id, entry.record);
  }

  #index(id: string, record: SessionRecord): void {
    for (const path of Object.keys(record.registered)) {
      let set = this.#byPath.get(path);
      if (!set) this.#byPath.set(path, (set = new Set()));
      set.add(id);
    }
    this.#inboxLoad.set(record.inbox, (this.#inboxLoad.get(record.inbox) ?? 0) + 1);
  }

  #unindex(id: string, record: SessionRecord): void {
    for (const path of Object.keys(record.registered)) {
      const set = this.#byPath.get(path);
      set?.delete(id);
      if (set?.size === 0) this.#byPath.delete(path);
    }
    this.#inboxLoad.set(record.inbox, (this.#inboxLoad.get(record.inbox) ?? 1) - 1);
  }
}

function sameRecord(a: SessionRecord, b: SessionRecord): boolean {
  return a.inbox === b.inbox && a.timeoutMs === b.timeoutMs && JSON.stringify([a.properties, a.registered, a.addressed]) === JSON.stringify([b.properties, b.registered, b.addressed]);
}
