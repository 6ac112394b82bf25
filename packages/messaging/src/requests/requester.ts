import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ErrorCodes, TributaryError } from '@tributary/core';
import type { Logger } from '@tributary/kafka';
import { NoHandlerError, RequestFailedError, RequestTimeoutError, SessionClosedError, SessionNotFoundError, TypeMismatchError } from '../errors.js';
import type { MessagingMetrics, OutcomeLabel } from '../metrics/messaging-metrics.js';
import { selectProperties, type SessionProperties } from '../session/properties.js';
import type { SessionRecord } from '../session/session-record.js';
import { dataTypeName, decodeAs, encodeAs, type DataType } from '../types/data-type.js';
import type { ErrorMessage, InboxMessage, ResponseMessage, Route } from '../wire/envelope.js';
import { PendingRequests, type Settlement } from './pending-requests.js';
import { decodeUntyped } from './untyped.js';
import { PathTurns } from './path-turns.js';

/** Options of one request. */
export interface RequestOptions {
  /** Milliseconds to wait for the response; then `RequestTimeoutError`. Default: the hub's `requestTimeoutMs`. */
  timeout?: number;
  /** Stop waiting when aborted (the request ends with an ABORTED error). */
  signal?: AbortSignal;
  /** What the request is sent as. Default json. */
  requestType?: DataType;
  /** What the response must be; another type ends the request with TYPE_MISMATCH. Default: whatever was sent. */
  responseType?: DataType;
}

/** The session a request is sent from. */
export interface Sender {
  readonly id: string;
  readonly inbox: number;
  readonly properties: SessionProperties;
  /** Read when the request is about to wait: a session closed meanwhile gets no request sent. */
  readonly closed: boolean;
}

interface Target {
  readonly id: string;
  readonly inbox: number;
  /** The sender properties its handler asked for (path route). */
  readonly wants: readonly string[];
}

export interface RequesterPorts {
  /** The live sessions' view: who handles a path, and a session's announcement. */
  readonly registry: { handlersOf(path: string): { path: string; sessions: string[] } | undefined; record(id: string): SessionRecord | undefined };
  readonly send: (partition: number, message: InboxMessage) => Promise<void>;
  readonly logger: Logger;
  readonly metrics: MessagingMetrics | undefined;
  readonly defaultTimeoutMs: number;
  /** Requests to a path sent in one turn of the event loop that go to the same session (see {@link PathTurns}). Default 1. */
  readonly stickyRequests?: number;
}

/**
 * Sends requests and settles each exactly once: with its response, the error the responder sent, a timeout at
 * its deadline, an abort, or, when the session it went to goes, a redirect to another handler of the path (path
 * requests) or `SessionNotFoundError`.
 */
export class Requester {
  readonly #ports: RequesterPorts;
  readonly #pending = new PendingRequests();
  readonly #turns: PathTurns;

