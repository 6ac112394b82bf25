import { ErrorCodes, TributaryError } from '@tributary/core';
import { asTributaryError, leafErrors } from '../errors.js';

/** How long a topic no broker knows is asked for again before a write to it fails. */
export const UNKNOWN_TOPIC_WAIT_MS = 1000;

/** Options of {@link waitForPartitions}. */
export interface WaitForPartitionsOptions {
  /** How long a lookup that failed for a reason that may pass (a broker unreachable, metadata moving) is tried again. */
  readonly retryForMs: number;
  /** The count known before, if any: an answer of none then keeps it (a refresh), rather than failing. */
  readonly known?: number;
  /** What the brokers said to the last lookup, for the error that calls the topic missing. */
  readonly describe?: () => string | undefined;
}

/**
 * A topic's partition count for a writer, from `ask` (0: the brokers asked know no such topic).
 *
 * A topic no broker knows is asked for again with back-off for up to a second before it is called missing: a
 * topic created a moment ago reaches every broker's metadata within milliseconds (a broker that has just
 * restarted can take some hundreds), as Java's producer waits (`max.block.ms`) for a topic to show in its
 * metadata. The wait is short because Tributary never auto-creates topics: a name that stays unknown is a
 * mistake to report, not a topic on its way. Partitions only grow, so the larger of `known` and the answer wins.
 * @throws TributaryError INVALID_ARGUMENT when the topic does not exist; the lookup's own error, as a
 *   TributaryError, when it fails for a reason that does not pass or for longer than `retryForMs`.
 */
export async function waitForPartitions(topic: string, ask: () => Promise<number>, options: WaitForPartitionsOptions): Promise<number> {
  const { known, retryForMs } = options;
  const started = Date.now();
  for (let retry = 0; ; retry++) {
    const wait = Math.min(500, 50 * 2 ** retry);
    const late = () => Date.now() + wait - started;
    let count: number;
    try {
      count = await ask();
    } catch (error) {
      const retriable = !(error instanceof TributaryError) && leafErrors(error).every((leaf) => leaf.retriable === true);
      if (!retriable || late() > retryForMs) throw asTributaryError(error, `Looking up the partitions of "${topic}"`, { topic });
      await new Promise((r) => setTimeout(r, wait));
      continue;
    }
    if (count > 0) return Math.max(count, known ?? 0);
    if (known !== undefined) return known;
    if (late() > UNKNOWN_TOPIC_WAIT_MS) {
      const answers = options.describe?.();
      throw new TributaryError(ErrorCodes.INVALID_ARGUMENT, `Topic "${topic}" does not exist (Tributary never auto-creates topics; use ensureTopics)${answers ? `; brokers asked for ${Date.now() - started} ms, last answers: ${answers}` : ''}`, {
        context: { topic, ...(answers ? { answers } : {}) },
      });
    }
    await new Promise((r) => setTimeout(r, wait));
  }
}
