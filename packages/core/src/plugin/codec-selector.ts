import type { Codec } from '../codec/codec.js';
import { jsonCodec } from '../codec/json-codec.js';
import { InvalidArgumentError, quote } from '../errors.js';
import type { Event } from '../event/event.js';

/** Chooses the codec that encodes an event's payload for a topic. Must be pure and fast: it runs per event. */
export type CodecSelector = (event: Event, topic: string) => Codec;

/**
 * Codecs by category and by topic. A category rule is an exact category (`user.created`) or a prefix ending
 * in `.*` (`user.*`, matching `user.created` and `user.deleted.v2`); the most specific category rule wins,
 * then the topic's rule, then `default` (JSON when left out).
 */
export interface CodecRoutes {
  default?: Codec;
  topics?: Readonly<Record<string, Codec>>;
  categories?: Readonly<Record<string, Codec>>;
}

function assertCodec(codec: unknown, where: string): void {
  const c = codec as Partial<Codec> | undefined;
  if (!c || typeof c.name !== 'string' || typeof c.encode !== 'function' || typeof c.decode !== 'function') {
    throw new InvalidArgumentError(`Invalid codec ${quote(codec)} for ${where}: expected a Codec (name, encode, decode)`, { where, expected: 'Codec' });
  }
}

/**
 * Make a {@link CodecSelector} from routes.
 * @throws InvalidArgumentError when a route names something that is not a codec.
 */
export function createCodecSelector(routes: CodecRoutes = {}): CodecSelector {
  const fallback = routes.default ?? jsonCodec;
  assertCodec(fallback, 'the default');
  const topics = new Map(Object.entries(routes.topics ?? {}));
  const categories = new Map(Object.entries(routes.categories ?? {}));
  for (const [topic, codec] of topics) assertCodec(codec, `topic ${quote(topic)}`);
  for (const [category, codec] of categories) assertCodec(codec, `category ${quote(category)}`);
  if (categories.size === 0) {
    return topics.size === 0 ? () => fallback : (_event, topic) => topics.get(topic) ?? fallback;
  }
  return (event, topic) => {
    const exact = categories.get(event.category);
    if (exact) return exact;
    let prefix = event.category;
    for (let dot = prefix.lastIndexOf('.'); dot > 0; dot = prefix.lastIndexOf('.')) {
      prefix = prefix.slice(0, dot);
      const match = categories.get(`${prefix}.*`);
      if (match) return match;
    }
    return topics.get(topic) ?? fallback;
  };
}

/** Turn what a user gave (a selector, routes, or nothing) into a selector. */
export function toCodecSelector(codecs: CodecSelector | CodecRoutes | undefined): CodecSelector {
  return typeof codecs === 'function' ? codecs : createCodecSelector(codecs);
}
