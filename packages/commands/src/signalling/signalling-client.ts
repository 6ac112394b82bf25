import { ErrorCodes, InvalidArgumentError, TributaryError } from '@tributary/core';
import { messageOf } from '@tributary/kafka';
import { NoHandlerError, SessionNotFoundError, type HandlerRegistration, type MessagingSession, type RequestContext } from '@tributary/messaging';
import { SignallingCommandError } from '../errors.js';
import { resolveClientOptions, type ResolvedClientOptions, type SignallingClientOptions } from './options.js';
import { PeerWatch, type PeerLostListener } from './peer-watch.js';
import type { PerformanceReport } from './performance.js';
import { complete, exception, parseSignallingMessage, signallingMessage, stringProperty, type SignallingMessage } from './signalling-message.js';

/** Options of one command. */
export interface CommandOptions {
  /** Milliseconds to wait for its COMPLETE or EXCEPTION; then `RequestTimeoutError`. Default: `commandTimeoutMs`. */
  timeout?: number;
  /** Stop waiting (the command ends with an ABORTED error; the server may still run it). */
  signal?: AbortSignal;
}

/** The commands a client sends. */
export type ClientCommand = 'GROUP_ADD' | 'GROUP_DISCARD' | 'FLUSH' | 'PRINT' | 'PERFORMANCE' | 'KEEPALIVE';

const SERVER_MESSAGES = ['KEEPALIVE', 'FLUSH_CLIENT', 'PERFORMANCE_REPORT'] as const;

/**
 * A signalling client (seed 001's client side): sends commands to a signalling server and answers the server's
 * messages. Each command resolves with its `COMPLETE` (same id) or rejects with {@link SignallingCommandError} for
 * its `EXCEPTION`, or with messaging's `RequestTimeoutError` at its deadline (`NoHandlerError` when no server runs,
 * ABORTED through `signal`): exactly one outcome, never a hang. Commands are idempotent (adding a member twice,
 * flushing twice), so one whose server went before answering is sent once more to another within its deadline.
 *
 * The client keeps alive with one server: the one that answered it last. It sends `KEEPALIVE` every `keepaliveMs`
 * (with its channel layer's performance, for `PERFORMANCE` reports), and reports the server lost to
 * {@link onPeerLost} when it has heard nothing from it for `missedKeepalives` of the server's intervals, or its
 * session went: within `missedKeepalives × the server's interval + keepaliveMs / 4` of last hearing from it (defaults:
 * 3 × 1000 + 250 ms). The next keepalive or command then finds another server, if one runs.
 *
 * `FLUSH_CLIENT` from a server drops the messages kept in the client's channel layer. Open with {@link openSignallingClient}.
 */
export class SignallingClient implements AsyncDisposable {
  readonly #o: ResolvedClientOptions;
  readonly #session: MessagingSession;
  readonly #ownsSession: boolean;
  readonly #watch: PeerWatch;
  readonly #reports = new Map<string, PerformanceReport>();
  #registration: HandlerRegistration | undefined;
  #server: string | undefined;
  #keepaliveRunning = false;
  #closed = false;

  /** @internal made by {@link openSignallingClient}. */
  constructor(o: ResolvedClientOptions, session: MessagingSession, ownsSession: boolean) {
    this.#o = o;
    this.#session = session;
    this.#ownsSession = ownsSession;
    this.#watch = new PeerWatch({ peer: 'server', missed: o.missedKeepalives, intervalMs: o.keepaliveMs, logger: o.logger });
  }

  /** The client's session id (its channel layer's, when it speaks for one). */
  get sessionId(): string {
    return this.#session.id;
  }

  /** The server this client keeps alive with, if any. */
  get serverId(): string | undefined {
    return this.#server;
  }

  /** Be told when the server is lost (missed keepalives, or its session went); returns the undo. */
  onPeerLost(listener: PeerLostListener): () => void {
    return this.#watch.onLost(listener);
  }

