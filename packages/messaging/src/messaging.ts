import { randomUUID } from 'node:crypto';
import { ErrorCodes, TributaryError } from '@tributary/core';
import { asTributaryError, messageOf, PartitionTail, type LogConnection } from '@tributary/kafka';
import { parseSessionFilter, type SessionFilter } from './filter/session-filter.js';
import { InboxDispatcher } from './inbox/inbox-dispatcher.js';
import { MessagingMetrics } from './metrics/messaging-metrics.js';
import { resolveMessagingOptions, type MessagingOptions, type ResolvedMessagingOptions } from './options.js';
import { Requester } from './requests/requester.js';
import { MessagingSession } from './session/messaging-session.js';
import { fixedProperties, validateUserProperties } from './session/properties.js';
import type { SessionInfo, SessionListener } from './session/session-info.js';
import { encodeSessionRecord } from './session/session-record.js';
import { SessionRegistry } from './session/session-registry.js';
import { encodeInboxMessage, type InboxMessage } from './wire/envelope.js';

/** Options of {@link Messaging.openSession}. */
export interface OpenSessionOptions {
  /** User properties every other session sees (and filters match): names to string values. */
  properties?: Record<string, string>;
}

const FILTER_CACHE = 1000;

/**
 * The sessions of one process on one cluster, sharing what they need: one writer, one view of the live sessions
 * (the sessions topic), and one reader of the inbox partitions the sessions read. A thousand sessions cost one
 * of each. Topics must exist: see {@link ensureMessagingTopics}.
 */
export class Messaging implements AsyncDisposable {
  readonly #o: ResolvedMessagingOptions;
  #connection: LogConnection | undefined;
  #registry!: SessionRegistry;
  #inbox!: PartitionTail;
  readonly #requester: Requester;
  readonly #dispatcher: InboxDispatcher;
  readonly #metrics: MessagingMetrics | undefined;
  readonly #sessions = new Map<string, MessagingSession>();
  readonly #filters = new Map<string, SessionFilter>();
  #started: Promise<number> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;

  /** @throws InvalidArgumentError naming a wrong option. */
  constructor(options: MessagingOptions) {
    this.#o = resolveMessagingOptions(options);
    const { logger } = this.#o;
    this.#metrics = this.#o.metrics && MessagingMetrics.of(this.#o.metrics.registry);
    this.#requester = new Requester({ registry: { handlersOf: (p) => this.#registry.handlersOf(p), record: (id) => this.#registry.record(id) }, send: (partition, m) => this.#send(partition, m), logger, metrics: this.#metrics, defaultTimeoutMs: this.#o.requestTimeoutMs, stickyRequests: this.#o.stickyRequests });
    this.#dispatcher = new InboxDispatcher({ sessions: this.#sessions, requester: this.#requester, send: (partition, m) => this.#send(partition, m), logger, metrics: this.#metrics, maxConcurrent: this.#o.maxConcurrentHandlers });
  }

