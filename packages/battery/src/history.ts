import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** A topic-partition as the history names it. */
export interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/**
 * One line of a worker's history. Every line has `t` (wall-clock milliseconds: every process runs on this
 * machine, so one clock orders them) and `w` (the worker that wrote it: its name and pid). Offsets are decimal
 * strings, as JSON has no 64-bit integers.
 */
export type HistoryEntry =
  | ({ k: 'start' } & Base)
  /** One event's send outcome: `ok` with where it was written, `failed` (certainly not written) or `unknown`. */
  | ({ k: 'send'; id: string; topic: string; status: 'ok' | 'failed' | 'unknown'; partition?: number; offset?: string; /** When the send began (`t` is when its outcome came). */ sentAt?: number } & Base)
  /** A record handed to a group member's handler for the first time in this process (attempt 1). */
  | ({ k: 'deliver'; member: string; gen: number; topic: string; partition: number; offset: string; id: string } & Base)
  /** The member's whole assignment after a join: what it owns from now on (`gen` counts its joins). */
  | ({ k: 'assign'; member: string; gen: number; partitions: PartitionRef[] } & Base)
  /** A commit the coordinator accepted: the next offset to read. */
  | ({ k: 'commit'; member: string; topic: string; partition: number; offset: string; /** When the commit left, where known (`t` is when its answer came). */ sentAt?: number } & Base)
  /** A record whose handler failed on its last attempt, so the group must write it to the dead-letter topic. */
  | ({ k: 'dead-letter'; member: string; topic: string; partition: number; offset: string; id: string } & Base)
  /** A request sent, and each outcome it got (a response or a typed error). */
  | ({ k: 'request'; id: string } & Base)
  | ({ k: 'outcome'; id: string; outcome: string } & Base)
  /** A put to a stream the writer made: `ok` once acknowledged, `failed` when it failed (then it is put again). */
  | ({ k: 'stream-put'; stream: string; seq: number; status: 'ok' | 'failed' } & Base)
  /** The writer's close of a stream, acknowledged, after its last acknowledged put `lastSeq`. */
  | ({ k: 'stream-close'; stream: string; lastSeq: number } & Base)
  /**
   * A stream element a listener received: a put (`seq` its number), or with `header` the header it received first
   * (`seq` the number of the last put before that header, -1 before any). `incarnation` is the listener's process:
   * a restarted listener is a new listener.
   */
  | ({ k: 'stream'; listener: string; incarnation: string; stream: string; seq: number; header?: true } & Base)
  /** The close a listener received. */
  | ({ k: 'stream-end'; listener: string; incarnation: string; stream: string } & Base)
  /** A listener stopped gracefully, after the writer closed its streams: it listened to `streams`. */
  | ({ k: 'stream-stop'; listener: string; incarnation: string; streams: string[] } & Base)
  /**
   * A command message sent (`ref`: the battery's own reference, carried in its body): `ok` with its id and where it
   * landed, else `unknown` (it may or may not have been written).
   */
  | ({ k: 'command-send'; ref: string; status: 'ok' | 'unknown'; id?: string; partition?: number; offset?: string } & Base)
  /** A command's execution by a processor (its effect), follow-ups included (`type` tells which). */
  | ({ k: 'command-run'; processor: string; id: string; type: string; ref: string } & Base);

interface Base {
  t: number;
  w: string;
}

type Distribute<T> = T extends unknown ? Omit<T, 't' | 'w'> : never;
export type HistoryInput = Distribute<HistoryEntry>;

/**
 * Appends history lines to one file per worker, each with one write(2): a line the call returned for is in the
 * file even if the process is killed with SIGKILL right after (the page cache outlives the process).
 */
export class HistoryWriter {
  readonly #fd: number;
  readonly worker: string;

  constructor(dir: string, worker: string) {
    mkdirSync(dir, { recursive: true });
    this.worker = worker;
    this.#fd = openSync(join(dir, `${worker}.jsonl`), 'a');
  }

  append(entry: HistoryInput): void {
    writeSync(this.#fd, `${JSON.stringify({ t: Date.now(), w: this.worker, ...entry })}\n`);
  }

  close(): void {
    closeSync(this.#fd);
  }
}

/** Every history line in `dir`, from every worker, ordered by time. A torn last line (a kill mid-write) is skipped. */
export function readHistories(dir: string): HistoryEntry[] {
  const entries: HistoryEntry[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        entries.push(JSON.parse(line) as HistoryEntry);
      } catch {
        // Only the last line of a killed worker can be torn.
      }
    }
  }
  return entries.sort((a, b) => a.t - b.t);
}
