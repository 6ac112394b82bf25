import { performance } from 'node:perf_hooks';
import { ErrorCodes, InvalidArgumentError, isTributaryError, TributaryError } from '@tributary/core';
import { messageOf, type LogConnection } from '@tributary/kafka';
import type { MessagingSession } from '@tributary/messaging';
import { ChannelLayerClosedError, ChannelNotFoundError } from '../errors.js';
import { PerformanceRecorder, type ComponentPerformance } from '../signalling/performance.js';
import { ChannelBuffer, type ChannelMessage } from './channel-buffer.js';
import { channelOwner, checkGroupName, mintChannelName, ownerOrUndefined } from './channel-name.js';
import { copyMessage, DELIVER_PATH, failedResult, parseDeliveryRequest, requestError, resultError, type DeliveryRequest, type DeliveryResponse, type DeliveryResult } from './delivery.js';
import { GroupStore } from './group-store.js';
import { resolveChannelLayerOptions, type ChannelLayerOptions, type ResolvedChannelLayerOptions } from './options.js';

/** Options of {@link ChannelLayer.send}. */
export interface SendOptions {
  /** Longest to wait for the owner to take the message. Default: the layer's `sendTimeoutMs` (never past expiry). */
  timeout?: number;
  /** Stop waiting (the send ends with an ABORTED error; whether the owner took the message is unknown). */
  signal?: AbortSignal;
}

/** Options of {@link ChannelLayer.receive}. */
export interface ReceiveOptions {
  /** Stop waiting: the receive ends with an ABORTED error and takes no message. */
  signal?: AbortSignal;
}

/** What a {@link ChannelLayer.groupSend} did, member by member. */
export interface GroupSendResult {
  readonly group: string;
  /** Live members when the send began: each appears once, in `delivered` or in `failed`. */
  readonly members: number;
  /** Channels whose owner took the message (handed to a receiver, or kept for one). */
  readonly delivered: readonly string[];
  /**
   * Channels that did not get it, with why: `ChannelFullError`, `ChannelNotFoundError` (owner gone, channel
   * closed), `MessageExpiredError`, or `RequestTimeoutError` (the owner did not answer in time: unknown).
   */
  readonly failed: ReadonlyArray<{ readonly channel: string; readonly error: Error }>;
}

/** Counters of a channel layer since it started. */
export interface ChannelLayerStats {
  /** Channels this layer made and has not closed. */
  readonly channels: number;
  /** Messages kept in this layer's channels, waiting for a receive. */
  readonly buffered: number;
  /** Messages this layer sent that their channel's owner took (one per channel reached). */
  readonly delivered: number;
  /** Messages this layer sent that did not reach their channel (one per channel missed), by error code. */
  readonly failed: Readonly<Record<string, number>>;
  /** Messages taken by `receive` from this layer's channels. */
  readonly received: number;
  /** Messages dropped from this layer's channels when their expiry passed. */
  readonly expired: number;
}

const SESSION_PROPERTIES = { TributaryComponent: 'channel-layer' };
/**
 * How long a send waits for an owner this process has not seen yet: its announcement and the channel's name travel
 * on different topics, so a name can arrive a moment before its owner. An owner not seen by then, or seen to go, is
 * remembered as gone: later sends to it fail at once.
 */
const OWNER_GRACE_MS = 1000;
const GONE_REMEMBERED = 10_000;

/**
 * The channel layer Django Channels applications use (seed 001's Django Message Broker), on Kafka: one per process.
 *
 * - **Channels** are process-specific: `newChannel()` makes `specific.<session id>!<random>`, owned by this layer's
 *   messaging session. `send(channel, message)` is a request to the owner session (in this process: no request), so
 *   every send ends in one outcome: the owner took it (`receive` gets it, in the order sent by each sender), or
 *   `ChannelFullError` (`capacity` kept), `ChannelNotFoundError` (owner gone, channel unknown),
 *   `MessageExpiredError`, `RequestTimeoutError` (no answer in time: unknown), ABORTED. Nothing is lost silently: a
 *   taken message that nobody receives before `expirySeconds` is dropped and counted (`stats().expired`). A
 *   channel's messages wait in its owner's memory and end with it, as Django's process-specific channels do.
 * - **Groups** live on the compacted `<prefix>.groups` topic, so every process sees every membership; a membership
 *   expires `groupExpirySeconds` after its add. `groupSend` fans a message out to every live member, one request
 *   per owner process, and says which members got it and which did not, with why.
 *
 * Topics must exist: `ensureMessagingTopics` and `ensureChannelTopics`. Starts on first use; `close()` ends it.
 */
