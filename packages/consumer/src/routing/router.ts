import { InvalidArgumentError, quote, type Event } from '@tributary/core';
import { compileCategoryPattern, type CategoryMatcher, type CategoryPattern } from './category-pattern.js';

/** What a handler is told besides the event. */
export interface HandlerContext {
  /** 1 for the first call with this record, 2 for the first retry, and so on. */
  readonly attempt: number;
  /**
   * Aborts when the consumer begins to stop. A handler may finish early on it; if it then throws, the record is
   * not settled (and so not committed): it is delivered again later, not dead-lettered.
   */
  readonly signal: AbortSignal;
}

/**
 * Handles the events whose category matches its pattern. Resolving settles the record (it may be committed);
 * throwing makes the consumer retry it with back-off, then dead-letter it.
 */
export type EventHandler = (event: Event, context: HandlerContext) => unknown;

/**
 * Handlers by category pattern: an object (patterns in insertion order; keys that look like integers are
 * reordered by JavaScript, so use the array form for such categories) or an array of `[pattern, handler]`.
 */
export type HandlerMap = Readonly<Record<CategoryPattern, EventHandler>> | ReadonlyArray<readonly [CategoryPattern, EventHandler]>;

/** Picks the handler of a category: the first route whose pattern matches. */
export class Router {
  readonly #routes: ReadonlyArray<{ pattern: CategoryPattern; match: CategoryMatcher; handle: EventHandler }>;
  /** Categories repeat: remember each one's route (or that none matches). Bounded, so odd traffic cannot grow it. */
  readonly #cache = new Map<string, EventHandler | null>();

  /**
   * @throws InvalidArgumentError naming the option path (`handlers["order.*"]`) of a bad pattern or handler,
   *   or `handlers` when there is none.
   */
  constructor(handlers: HandlerMap, path = 'handlers') {
    const entries: Array<readonly [unknown, unknown]> = Array.isArray(handlers) ? handlers : Object.entries((handlers ?? {}) as object);
    if (entries.length === 0) throw new InvalidArgumentError(`${path} must map at least one category pattern to a handler function`, { option: path });
    this.#routes = entries.map((entry, i) => {
      const [pattern, handle] = Array.isArray(entry) ? entry : [undefined, undefined];
      const at = Array.isArray(handlers) ? `${path}[${i}]` : `${path}[${quote(pattern)}]`;
      if (typeof handle !== 'function') throw new InvalidArgumentError(`${at} must be a function, got ${quote(typeof handle)}`, { option: at });
      try {
        return { pattern: pattern as string, match: compileCategoryPattern(pattern as string), handle: handle as EventHandler };
      } catch (error) {
        throw new InvalidArgumentError(`${at}: ${(error as Error).message}`, { option: at, value: pattern }, error);
      }
    });
  }

  /** The handler for `category`, or undefined when no pattern matches (the record is filtered out). */
  route(category: string): EventHandler | undefined {
    const known = this.#cache.get(category);
    if (known !== undefined) return known ?? undefined;
    const handle = this.#routes.find((r) => r.match(category))?.handle;
    if (this.#cache.size >= 1024) this.#cache.clear();
    this.#cache.set(category, handle ?? null);
    return handle;
  }

  /** The patterns, in routing order. */
  get patterns(): readonly CategoryPattern[] {
    return this.#routes.map((r) => r.pattern);
  }
}
