import { performance } from 'node:perf_hooks';
import { isTributaryError } from '@tributary/core';
import { messageOf, type LogConnection } from '@tributary/kafka';
import type { MessagingSession, RequestContext } from '@tributary/messaging';
import { ownerOrUndefined } from '../channels/channel-name.js';
import { GroupStore } from '../channels/group-store.js';
import { resolveServerOptions, type ResolvedServerOptions, type SignallingServerOptions } from './options.js';
import { PeerWatch, type PeerLostListener } from './peer-watch.js';
import { PerformanceRecorder, type ComponentPerformance, type PerformanceReport } from './performance.js';
import { serverCommands, type ServerCommand } from './server-commands.js';
import { complete, exception, parseSignallingMessage, signallingMessage, type SignallingMessage } from './signalling-message.js';

/** A client as the server knows it. */
export interface SignallingClientInfo {
  readonly sessionId: string;
  /** When the server last heard from it (epoch ms). */
  readonly lastSeenAt: number;
  /** The performance it sent in its last KEEPALIVE (its channel layer's, when it speaks for one). */
  readonly components: readonly ComponentPerformance[];
}

const CLIENT_COMMANDS = ['GROUP_ADD', 'GROUP_DISCARD', 'FLUSH', 'PRINT', 'PERFORMANCE', 'KEEPALIVE'] as const;

/**
 * Seed 001's signalling server (Django Message Broker's broker process), on Kafka. The seed's server is one process
 * that clients reach over ZeroMQ and that holds the group store; here:
 * - the server is a messaging session registered on `path` (default `tributary/signalling`); several servers may
 *   register, and a client's command goes to one of them (balanced), then to the one it keeps alive with;
 * - the group store is the compacted groups topic every channel layer reads, so `GROUP_ADD` / `GROUP_DISCARD` from
 *   any client are seen by every process; any server can serve any client;
 * - each command is a request whose response is exactly one `COMPLETE` or `EXCEPTION` carrying the command's id
 *   (and `serverId`); the client's deadline ends it with `RequestTimeoutError` otherwise, never a hang;
 * - server-to-client messages (`KEEPALIVE`, `FLUSH_CLIENT`, `PERFORMANCE_REPORT`) are requests to the client's
 *   session on `<path>/client`, each answered by the client with `COMPLETE` or `EXCEPTION`.
 *
 * Keepalive: the server sends `KEEPALIVE` to each client it has heard from every `keepaliveMs`; a client silent for
 * `missedKeepalives` of its own intervals (or whose session goes) is reported to {@link onPeerLost} within
 * `missedKeepalives × the client's interval + keepaliveMs / 4` of last being heard (defaults: 3 × 1000 + 250 ms),
 * and its channels' memberships are discarded (`discardMembershipsOfLostClients`). Open with {@link openSignallingServer}.
 */
export class SignallingServer implements AsyncDisposable {
  readonly #o: ResolvedServerOptions;
  readonly #session: MessagingSession;
  readonly #groups: GroupStore;
  readonly #connection: LogConnection;
  readonly #watch: PeerWatch;
  readonly #recorder = new PerformanceRecorder('signalling-server', 'commands in flight');
  readonly #commands: Record<string, ServerCommand>;
  readonly #components = new Map<string, readonly ComponentPerformance[]>();
  readonly #pinging = new Set<string>();
  #inFlight = 0;
  #closed = false;