export class ChannelLayer implements AsyncDisposable {
  /** Django Channels' layer extensions this layer has. */
  readonly extensions = ['groups', 'flush'] as const;
  readonly #o: ResolvedChannelLayerOptions;
  readonly #buffers = new Map<string, ChannelBuffer>();
  readonly #recorder = new PerformanceRecorder('channel-layer', 'messages buffered in this process');
  readonly #failed = new Map<string, number>();
  /** Sessions this layer saw go (the latest {@link GONE_REMEMBERED}): a send to them needs no grace. */
  readonly #gone = new Set<string>();
  #counts = { delivered: 0, received: 0, expired: 0 };
  #started: Promise<{ session: MessagingSession; groups: GroupStore }> | undefined;
  #connection: LogConnection | undefined;
  #sweeper: NodeJS.Timeout | undefined;
  #closed = false;

  /** @throws InvalidArgumentError naming a wrong option. */
  constructor(options: ChannelLayerOptions) {
    this.#o = resolveChannelLayerOptions(options);
  }

  /** The messaging session owning this layer's channels (for signalling, which speaks for this layer). */
  async session(): Promise<MessagingSession> {
    return (await this.#start()).session;
  }

  /**
   * A new channel owned by this layer: `<prefix>.<session id>!<16 hex digits>` (Django's default prefix `specific`).
   * @throws InvalidChannelNameError for a bad prefix; ChannelLayerClosedError.
   */
  async newChannel(prefix = 'specific'): Promise<string> {
    const { session } = await this.#start();
    const channel = mintChannelName(prefix, session.id);
    this.#buffers.set(channel, new ChannelBuffer(channel, this.#o.capacity, (n) => (this.#counts.expired += n)));
    return channel;
  }

  /**
   * Send `message` (an object JSON can hold) to `channel`. Resolves once the channel's owner has it.
   * @throws InvalidChannelNameError, InvalidArgumentError (message), ChannelFullError, ChannelNotFoundError,
   *   MessageExpiredError, RequestTimeoutError, TributaryError ABORTED, ChannelLayerClosedError.
   */
  async send(channel: string, message: ChannelMessage, options: SendOptions = {}): Promise<void> {
    const owner = channelOwner(channel);
    const copy = copyMessage(message);
    checkSendOptions(options);
    const [outcome] = await this.#deliver(new Map([[owner, [channel]]]), copy, options);
    if (outcome!.error) throw outcome!.error;
  }

  /**
   * The next message of `channel` (one this layer made), waiting for one if none is kept. Messages come in the order
   * each sender sent them; expired ones are skipped (and counted).
   * @throws InvalidArgumentError for another process's channel; ChannelNotFoundError for a closed channel;
   *   TributaryError ABORTED; ChannelLayerClosedError when the layer closes while waiting.
   */
  async receive<T extends ChannelMessage = ChannelMessage>(channel: string, options: ReceiveOptions = {}): Promise<T> {
    const owner = channelOwner(channel);
    const { session } = await this.#start();
    if (owner !== session.id) throw new InvalidArgumentError(`Channel ${channel} belongs to session ${owner}: only its owner receives from it`, { option: 'channel', value: channel, expected: `a channel of session ${session.id}` });
    const buffer = this.#buffers.get(channel);
    if (!buffer) throw new ChannelNotFoundError(channel, owner, 'unknown-channel');
    const message = await buffer.take(options.signal);
    this.#counts.received++;
    return message as T;
  }

  /**
   * Forget a channel this layer made: its kept messages are dropped (returned count), waiting receives end with
   * ChannelNotFoundError, and later sends to it fail with ChannelNotFoundError. Memberships stay until discarded.
   */
  closeChannel(channel: string): number {
    const buffer = this.#buffers.get(channel);
    if (!buffer) return 0;
    this.#buffers.delete(channel);
    buffer.rejectWaiters(new ChannelNotFoundError(channel, channelOwner(channel), 'unknown-channel'));
    return buffer.clear();
  }

  /**
   * Add `channel` (any process's) to `group`, for `groupExpirySeconds`; resolves once this process's view has it.
   * @throws InvalidChannelNameError; TributaryError when the groups topic cannot be written.
   */
  async groupAdd(group: string, channel: string): Promise<void> {
    checkGroupName(group);
    channelOwner(channel);
    await (await this.#start()).groups.add(group, channel);
  }

  /** Remove `channel` from `group` (nothing for a non-member). @throws as {@link groupAdd}. */
  async groupDiscard(group: string, channel: string): Promise<void> {
    checkGroupName(group);
    channelOwner(channel);
    await (await this.#start()).groups.discard(group, channel);
  }

  /** The live members of `group` as this process sees them. @throws InvalidChannelNameError */
  async groupMembers(group: string): Promise<string[]> {
    checkGroupName(group);
    return (await this.#start()).groups.members(group);
  }

  /**
   * Send `message` to every live member of `group`, at most once each: one request per owner process, carrying the
   * message for all its member channels. Resolves when every member's outcome is known; never rejects for a member.
   * @throws InvalidChannelNameError, InvalidArgumentError (message), ChannelLayerClosedError.
   */
  async groupSend(group: string, message: ChannelMessage, options: SendOptions = {}): Promise<GroupSendResult> {
    checkGroupName(group);
    const copy = copyMessage(message);
    checkSendOptions(options);
    const members = (await this.#start()).groups.members(group);
    const byOwner = new Map<string, string[]>();
    for (const channel of members) {
      const owner = channelOwner(channel);
      byOwner.set(owner, [...(byOwner.get(owner) ?? []), channel]);
    }
    const outcomes = await this.#deliver(byOwner, copy, options);
    const delivered = outcomes.filter((o) => !o.error).map((o) => o.channel);
    const failed = outcomes.filter((o): o is { channel: string; error: Error } => o.error !== undefined);
    return { group, members: members.length, delivered, failed };
  }

  /**
   * Django's flush: discard every group membership (on the topic, for every process) and drop the messages kept in
   * this layer's channels. Other processes' kept messages are theirs: the signalling `FLUSH` reaches them.
   */
  async flush(): Promise<void> {
    const { groups } = await this.#start();
    await groups.discardWhere(() => true);
    this.flushMessages();
  }

  /** Drop every message kept in this layer's channels (waiting receives keep waiting); returns how many. */
  flushMessages(): number {
    let dropped = 0;
    for (const buffer of this.#buffers.values()) dropped += buffer.clear();
    return dropped;
  }

  /** This layer's counters (messages whose expiry passed are dropped and counted first). */
  stats(): ChannelLayerStats {
    this.#sweep();
    let buffered = 0;
    for (const buffer of this.#buffers.values()) buffered += buffer.size;
    return { channels: this.#buffers.size, buffered, ...this.#counts, failed: Object.fromEntries(this.#failed) };
  }

  /** Performance of this layer's sends (per channel reached) and of its group store, for `PERFORMANCE`. */
  async performance(): Promise<ComponentPerformance[]> {
    const started = this.#started && (await this.#started.catch(() => undefined));
    const layer = this.#recorder.snapshot(this.stats().buffered);
    return started ? [layer, started.groups.recorder.snapshot(await started.groups.lag().catch(() => -1))] : [layer];
  }

  /**
   * Close: waiting receives end with ChannelLayerClosedError, kept messages are dropped, this layer's channels leave
   * their groups (best effort), the session says goodbye (later sends to its channels fail: owner gone), and a hub
   * this layer made is closed.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweeper);
    const started = await this.#started?.catch(() => undefined);
    for (const buffer of this.#buffers.values()) {
      buffer.rejectWaiters(new ChannelLayerClosedError('receive'));
      buffer.clear();
    }
    if (started) {
      const me = started.session.id;
      await started.groups.discardWhere((_, channel) => ownerOrUndefined(channel) === me).catch((error: unknown) => this.#o.logger.warn({ err: messageOf(error) }, 'Channels: the memberships of a closing layer could not be discarded; they expire'));
      await started.session.close();
      await started.groups.close();
    }
    if (this.#o.ownsMessaging) await this.#o.messaging.close();
    await this.#connection?.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #start(): Promise<{ session: MessagingSession; groups: GroupStore }> {
    if (this.#closed) return Promise.reject(new ChannelLayerClosedError('use the channel layer'));
    this.#started ??= (async () => {
      const session = await this.#o.messaging.openSession({ properties: SESSION_PROPERTIES });
      try {
        session.onSessionChange((e) => e.type === 'removed' && this.#remember(e.session.id));
        await session.addRequestHandler(DELIVER_PATH, (request: unknown) => this.#accept(session.id, parseDeliveryRequest(request)), { addressed: true });
        this.#connection = await this.#o.transport.connect();
        const groups = new GroupStore({ connection: this.#connection, topic: this.#o.topics.groups, expiryMs: this.#o.groupExpiryMs, logger: this.#o.logger });
        await groups.start();
        // Messages carry their sender's expiry, so sweep at a pace that suits any: once a second.
        this.#sweeper = setInterval(() => this.#sweep(), 1000);
        this.#sweeper.unref();
        return { session, groups };
      } catch (error) {
        this.#started = undefined;
        await session.close().catch(() => {});
        await this.#connection?.close().catch(() => {});
        throw error;
      }
    })();
    return this.#started;
  }

  /** Deliveries to this layer's channels: each channel's outcome (an unknown channel is one too). */
  #accept(me: string, request: DeliveryRequest): DeliveryResponse {
    return { results: request.channels.map((channel) => this.#push(me, channel, request.channels.length > 1 ? structuredClone(request.message) : request.message, request.expiresAt)) };
  }

  #push(me: string, channel: string, message: ChannelMessage, expiresAt: number): DeliveryResult {
    const buffer = this.#buffers.get(channel);
    if (!buffer || this.#closed) return failedResult(channel, new ChannelNotFoundError(channel, me, 'unknown-channel'));
    try {
      return { channel, outcome: buffer.push(message, expiresAt) };
    } catch (error) {
      return failedResult(channel, error);
    }
  }

  /** One request per owner (none for this layer's own channels); every channel's outcome, in the order given. */
  async #deliver(byOwner: ReadonlyMap<string, readonly string[]>, message: ChannelMessage, options: SendOptions): Promise<Array<{ channel: string; error?: Error }>> {
    const { session } = await this.#start();
    const expiresAt = Date.now() + this.#o.expiryMs;
    const timeout = Math.max(1, Math.min(options.timeout ?? this.#o.sendTimeoutMs, this.#o.expiryMs));
    const perOwner = await Promise.all(
      [...byOwner].map(async ([owner, channels]) => {
        const started = performance.now();
        let outcomes: Array<{ channel: string; error?: Error }>;
        if (owner === session.id) {
          outcomes = channels.map((channel, i) => this.#outcome(owner, this.#push(owner, channel, i === 0 ? message : structuredClone(message), expiresAt)));
        } else {
          try {
            if (!this.#gone.has(owner) && !(await ownerSeen(session, owner, Math.min(timeout, OWNER_GRACE_MS)))) this.#remember(owner);
            const response = await session.sendRequestToSession<DeliveryResponse>(DELIVER_PATH, owner, { channels, message, expiresAt }, { timeout, ...(options.signal ? { signal: options.signal } : {}) });
            outcomes = channels.map((channel) => this.#outcome(owner, response?.results?.find((r) => r.channel === channel) ?? failedResult(channel, new TributaryError(ErrorCodes.REQUEST_FAILED, `The owner ${owner} gave no outcome for channel ${channel}`))));
          } catch (error) {
            outcomes = channels.map((channel) => ({ channel, error: requestError(channel, owner, error) }));
          }
        }
        this.#count(outcomes, performance.now() - started);
        return outcomes;
      }),
    );
    return perOwner.flat();
  }

  #outcome(owner: string, result: DeliveryResult): { channel: string; error?: Error } {
    return 'error' in result ? { channel: result.channel, error: resultError(owner, result) } : { channel: result.channel };
  }

  #count(outcomes: ReadonlyArray<{ error?: Error }>, latencyMs: number): void {
    const ok = outcomes.filter((o) => !o.error).length;
    this.#counts.delivered += ok;
    if (ok > 0) this.#recorder.record(latencyMs, ok);
    for (const { error } of outcomes) {
      if (!error) continue;
      const code = isTributaryError(error) ? error.code : error.name;
      this.#failed.set(code, (this.#failed.get(code) ?? 0) + 1);
      this.#recorder.fail(code);
    }
  }

  #remember(gone: string): void {
    this.#gone.add(gone);
    if (this.#gone.size > GONE_REMEMBERED) this.#gone.delete(this.#gone.values().next().value!);
  }

  #sweep(): void {
    const now = Date.now();
    let dropped = 0;
    for (const buffer of this.#buffers.values()) dropped += buffer.dropExpired(now);
    if (dropped > 0) this.#o.logger.debug({ dropped }, 'Channels: dropped messages whose expiry passed before a receive');
  }
}

/** A channel layer for this process. @throws InvalidArgumentError naming a wrong option. */
export function createChannelLayer(options: ChannelLayerOptions): ChannelLayer {
  return new ChannelLayer(options);
}

/** Resolves true when `owner` is (or comes) in this session's view of the live sessions, false after `waitMs`. */
function ownerSeen(session: MessagingSession, owner: string, waitMs: number): Promise<boolean> {
  if (session.session(owner)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (seen: boolean) => (clearTimeout(timer), stop(), resolve(seen));
    const stop = session.onSessionChange((e) => e.type !== 'removed' && e.session.id === owner && done(true));
    const timer = setTimeout(() => done(false), waitMs);
  });
}

function checkSendOptions(options: SendOptions): void {
  if (options.timeout !== undefined && (!Number.isInteger(options.timeout) || options.timeout < 1)) {
    throw new InvalidArgumentError(`timeout is ${String(options.timeout)}; expected a whole number of milliseconds, at least 1`, { option: 'timeout', value: options.timeout, expected: 'an integer >= 1' });
  }
}