  /**
   * Send a command; resolves with its COMPLETE.
   * @throws SignallingCommandError (EXCEPTION), RequestTimeoutError, NoHandlerError (no server), ABORTED,
   *   InvalidArgumentError (not a client command), SessionClosedError.
   */
  async command(command: ClientCommand, properties: Record<string, unknown> = {}, options: CommandOptions = {}): Promise<SignallingMessage> {
    if (!(['GROUP_ADD', 'GROUP_DISCARD', 'FLUSH', 'PRINT', 'PERFORMANCE', 'KEEPALIVE'] as readonly string[]).includes(command)) {
      throw new InvalidArgumentError(`${String(command)} is not a client-to-server command`, { option: 'command', value: command, expected: 'GROUP_ADD, GROUP_DISCARD, FLUSH, PRINT, PERFORMANCE or KEEPALIVE' });
    }
    const timeout = options.timeout ?? this.#o.commandTimeoutMs;
    if (!Number.isInteger(timeout) || timeout < 1) throw new InvalidArgumentError(`timeout is ${String(timeout)}; expected a whole number of milliseconds, at least 1`, { option: 'timeout', value: timeout, expected: 'an integer >= 1' });
    const message = signallingMessage(command, properties);
    const reply = await this.#send(message, Date.now() + timeout, options.signal);
    if (reply.command === 'EXCEPTION') throw new SignallingCommandError(command, message.id, String(reply.properties.serverId), String(reply.properties.code ?? 'Error'), String(reply.properties.message ?? ''));
    return reply;
  }

  /** GROUP_ADD: add `channel` to `group` (for the server's `groupExpirySeconds`). Resolves with its COMPLETE. */
  groupAdd(group: string, channel: string, options?: CommandOptions): Promise<SignallingMessage> {
    return this.command('GROUP_ADD', { group, channel }, options);
  }

  /** GROUP_DISCARD: remove `channel` from `group`. Resolves with its COMPLETE. */
  groupDiscard(group: string, channel: string, options?: CommandOptions): Promise<SignallingMessage> {
    return this.command('GROUP_DISCARD', { group, channel }, options);
  }

  /** FLUSH: every membership discarded, every client's kept messages dropped (FLUSH_CLIENT). Its COMPLETE. */
  flush(options?: CommandOptions): Promise<SignallingMessage> {
    return this.command('FLUSH', {}, options);
  }

  /** PRINT: the server prints its group store and clients; the COMPLETE carries them (`groups`, `clients`, `text`). */
  print(options?: CommandOptions): Promise<SignallingMessage> {
    return this.command('PRINT', {}, options);
  }

  /** PERFORMANCE: resolves with the PERFORMANCE_REPORT the server sent before its COMPLETE. */
  async performance(options?: CommandOptions): Promise<PerformanceReport> {
    const done = await this.command('PERFORMANCE', {}, options);
    const report = this.#reports.get(done.id);
    this.#reports.delete(done.id);
    if (!report) throw new TributaryError(ErrorCodes.REQUEST_FAILED, `PERFORMANCE ${done.id} completed without a PERFORMANCE_REPORT`, { context: { commandId: done.id } });
    return report;
  }