  /** @internal made by {@link openSignallingServer}. */
  constructor(o: ResolvedServerOptions, session: MessagingSession, connection: LogConnection, groups: GroupStore) {
    this.#o = o;
    this.#session = session;
    this.#connection = connection;
    this.#groups = groups;
    this.#watch = new PeerWatch({ peer: 'client', missed: o.missedKeepalives, intervalMs: o.keepaliveMs, logger: o.logger });
    this.#commands = serverCommands({
      session,
      groups,
      clientPath: o.clientPath,
      clientTimeoutMs: o.keepaliveMs * o.missedKeepalives,
      print: o.print,
      clients: () => this.clients().map((c) => ({ sessionId: c.sessionId, lastSeenAt: c.lastSeenAt, buffered: c.components.find((x) => x.component === 'channel-layer')?.lag })),
      report: (commandId) => this.performanceReport(commandId),
    });
  }

  /** The server's session id. */
  get sessionId(): string {
    return this.#session.id;
  }

  /** The clients this server keeps alive with. */
  clients(): SignallingClientInfo[] {
    return this.#watch.peers().map((p) => ({ ...p, components: this.#components.get(p.sessionId) ?? [] }));
  }

  /** The live members of `group` as this server's group store sees them. */
  groupMembers(group: string): string[] {
    return this.#groups.members(group);
  }

  /** Be told when a client is lost (missed keepalives, or its session went); returns the undo. */
  onPeerLost(listener: PeerLostListener): () => void {
    return this.#watch.onLost(listener);
  }

  /** Throughput, latency percentiles, lag and errors of this server, its group store, and each client's components. */
  async performanceReport(commandId = ''): Promise<PerformanceReport> {
    const components: ComponentPerformance[] = [this.#recorder.snapshot(this.#inFlight), this.#groups.recorder.snapshot(await this.#groups.lag().catch(() => -1))];
    for (const [session, list] of this.#components) for (const c of list) components.push({ ...c, session });
    return { commandId, serverId: this.sessionId, at: new Date().toISOString(), components };
  }

  /** @internal start answering commands and keeping clients alive. */
  async start(): Promise<void> {
    const handler = (request: unknown, ctx: RequestContext) => this.#handle(request, ctx);
    this.#watch.onLost((e) => void this.#clientLost(e.sessionId));
    await this.#session.addRequestHandler(this.#o.path, handler, { addressed: true });
    await this.#session.registerRequestHandler(this.#o.path, handler);
    this.#watch.start(this.#session, () => this.#keepalive());
  }

  /** Stop: the session says goodbye (clients see the server gone), then the group store and a hub made for it close. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watch.stop();
    await this.#session.close();
    await this.#groups.close();
    await this.#connection.close();
    if (this.#o.ownsMessaging) await this.#o.messaging.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Every command: exactly one COMPLETE or EXCEPTION with its id; a message without a readable id is refused. */
  async #handle(request: unknown, ctx: RequestContext): Promise<SignallingMessage> {
    const started = performance.now();
    this.#inFlight++;
    let id = typeof (request as { id?: unknown } | null)?.id === 'string' ? (request as { id: string }).id : undefined;
    try {
      const message = parseSignallingMessage(request, CLIENT_COMMANDS);
      id = message.id;
      this.#heard(ctx.sessionId, message);
      const properties = message.command === 'KEEPALIVE' ? { keepaliveMs: this.#o.keepaliveMs } : await this.#commands[message.command]!(message, ctx.sessionId, ctx.signal);
      this.#recorder.record(performance.now() - started);
      return complete(message.id, { ...properties, serverId: this.sessionId });
    } catch (error) {
      this.#recorder.fail(isTributaryError(error) ? error.code : 'Error');
      if (id === undefined) throw error;
      const answer = exception(id, error);
      return { ...answer, properties: { ...answer.properties, serverId: this.sessionId } };
    } finally {
      this.#inFlight--;
    }
  }

  #heard(clientId: string, message: SignallingMessage): void {
    if (message.command !== 'KEEPALIVE') return this.#watch.seen(clientId);
    this.#watch.seen(clientId, Number(message.properties.keepaliveMs));
    const components = message.properties.components;
    if (Array.isArray(components)) this.#components.set(clientId, components.filter((c): c is ComponentPerformance => typeof (c as ComponentPerformance)?.component === 'string'));
  }

  /** KEEPALIVE to every client heard from; one at a time per client, each answer counting as hearing from it. */
  #keepalive(): void {
    for (const { sessionId } of this.#watch.peers()) {
      if (this.#pinging.has(sessionId)) continue;
      this.#pinging.add(sessionId);
      const ping = signallingMessage('KEEPALIVE', { keepaliveMs: this.#o.keepaliveMs });
      this.#session
        .sendRequestToSession<SignallingMessage>(this.#o.clientPath, sessionId, ping, { timeout: this.#o.keepaliveMs * this.#o.missedKeepalives })
        .then((reply) => reply?.id === ping.id && this.#watch.has(sessionId) && this.#watch.seen(sessionId))
        .catch((error: unknown) => this.#o.logger.debug({ sessionId, err: messageOf(error) }, 'Signalling: a KEEPALIVE to a client failed'))
        .finally(() => this.#pinging.delete(sessionId));
    }
  }

  async #clientLost(clientId: string): Promise<void> {
    this.#components.delete(clientId);
    if (!this.#o.discardMembershipsOfLostClients || this.#closed) return;
    try {
      const discarded = await this.#groups.discardWhere((_, channel) => ownerOrUndefined(channel) === clientId);
      if (discarded > 0) this.#o.logger.info({ clientId, discarded }, 'Signalling: discarded the memberships of a lost client');
    } catch (error) {
      this.#o.logger.warn({ clientId, err: messageOf(error) }, 'Signalling: the memberships of a lost client could not be discarded; they expire');
    }
  }
}

/**
 * Open a signalling server: its session, the group store (read to its end), its handlers on `path`, keepalives.
 * Topics must exist (`ensureMessagingTopics`, `ensureChannelTopics`).
 * @throws InvalidArgumentError naming a wrong option; TributaryError when the topics are missing or Kafka fails.
 */
export async function openSignallingServer(options: SignallingServerOptions): Promise<SignallingServer> {
  const o = resolveServerOptions(options);
  const session = await o.messaging.openSession({ properties: { TributaryComponent: 'signalling-server' } });
  let connection: LogConnection | undefined;
  let groups: GroupStore | undefined;
  try {
    connection = await o.transport.connect();
    groups = new GroupStore({ connection, topic: o.topics.groups, expiryMs: o.groupExpiryMs, logger: o.logger });
    await groups.start();
    const server = new SignallingServer(o, session, connection, groups);
    await server.start();
    return server;
  } catch (error) {
    await session.close().catch(() => {});
    await groups?.close().catch(() => {});
    await connection?.close().catch(() => {});
    if (o.ownsMessaging) await o.messaging.close().catch(() => {});
    throw error;
  }
}
