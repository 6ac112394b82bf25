/**
 * The stream service's contract (seed 004, park's msgstream): what the Kafka-backed `Streams` hub implements,
 * and what the JSON-lines gateway serves to clients in any language.
 */

/**
 * Where a delivery sits in its stream's history: the stream's epoch (it changes when the stream is deleted and
 * made again, so an old position cannot be mistaken for a new one) and the record's offset in the stream's
 * partition, in decimal. Store it to resume later with `listen(stream, listener, { from: position })`.
 */
export interface StreamPosition {
  readonly epoch: string;
  readonly offset: string;
}

/**
 * What a listener receives: first the stream's header (its current status, when it has one), then every
 * message put after that header, in order, with no gap and no duplicate, then `close` when the stream ends (or
 * when the listener is dropped: then `reason` says why).
 */
export type StreamDelivery =
  | { readonly action: 'header'; readonly stream: string; readonly message: unknown; readonly position: StreamPosition }
  | { readonly action: 'put'; readonly stream: string; readonly message: unknown; readonly position: StreamPosition }
  | { readonly action: 'close'; readonly stream: string; readonly position?: StreamPosition; readonly reason?: string };

/**
 * Anything with `put()` (the seed's listener: an async queue, say). A `put` that returns a promise is awaited
 * before the next delivery to this listener: that is how a listener slows its stream down.
 */
export interface StreamListener {
  put(delivery: StreamDelivery): void | Promise<void>;
}

/** Where a listener starts. */
export type ListenFrom = 'header' | 'start' | StreamPosition;

/** Options of `listen`. */
export interface ListenOptions {
  /**
   * `header` (default): the current header, then what follows it (no header yet: everything from the start);
   * `start`: everything still kept from the stream's start; a {@link StreamPosition}: resume after it when the
   * history is still complete (`recovered: true`), else from the header (`recovered: false`).
   */
  from?: ListenFrom;
  /** Deliveries waiting for a slow listener, at most; beyond it the listener is dropped with a reason. Default 10000. */
  maxQueued?: number;
}

/** A listener in place. */
export interface StreamSubscription {
  /** With `from: position`: whether the history after that position was complete. Otherwise true. */
  readonly recovered: boolean;
  /** Stop this listener (no `close` is delivered to it). */
  hangup(): Promise<void>;
}

/** The operations of seed 004's message stream, on whatever log holds the streams. */
export interface StreamService {
  /** Set the stream's header (its current status), which listeners joining from now on receive first. */
  setHeader(stream: string, message: unknown): Promise<void>;
  /** Append a message to the stream. */
  put(stream: string, message: unknown): Promise<void>;
  /** End the stream: its listeners receive `close` and are removed. */
  close(stream: string): Promise<void>;
  /** Close the stream and forget it: a later put starts a new stream with a new epoch. */
  delete(stream: string): Promise<void>;
  /** Add a listener to a stream. */
  listen(stream: string, listener: StreamListener, options?: ListenOptions): Promise<StreamSubscription>;
  /** Remove a listener from a stream, or (stream `null`) from every stream. */
  hangup(stream: string | null, listener: StreamListener): Promise<void>;
}

/**
 * How stream messages become bytes and back (the seed's replaceable `msgstream.codec`). The default is the
 * seed's JSON encoding; any Tributary codec (Avro with its schema, say) fits too.
 */
export interface StreamCodec {
  /** Written with each record, so a reader knows which codec wrote it. */
  readonly name: string;
  encode(message: unknown): Buffer | Promise<Buffer>;
  decode(bytes: Buffer): unknown | Promise<unknown>;
}