  constructor(ports: RequesterPorts) {
    this.#ports = ports;
    this.#turns = new PathTurns(ports.stickyRequests ?? 1);
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  /** To one of the sessions registered for the path (or its nearest registered ancestor), as {@link #choose} picks it. */
  async toPath(sender: Sender, path: string, request: unknown, options: RequestOptions): Promise<unknown> {
    const value = await encodeAs(options.requestType ?? 'json', request, { path, direction: 'request' });
    const tried = new Set<string>();
    const pick = (): Target | undefined => {
      const found = this.#ports.registry.handlersOf(path);
      const candidates = found?.sessions.filter((id) => !tried.has(id)).sort() ?? [];
      if (!found || candidates.length === 0) return undefined;
      const id = this.#choose(found.path, candidates);
      tried.add(id);
      const record = this.#ports.registry.record(id)!;
      return { id, inbox: record.inbox, wants: record.registered[found.path] ?? [] };
    };
    const first = pick();
    if (!first) return this.#fail('path', new NoHandlerError(path), 'no_handler');
    return this.#request(sender, 'path', path, first, value, options, pick);
  }

  /**
   * The handler session a path request goes to. By default the one with the fewest of this requester's requests
   * waiting on it (least outstanding requests), and among those the next in turn. Requests sent one after another
   * go round every session; a session slow to answer gets fewer; and the requests sent as a batch of answers
   * arrives go to the session that answered them, in one larger Kafka request at its handler rather than a small
   * one at each. With `stickyRequests` above 1 the turn alone decides (see {@link PathTurns}).
   */
  #choose(path: string, candidates: readonly string[]): string {
    const turn = this.#turns.next(path);
    if (this.#turns.sticky > 1) return candidates[turn % candidates.length]!;
    let best = candidates[turn % candidates.length]!;
    let least = this.#pending.waitingOn(best);
    for (let k = 1; k < candidates.length && least > 0; k++) {
      const id = candidates[(turn + k) % candidates.length]!;
      const waiting = this.#pending.waitingOn(id);
      if (waiting < least) [best, least] = [id, waiting];
    }
    return best;
  }

  /** To one session by id. */
  async toSession(sender: Sender, sessionId: string, path: string, request: unknown, options: RequestOptions): Promise<unknown> {
    const record = this.#ports.registry.record(sessionId);
    if (!record) return this.#fail('session', new SessionNotFoundError(sessionId, path), 'session_not_found');
    const value = await encodeAs(options.requestType ?? 'json', request, { path, direction: 'request' });
    return this.#request(sender, 'session', path, { id: sessionId, inbox: record.inbox, wants: [] }, value, options);
  }

  /**
   * To each of `sessionIds` (the sessions a filter matched); `each` gets each one's outcome as it ends. Resolves
   * with the number of requests sent, once they are written.
   */
  async toSessions(sender: Sender, sessionIds: readonly string[], path: string, request: unknown, options: RequestOptions, each: (sessionId: string, outcome: Settlement) => void): Promise<number> {
    const value = await encodeAs(options.requestType ?? 'json', request, { path, direction: 'request' });
    for (const id of sessionIds) {
      const record = this.#ports.registry.record(id);
      const outcome = record
        ? this.#request(sender, 'filter', path, { id, inbox: record.inbox, wants: [] }, value, options)
        : this.#fail('filter', new SessionNotFoundError(id, path, 'went away before the request was sent'), 'session_not_found');
      outcome.then(
        (v) => each(id, { ok: true, value: v }),
        (error: Error) => each(id, { ok: false, error }),
      );
    }
    return sessionIds.length;
  }

  /** A response or error response read from a sender's inbox. */
  async onReply(message: ResponseMessage | ErrorMessage): Promise<void> {
    const pending = this.#pending.take(message.id, 'response');
    if (!pending) {
      this.#ports.metrics?.dropped(this.#pending.whyUnknown(message.id));
      return;
    }
    if (message.kind === 'error') {
      const [error, label] = replyError(message, pending.path);
      this.#ports.metrics?.outcome(pending.route, label);
      pending.settle({ ok: false, error });
      return;
    }
    try {
      const value = await pending.decode(message.type, message.value);
      this.#ports.metrics?.outcome(pending.route, 'response', (performance.now() - pending.startedAt) / 1000);
      pending.settle({ ok: true, value });
    } catch (error) {
      this.#ports.metrics?.outcome(pending.route, 'type_mismatch');
      pending.settle({ ok: false, error: error as Error });
    }
  }

  /** A session went: its path requests move to another handler; the rest end with SessionNotFoundError. */
  async onSessionGone(sessionId: string): Promise<void> {
    for (const pending of this.#pending.sentTo(sessionId)) {
      if (pending.redirect && (await pending.redirect())) continue;
      if (!this.#pending.take(pending.id, 'response')) continue;
      const error = pending.route === 'path' ? new NoHandlerError(pending.path) : new SessionNotFoundError(sessionId, pending.path, 'went away before it answered');
      this.#ports.metrics?.outcome(pending.route, pending.route === 'path' ? 'no_handler' : 'session_not_found');
      pending.settle({ ok: false, error });
    }
  }

  /** A sending session closed: what it waits for ends now. */
  onSenderClosed(sessionId: string): void {
    for (const pending of this.#pending.sentBy(sessionId)) {
      if (this.#pending.take(pending.id, 'timeout')) pending.settle({ ok: false, error: new SessionClosedError(sessionId, `wait for the response to a request to ${JSON.stringify(pending.path)}`) });
    }
  }

  #fail(route: Route, error: Error, label: OutcomeLabel): Promise<never> {
    this.#ports.metrics?.outcome(route, label);
    return Promise.reject(error);
  }

  #request(sender: Sender, route: Route, path: string, target: Target, value: Buffer, options: RequestOptions, next?: () => Target | undefined): Promise<unknown> {
    const timeoutMs = options.timeout ?? this.#ports.defaultTimeoutMs;
    const id = randomUUID();
    const deadline = Date.now() + timeoutMs;
    const type = dataTypeName(options.requestType ?? 'json');
    const send = (to: Target) =>
      this.#ports.send(to.inbox, { kind: 'request', id, route, path, from: sender.id, to: to.id, replyTo: sender.inbox, deadline, type, properties: selectProperties(sender.properties, to.wants), value });
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const p = this.#pending.take(id, 'timeout');
        if (!p) return;
        this.#ports.metrics?.outcome(route, 'aborted');
        p.settle({ ok: false, error: new TributaryError(ErrorCodes.ABORTED, `The request to path ${JSON.stringify(path)} was aborted`, { context: { path }, cause: options.signal?.reason }) });
      };
      const timer = setTimeout(() => {
        const p = this.#pending.take(id, 'timeout');
        if (!p) return;
        this.#ports.metrics?.outcome(route, 'timeout');
        p.settle({ ok: false, error: new RequestTimeoutError(path, timeoutMs, p.to) });
      }, timeoutMs);
      const pending = {
        id, route, path, from: sender.id, to: target.id, deadline, startedAt: performance.now(),
        decode: (sentAs: string, bytes: Buffer) => (options.responseType ? decodeAs(options.responseType, sentAs, bytes, { path, direction: 'response' }) : decodeUntyped(sentAs, bytes, path)),
        settle: (outcome: Settlement) => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          if (outcome.ok) resolve(outcome.value);
          else reject(outcome.error);
        },
        redirect: next && (async () => {
          const other = Date.now() < deadline ? next() : undefined;
          if (!other) return false;
          this.#pending.moveTo(pending, other.id);
          this.#ports.logger.info({ requestId: id, path, to: other.id }, 'Messaging: the session a path request went to is gone; sent it to another handler of the path');
          await send(other).catch(() => {});
          return true;
        }),
      };
      if (sender.closed) return reject(new SessionClosedError(sender.id, `send a request to ${JSON.stringify(path)}`));
      if (options.signal?.aborted) return reject(new TributaryError(ErrorCodes.ABORTED, `The request to path ${JSON.stringify(path)} was aborted before it was sent`, { context: { path }, cause: options.signal.reason }));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.add(pending);
      this.#ports.metrics?.sent(route);
      send(target).catch((error: unknown) => {
        const p = this.#pending.take(id, 'response');
        if (!p) return;
        this.#ports.metrics?.outcome(route, 'send_failed');
        p.settle({ ok: false, error: error as Error });
      });
    });
  }
}

/** The error a requester sees for an error response, and its outcome label. */
function replyError(message: ErrorMessage, path: string): [Error, OutcomeLabel] {
  switch (message.code) {
    case 'NO_HANDLER':
      return [new NoHandlerError(path, message.from), 'no_handler'];
    case 'TYPE_MISMATCH': {
      let detail: { message?: string; expected?: string; actual?: string; direction?: string } = {};
      try {
        detail = JSON.parse(message.message) as typeof detail;
      } catch {
        detail = { message: message.message };
      }
      const direction = detail.direction === 'response' ? 'response' : 'request';
      return [new TypeMismatchError(detail.message ?? message.message, { expected: detail.expected ?? 'unknown', actual: detail.actual ?? 'unknown', path, direction }), 'type_mismatch'];
    }
    default:
      return [new RequestFailedError(path, message.from, message.remoteCode || 'Error', message.message), 'request_failed'];
  }
}
