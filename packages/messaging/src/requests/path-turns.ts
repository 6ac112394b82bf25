/**
 * Whose turn it is among the sessions registered for a path. With `sticky` 1, each call gives the next turn (the
 * requester picks by it among the sessions with the fewest requests waiting). With more, the requests to a path
 * sent in one turn of the event loop go to the same session, up to `sticky` of them, before the next session's
 * turn, as Kafka's sticky partitioner fills a batch before it moves on: a burst then makes fewer, larger Kafka
 * requests at each handler (its inbox fetch and its responses), while requests sent turn after turn still go
 * round every session.
 */
export class PathTurns {
  readonly #sticky: number;
  readonly #turns = new Map<string, { turn: number; tick: number; used: number }>();

  constructor(sticky: number) {
    this.#sticky = sticky;
  }

  /** How many requests of one event-loop turn stay with a session. */
  get sticky(): number {
    return this.#sticky;
  }

  /** The turn of the next request to `path`: index it into the path's sessions, in a stable order. */
  next(path: string): number {
    let t = this.#turns.get(path);
    if (!t) this.#turns.set(path, (t = { turn: -1, tick: -1, used: 0 }));
    // Strict rotation (the default) needs no turns of the event loop counted.
    if (this.#sticky === 1) return ++t.turn;
    const now = currentTick();
    if (t.tick === now && t.used < this.#sticky) {
      t.used++;
      return t.turn;
    }
    t.turn++;
    t.tick = now;
    t.used = 1;
    return t.turn;
  }
}

/** Counts turns of the event loop, lazily: it moves on after the turn in which it was last asked. */
let tick = 0;
let scheduled = false;

function currentTick(): number {
  if (!scheduled) {
    scheduled = true;
    setImmediate(() => {
      tick++;
      scheduled = false;
    });
  }
  return tick;
}
