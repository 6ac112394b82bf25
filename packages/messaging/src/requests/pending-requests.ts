import type { Route } from '../wire/envelope.js';

/** How a pending request ended. */
export type Settlement = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: Error };

/** A request sent and not yet answered. */
export interface PendingRequest {
  readonly id: string;
  readonly route: Route;
  /** The path as the requester gave it. */
  readonly path: string;
  /** The session that sent it. */
  readonly from: string;
  /**
   * The session it was sent to; {@link PendingRequests.moveTo} moves it when a path request goes to another
   * handler.
   */
  to: string;
  /** Epoch milliseconds at which it times out. */
  readonly deadline: number;
  /** `performance.now()` when it was sent, for the latency histogram. */
  readonly startedAt: number;
  /** Turns a response's bytes into the caller's value (the requester's response type). */
  readonly decode: (type: string, value: Buffer) => Promise<unknown>;
  /** Receives the outcome, once. */
  readonly settle: (outcome: Settlement) => void;
  /** When the session it was sent to goes: send it elsewhere (path requests) and say so, or not. */
  readonly redirect?: () => Promise<boolean>;
}

const RECENT = 10_000;

/**
 * The requests a process is waiting on, by id. Each ends exactly once: {@link take} hands a request to whoever
 * settles it and forgets it, so a second response, a response after the timeout, or a timeout after a response
 * finds nothing. The ids settled lately are remembered (a bounded window) to tell a late response from a
 * duplicate in the metrics.
 */
export class PendingRequests {
  readonly #pending = new Map<string, PendingRequest>();
  readonly #recent = new Map<string, 'response' | 'timeout'>();
  /** How many requests wait on each session: what path requests are balanced by. */
  readonly #waiting = new Map<string, number>();

  get size(): number {
    return this.#pending.size;
  }

  add(request: PendingRequest): void {
    this.#pending.set(request.id, request);
    this.#count(request.to, 1);
  }

  /** The number of requests waiting on a session's answer. */
  waitingOn(sessionId: string): number {
    return this.#waiting.get(sessionId) ?? 0;
  }

  /** A pending request now waits on another session. */
  moveTo(request: PendingRequest, sessionId: string): void {
    if (this.#pending.get(request.id) === request) {
      this.#count(request.to, -1);
      this.#count(sessionId, 1);
    }
    request.to = sessionId;
  }

  /** Remove and return the request, for the one who settles it; `how` is remembered for late arrivals. */
  take(id: string, how: 'response' | 'timeout'): PendingRequest | undefined {
    const request = this.#pending.get(id);
    if (!request) return undefined;
    this.#pending.delete(id);
    this.#count(request.to, -1);
    this.#recent.set(id, how);
    if (this.#recent.size > RECENT) this.#recent.delete(this.#recent.keys().next().value!);
    return request;
  }

  /** Why a response found no pending request: it came after the timeout (late) or after another response. */
  whyUnknown(id: string): 'late' | 'duplicate' {
    return this.#recent.get(id) === 'response' ? 'duplicate' : 'late';
  }

  /** The requests waiting on a session. */
  sentTo(sessionId: string): PendingRequest[] {
    return [...this.#pending.values()].filter((r) => r.to === sessionId);
  }

  /** The requests a session sent. */
  sentBy(sessionId: string): PendingRequest[] {
    return [...this.#pending.values()].filter((r) => r.from === sessionId);
  }

  all(): PendingRequest[] {
    return [...this.#pending.values()];
  }

  #count(sessionId: string, by: 1 | -1): void {
    const n = (this.#waiting.get(sessionId) ?? 0) + by;
    if (n > 0) this.#waiting.set(sessionId, n);
    else this.#waiting.delete(sessionId);
  }
}