  /**
   * Open a session: its inbox is followed from its current end before it announces itself, so no request or
   * response to it can be missed; resolves once every session of this process sees it.
   * @throws InvalidArgumentError for bad properties; TributaryError when the topics are missing or Kafka fails.
   */
  async openSession(options: OpenSessionOptions = {}): Promise<MessagingSession> {
    if (this.#closed) throw new TributaryError(ErrorCodes.CONSUMER_STATE, 'Cannot open a session: the messaging hub is closed', { context: { operation: 'openSession' } });
    const user = validateUserProperties(options.properties);
    const partitions = await this.#start();
    const id = randomUUID();
    // Chosen and counted before any await, so sessions opened side by side spread over the partitions.
    const inbox = this.#leastLoadedInbox(partitions);
    const session = new MessagingSession(id, { ...fixedProperties(id, Date.now()), ...user }, inbox, {
      requester: this.#requester,
      sessions: () => this.#registry.all(),
      session: (sid) => this.#registry.get(sid),
      onChange: (listener: SessionListener) => this.#registry.onChange(listener),
      filter: (text) => this.#filter(text),
      announce: (s) => this.#announce(s),
      close: (s) => this.#closeSession(s),
    });
    this.#sessions.set(id, session);
    try {
      if (!this.#inbox.has(inbox)) this.#inbox.follow(inbox, (await this.#inbox.ends()).get(inbox) ?? 0n);
      await this.#announce(session);
    } catch (error) {
      this.#sessions.delete(id);
      throw error;
    }
    return session;
  }

  /** The live sessions every session of this process sees (none before the first session opens). */
  sessions(): SessionInfo[] {
    return this.#registry?.all() ?? [];
  }

  /** Be told when a session appears, changes or goes; returns the undo. @throws before the first session opens. */
  onSessionChange(listener: SessionListener): () => void {
    if (!this.#registry) throw new TributaryError(ErrorCodes.CONSUMER_STATE, 'Open a session before listening to session changes', { context: { operation: 'onSessionChange' } });
    return this.#registry.onChange(listener);
  }

  /** Requests sent by this process's sessions still waiting for their outcome. */
  get requestsInFlight(): number {
    return this.#requester.inFlight;
  }

  /** Close every session (see {@link MessagingSession.close}), then the connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#sessions.values()].map((s) => s.close()));
    await this.#started?.catch(() => {});
    clearInterval(this.#heartbeat);
    await Promise.allSettled([this.#inbox?.close(), this.#registry?.close()]);
    await this.#connection?.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Once: connect, read the live sessions, learn the inbox's partitions, start heartbeats. */
  #start(): Promise<number> {
    this.#started ??= (async () => {
      const { topics, logger } = this.#o;
      let partitions: number;
      try {
        const connection = (this.#connection = await this.#o.transport.connect());
        partitions = await connection.partitionCount(topics.inbox);
        await connection.partitionCount(topics.sessions);
        this.#registry = new SessionRegistry({ reader: connection.openReader(), topic: topics.sessions, logger, sweepMs: Math.max(50, Math.floor(this.#o.heartbeatMs / 2)) });
        this.#inbox = new PartitionTail({ reader: connection.openReader(), topic: topics.inbox, logger, maxWaitMs: 100, onRecords: (partition, records) => this.#dispatcher.dispatch(partition, records) });
        this.#registry.onChange((event) => {
          if (event.type !== 'removed') return;
          void this.#requester.onSessionGone(event.session.id);
          if (this.#sessions.has(event.session.id)) logger.warn({ sessionId: event.session.id, reason: event.reason }, 'Messaging: a session of this process was seen gone (heartbeats late?); it announces itself again');
        });
        await this.#registry.start();
      } catch (error) {
        // Undone, so a later openSession tries again (the topics may exist by then).
        this.#started = undefined;
        await Promise.allSettled([this.#inbox?.close(), this.#registry?.close(), this.#connection?.close()]);
        throw asTributaryError(error, `Starting messaging on topics ${topics.sessions} and ${topics.inbox} (create them with ensureMessagingTopics)`);
      }
      this.#heartbeat = setInterval(() => void this.#beat(), this.#o.heartbeatMs);
      this.#heartbeat.unref();
      return partitions;
    })();
    return this.#started;
  }

  /** The inbox partition with the fewest sessions, counting this process's sessions not yet seen in the view. */
  #leastLoadedInbox(partitions: number): number {
    const unseen = new Map<number, number>();
    for (const s of this.#sessions.values()) if (!this.#registry.get(s.id)) unseen.set(s.inbox, (unseen.get(s.inbox) ?? 0) + 1);
    return this.#registry.leastLoadedInbox(partitions, unseen);
  }

  async #announce(session: MessagingSession): Promise<void> {
    const [result] = await this.#connection!.write([this.#announcement(session.id, encodeSessionRecord(session.record(this.#o.sessionTimeoutMs)))]).catch((error: unknown) => {
      throw asTributaryError(error, `Announcing session ${session.id}`);
    });
    await this.#registry.seen(result!.partition, result!.offset);
  }

  async #beat(): Promise<void> {
    const open = [...this.#sessions.values()].filter((s) => !s.closed);
    if (open.length === 0) return;
    await this.#connection!.write(open.map((s) => this.#announcement(s.id, encodeSessionRecord(s.record(this.#o.sessionTimeoutMs))))).catch((error: unknown) => {
      this.#o.logger.warn({ sessions: open.length, err: messageOf(error) }, 'Messaging: a heartbeat could not be written; sessions may be seen gone if this lasts');
    });
  }

  #announcement(id: string, value: Buffer | null) {
    return { topic: this.#o.topics.sessions, partition: 0, record: { key: Buffer.from(id), value, headers: {} } };
  }

  async #closeSession(session: MessagingSession): Promise<void> {
    this.#requester.onSenderClosed(session.id);
    await this.#dispatcher.drain(session.id, this.#o.closeTimeoutMs);
    this.#sessions.delete(session.id);
    try {
      const [result] = await this.#connection!.write([this.#announcement(session.id, null)]);
      await this.#registry.seen(result!.partition, result!.offset);
    } catch (error) {
      this.#o.logger.warn({ sessionId: session.id, err: messageOf(error) }, 'Messaging: the goodbye of a session could not be written; others see it gone when it times out');
    }
  }

  async #send(partition: number, message: InboxMessage): Promise<void> {
    await this.#connection!.write([{ topic: this.#o.topics.inbox, partition, record: encodeInboxMessage(message) }]).catch((error: unknown) => {
      throw asTributaryError(error, `Sending a ${message.kind} to session ${message.to}`);
    });
  }

  #filter(text: string): SessionFilter {
    let filter = this.#filters.get(text);
    if (!filter) {
      filter = parseSessionFilter(text);
      if (this.#filters.size >= FILTER_CACHE) this.#filters.delete(this.#filters.keys().next().value!);
      this.#filters.set(text, filter);
    }
    return filter;
  }
}

/** A messaging hub for the sessions of this process. @throws InvalidArgumentError naming a wrong option. */
export function createMessaging(options: MessagingOptions): Messaging {
  return new Messaging(options);
}