  /** KEEPALIVE now (they are also sent every `keepaliveMs`). Its COMPLETE says the server's `keepaliveMs`. */
  async keepalive(options?: CommandOptions): Promise<SignallingMessage> {
    const components = this.#o.layer ? await this.#o.layer.performance().catch(() => []) : [];
    return this.command('KEEPALIVE', { keepaliveMs: this.#o.keepaliveMs, components }, options);
  }

  /** @internal answer the server's messages, start keepalives, and find a server (none running is not an error). */
  async start(): Promise<void> {
    this.#registration = await this.#session.addRequestHandler(this.#o.clientPath, (request: unknown, ctx: RequestContext) => this.#answer(request, ctx), { addressed: true });
    this.#watch.onLost((e) => e.sessionId === this.#server && (this.#server = undefined));
    this.#watch.start(this.#session, () => void this.#tick());
    await this.#tick();
  }

  /** Stop keepalives and answering; close the session if the client opened it. Commands waiting end (SessionClosedError). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watch.stop();
    if (this.#ownsSession) await this.#session.close();
    else await this.#registration?.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** To the server kept alive with, else to the path; once more by path if that server went before answering. */
  async #send(message: SignallingMessage, deadline: number, signal: AbortSignal | undefined): Promise<SignallingMessage> {
    const server = this.#server;
    const options = () => ({ timeout: Math.max(1, deadline - Date.now()), ...(signal ? { signal } : {}) });
    let raw: unknown;
    try {
      raw = server ? await this.#session.sendRequestToSession(this.#o.path, server, message, options()) : await this.#session.sendRequestToPath(this.#o.path, message, options());
    } catch (error) {
      const serverGone = server !== undefined && (error instanceof SessionNotFoundError || error instanceof NoHandlerError);
      if (!serverGone || Date.now() >= deadline) throw error;
      this.#watch.lost(server, 'closed');
      raw = await this.#session.sendRequestToPath(this.#o.path, message, options());
    }
    const reply = parseSignallingMessage(raw, ['COMPLETE', 'EXCEPTION']);
    if (reply.id !== message.id) throw new TributaryError(ErrorCodes.REQUEST_FAILED, `The answer to ${message.command} ${message.id} carries another id (${reply.id})`, { context: { commandId: message.id, answerId: reply.id } });
    this.#attach(reply);
    return reply;
  }

  /** Keep alive with the server that answered (the first, or a new one after the last was lost). */
  #attach(reply: SignallingMessage): void {
    const serverId = reply.properties.serverId;
    if (typeof serverId !== 'string') return;
    if (this.#server !== serverId && this.#server !== undefined) this.#watch.forget(this.#server);
    this.#server = serverId;
    const interval = reply.properties.keepaliveMs;
    this.#watch.seen(serverId, typeof interval === 'number' ? interval : undefined);
  }

  async #tick(): Promise<void> {
    if (this.#keepaliveRunning || this.#closed) return;
    this.#keepaliveRunning = true;
    try {
      await this.keepalive({ timeout: this.#o.keepaliveMs * this.#o.missedKeepalives });
    } catch (error) {
      this.#o.logger.debug({ err: messageOf(error) }, 'Signalling: a KEEPALIVE to the server failed');
    } finally {
      this.#keepaliveRunning = false;
    }
  }

  /** The server's messages: each answered with COMPLETE or EXCEPTION carrying its id. */
  async #answer(request: unknown, ctx: RequestContext): Promise<SignallingMessage> {
    const id = (request as { id?: unknown } | null)?.id;
    try {
      const message = parseSignallingMessage(request, SERVER_MESSAGES);
      if (ctx.sessionId === this.#server) this.#watch.seen(ctx.sessionId, message.command === 'KEEPALIVE' ? Number(message.properties.keepaliveMs) : undefined);
      switch (message.command as (typeof SERVER_MESSAGES)[number]) {
        case 'KEEPALIVE':
          return complete(message.id, { keepaliveMs: this.#o.keepaliveMs });
        case 'FLUSH_CLIENT':
          return complete(message.id, { dropped: this.#o.layer?.flushMessages() ?? 0 });
        case 'PERFORMANCE_REPORT': {
          const commandId = stringProperty(message, 'commandId');
          this.#reports.set(commandId, message.properties.report as PerformanceReport);
          return complete(message.id);
        }
      }
    } catch (error) {
      if (typeof id !== 'string') throw error;
      return exception(id, error);
    }
  }
}

/**
 * Open a signalling client for a channel layer (`layer`) or on a hub (`messaging`): its handler for the server's
 * messages, keepalives, and a first KEEPALIVE to find a server (none running yet is not an error: the next one
 * looks again).
 * @throws InvalidArgumentError naming a wrong option.
 */
export async function openSignallingClient(options: SignallingClientOptions): Promise<SignallingClient> {
  const o = resolveClientOptions(options);
  const session = o.layer ? await o.layer.session() : await o.messaging!.openSession({ properties: { TributaryComponent: 'signalling-client' } });
  const client = new SignallingClient(o, session, !o.layer);
  try {
    await client.start();
  } catch (error) {
    await client.close().catch(() => {});
    throw error;
  }
  return client;
}
