import { messageOf, type Logger } from '@tributary/kafka';
import type { MessagingSession } from '@tributary/messaging';

/** Why a peer was reported lost. */
export type PeerLostReason =
  /** Nothing heard from it for `missedKeepalives` of its keepalive intervals: dead, hung, or cut off. */
  | 'missed-keepalives'
  /** Its session said goodbye, or it no longer serves signalling. */
  | 'closed'
  /** Messaging saw its session silent past the session timeout. */
  | 'expired';

/** A signalling peer (the server, seen by a client; a client, seen by the server) was lost. */
export interface PeerLostEvent {
  readonly peer: 'server' | 'client';
  readonly sessionId: string;
  readonly reason: PeerLostReason;
  /** When it was last heard from (epoch ms). */
  readonly lastSeenAt: number;
  /** Milliseconds between then and this report. */
  readonly silentMs: number;
}

/** Told of each peer lost, once per loss. */
export type PeerLostListener = (event: PeerLostEvent) => void;

interface Peer {
  lastSeenAt: number;
  intervalMs: number;
}

/**
 * The peers one side hears from, and when it last did. A peer silent for `missed` of its own keepalive intervals
 * (it says its interval in its keepalives) is reported lost, once, and forgotten. Checks run every quarter of this
 * side's interval, so a peer is reported at most `missed × its interval + this side's interval / 4` after it was
 * last heard.
 */
export class PeerWatch {
  readonly #peer: 'server' | 'client';
  readonly #missed: number;
  readonly #defaultIntervalMs: number;
  readonly #logger: Logger;
  readonly #listeners = new Set<PeerLostListener>();
  readonly #peers = new Map<string, Peer>();
  readonly #timers: NodeJS.Timeout[] = [];
  #unwatch: (() => void) | undefined;

  constructor(options: { peer: 'server' | 'client'; missed: number; intervalMs: number; logger: Logger }) {
    this.#peer = options.peer;
    this.#missed = options.missed;
    this.#defaultIntervalMs = options.intervalMs;
    this.#logger = options.logger;
  }

  /** Be told when a peer is lost; returns the undo. */
  onLost(listener: PeerLostListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Heard from `sessionId` now (its keepalive interval, when it said). Starts watching it. */
  seen(sessionId: string, intervalMs?: number): void {
    const peer = this.#peers.get(sessionId);
    const interval = typeof intervalMs === 'number' && intervalMs > 0 ? intervalMs : (peer?.intervalMs ?? this.#defaultIntervalMs);
    if (peer) {
      peer.lastSeenAt = Date.now();
      peer.intervalMs = interval;
    } else this.#peers.set(sessionId, { lastSeenAt: Date.now(), intervalMs: interval });
  }

  has(sessionId: string): boolean {
    return this.#peers.has(sessionId);
  }

  /** The peers watched, with when each was last heard. */
  peers(): Array<{ sessionId: string; lastSeenAt: number }> {
    return [...this.#peers].map(([sessionId, p]) => ({ sessionId, lastSeenAt: p.lastSeenAt }));
  }

  /** Stop watching without a report (the peer detached cleanly). */
  forget(sessionId: string): void {
    this.#peers.delete(sessionId);
  }

  /** Report `sessionId` lost for `reason` (if it is watched) and stop watching it. */
  lost(sessionId: string, reason: PeerLostReason): void {
    const peer = this.#peers.get(sessionId);
    if (!peer) return;
    this.#peers.delete(sessionId);
    const event: PeerLostEvent = { peer: this.#peer, sessionId, reason, lastSeenAt: peer.lastSeenAt, silentMs: Date.now() - peer.lastSeenAt };
    this.#logger.warn({ ...event }, `Signalling: lost the ${this.#peer} ${sessionId} (${reason})`);
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#logger.error({ err: messageOf(error) }, 'Signalling: a peer-lost listener threw');
      }
    }
  }

  /** Report every peer silent past `missed` of its intervals. */
  check(now = Date.now()): void {
    for (const [sessionId, peer] of [...this.#peers]) if (now - peer.lastSeenAt > peer.intervalMs * this.#missed) this.lost(sessionId, 'missed-keepalives');
  }

  /**
   * Start: `keepalive` runs every interval (this side's KEEPALIVE to its peers), checks every quarter interval, and a
   * watched peer whose session `session` sees go is reported at once (`closed` or `expired`).
   */
  start(session: MessagingSession, keepalive: () => void): void {
    if (this.#timers.length > 0) return;
    this.#unwatch = session.onSessionChange((e) => e.type === 'removed' && this.lost(e.session.id, e.reason));
    this.#timers.push(setInterval(keepalive, this.#defaultIntervalMs), setInterval(() => this.check(), Math.max(10, Math.floor(this.#defaultIntervalMs / 4))));
    for (const timer of this.#timers) timer.unref();
  }

  stop(): void {
    for (const timer of this.#timers.splice(0)) clearInterval(timer);
    this.#unwatch?.();
    this.#listeners.clear();
  }
}
