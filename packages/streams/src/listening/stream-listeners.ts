import { messageOf, type Logger, type PartitionTail, type StoredLogRecord } from '@tributary/kafka';
import type { StreamCodec, StreamDelivery, StreamListener } from '../stream-service.js';
import { actionOf, StreamHeaders } from '../wire/record-headers.js';
import type { ListenerQueue } from './listener-queue.js';

/** A listener on one stream, and where it is. */
export interface ListenerState {
  readonly stream: string;
  readonly partition: number;
  readonly listener: StreamListener;
  readonly queue: ListenerQueue;
  /** The next offset it is to receive; records before it are never handed to it (no duplicate). */
  next: bigint;
  /** The stream's epoch; undefined while the stream has no record yet (then the first record's is taken). */
  epoch: string | undefined;
  /**
   * False only for a listener that began waiting for a stream the index did not know, until its first put: then
   * the stream's first record, learnt from the index, may still move it back. True for every other listener.
   */
  started: boolean;
}

/**
 * The listeners of one process, by partition, fed from one {@link PartitionTail} of the log topic that follows
 * only the partitions they need. Each record is decoded once and queued to every listener of its stream whose
 * next offset it is at or past, so a listener that joined at an older offset (the tail was rewound for it) gets
 * what it lacks and the others get nothing twice.
 */
export class StreamListeners {
  readonly #byPartition = new Map<number, Set<ListenerState>>();
  readonly #tail: PartitionTail;
  readonly #codecs: (name: string) => StreamCodec | undefined;
  readonly #logger: Logger;

  constructor(tail: PartitionTail, codecs: (name: string) => StreamCodec | undefined, logger: Logger) {
    this.#tail = tail;
    this.#codecs = codecs;
    this.#logger = logger;
  }

  add(state: ListenerState): void {
    let set = this.#byPartition.get(state.partition);
    if (!set) this.#byPartition.set(state.partition, (set = new Set()));
    set.add(state);
    this.#tail.rewind(state.partition, state.next);
  }

  /** Move a listener that has received no put yet, nor the close, back to an earlier offset (the stream's start, learnt late). */
  moveBack(state: ListenerState, offset: bigint): void {
    if (state.started || state.queue.ended || offset >= state.next) return;
    state.next = offset;
    this.#tail.rewind(state.partition, offset);
  }

  remove(state: ListenerState): void {
    state.queue.stop();
    const set = this.#byPartition.get(state.partition);
    set?.delete(state);
    if (set?.size === 0) {
      this.#byPartition.delete(state.partition);
      this.#tail.unfollow(state.partition);
    }
  }

  /** The listeners matching a stream (or every stream: null) and a listener object. */
  find(stream: string | null, listener: StreamListener): ListenerState[] {
    const out: ListenerState[] = [];
    for (const set of this.#byPartition.values()) for (const s of set) if (s.listener === listener && (stream === null || s.stream === stream)) out.push(s);
    return out;
  }

  of(stream: string): ListenerState[] {
    const out: ListenerState[] = [];
    for (const set of this.#byPartition.values()) for (const s of set) if (s.stream === stream) out.push(s);
    return out;
  }

  all(): ListenerState[] {
    return [...this.#byPartition.values()].flatMap((set) => [...set]);
  }

  /**
   * The tail's records of one partition, in offset order, covering every record from `range.from` to before
   * `range.next`. Only listeners whose next offset lies in that range take part: one that joined at an older
   * offset skips reads that began after it (it would miss what lies between) and waits for the rewound read.
   */
  async onRecords(partition: number, records: readonly StoredLogRecord[], range: { readonly from: bigint; readonly next: bigint }): Promise<void> {
    const set = this.#byPartition.get(partition);
    if (!set) return;
    // The covered listeners by stream, so a record costs a lookup, not a pass over every listener.
    const covered: ListenerState[] = [];
    const byStream = new Map<string, ListenerState[]>();
    for (const s of set) {
      if (s.next < range.from) continue;
      covered.push(s);
      const list = byStream.get(s.stream);
      if (list) list.push(s);
      else byStream.set(s.stream, [s]);
    }
    for (const record of records) {
      const stream = record.key?.toString('utf8');
      if (stream === undefined) continue;
      let due: ListenerState[] | undefined;
      for (const s of byStream.get(stream) ?? []) if (record.offset >= s.next && !s.queue.ended) (due ??= []).push(s);
      if (!due) continue;
      const action = actionOf(record.headers);
      const epoch = record.headers[StreamHeaders.epoch]?.toString('utf8');
      const position = { epoch: epoch ?? '', offset: record.offset.toString() };
      let delivery: StreamDelivery | undefined;
      if (action === 'put') delivery = await this.#decode(stream, record, position);
      else if (action === 'close') delivery = { action: 'close', stream, position };
      for (const s of due) {
        s.next = record.offset + 1n;
        s.epoch ??= epoch;
        // Headers are not deliveries once listening (the seed's listeners receive puts and close); a record of
        // another epoch belongs to the stream made again after a delete this listener was closed by.
        if (!delivery || epoch !== s.epoch) continue;
        if (delivery.action === 'put') s.started = true;
        s.queue.push(delivery);
        // The stream ended, but a slow listener may still be taking what came before the close: removing it
        // now would stop its queue and throw those deliveries away, close included. It goes once it took them
        // (its ended queue takes nothing more meanwhile), and until then a hangup still stops it.
        if (delivery.action === 'close') void s.queue.finished.then(() => this.remove(s));
      }
    }
    // Everything up to range.next has been seen by the covered listeners, their stream's records or not.
    for (const s of covered) if (s.next < range.next) s.next = range.next;
  }

  async #decode(stream: string, record: StoredLogRecord, position: { epoch: string; offset: string }): Promise<StreamDelivery | undefined> {
    const name = record.headers[StreamHeaders.codec]?.toString('utf8') ?? 'json';
    const codec = this.#codecs(name);
    try {
      if (!codec) throw new Error(`no codec named ${JSON.stringify(name)} is configured`);
      return { action: 'put', stream, message: await codec.decode(record.value ?? Buffer.alloc(0)), position };
    } catch (error) {
      // A message this process cannot decode is skipped, loudly: it must not stop the stream for everyone.
      this.#logger.warn({ stream, offset: position.offset, err: messageOf(error) }, 'Streams: a message could not be decoded and was skipped');
      return undefined;
    }
  }
}
