import type { ProcessingObserver } from '../processing/record-processor.js';

/*
 * What a group counts of its records: kept as plain numbers on the group (its `counters`) and, when the group
 * was given a metrics registry, in the registry's counters by topic too.
 */

/** Counts of what the group did with the records it read, since it was made. */
export interface ConsumerGroupCounters {
  /** Events a handler took without throwing. */
  handled: number;
  /** Records no handler wanted: skipped without decoding, and committed all the same. */
  filtered: number;
  /** Handler calls repeated after a failure. */
  retried: number;
  /** Records written to a dead-letter topic. */
  deadLettered: number;
}

/** An observer for the record processor that counts into `counters` and tells `metrics`, if any. */
export function countingObserver(counters: ConsumerGroupCounters, metrics: ProcessingObserver | undefined): ProcessingObserver {
  return {
    handled: (topic) => void (counters.handled++, metrics?.handled(topic)),
    filtered: (topic) => void (counters.filtered++, metrics?.filtered(topic)),
    retried: (topic) => void (counters.retried++, metrics?.retried(topic)),
    deadLettered: (topic) => void (counters.deadLettered++, metrics?.deadLettered(topic)),
  };
}
