import { ErrorCodes, TributaryError } from '@tributary/core';
import { asTributaryError, leafErrors } from '../errors.js';

/** How long a topic that every broker says it does not know is asked for again before a write to it fails. */
export const UNKNOWN_TOPIC_WAIT_MS = 1000;

/**
 * What a lookup found: the partitions, and whether every broker it asked answered. A "none" with a broker out of
 * reach is not conclusive: for a second or more after a broker dies, the others were seen to answer
 * UNKNOWN_TOPIC_OR_PARTITION for a topic all three held in sync.
 */
export interface PartitionLookup {
  readonly count: number;
  readonly everyBrokerAnswered: boolean;
}

/** Options of {@link waitForPartitions}. */
export interface WaitForPartitionsOptions {
  /**
   * How long a lookup that failed for a reason that may pass (a broker unreachable, metadata moving), or found no
   * partitions while a broker could not be asked, is tried again.
   */
  readonly retryForMs: number;
  /** The count known before, if any: an answer of none then keeps it (a refresh), rather than failing. */
  readonly known?: number;
  /** What the brokers said to the last lookup, for the error that calls the topic missing. */
  readonly describe?: () => string | undefined;
}

/**
 * A topic's partition count for a writer, from `ask` (a count of 0: the brokers asked know no such topic).
 *
 * A topic that every broker says it does not know is asked for again with back-off for up to a second before it is
 * called missing: a topic created a moment ago reaches every broker's metadata within milliseconds (a broker that
 * has just restarted can take some hundreds). The wait is short because Tributary never auto-creates topics: a
 * name that stays unknown is a mistake to report, not a topic on its way. While a broker cannot be asked, "none"
 * proves nothing and is asked again for up to `retryForMs` (as Java's producer waits `max.block.ms` for a topic to
 * show in its metadata). Partitions only grow, so the larger of `known` and the answer wins.
 * @throws TributaryError INVALID_ARGUMENT when every broker says the topic does not exist; TIMEOUT (retriable) when
 *   none that answered knew it while a broker could not be asked; the lookup's own error, as a TributaryError, when
 *   it fails for a reason that does not pass or for longer than `retryForMs`.
 */
export async function waitForPartitions(topic: string, ask: () => Promise<number | PartitionLookup>, options: WaitForPartitionsOptions): Promise<number> {
  const { known, retryForMs } = options;
  const started = Date.now();
  for (let retry = 0; ; retry++) {
    const wait = Math.min(500, 50 * 2 ** retry);
    const late = () => Date.now() + wait - started;
    let answer: PartitionLookup;
    try {
      const found = await ask();
      answer = typeof found === 'number' ? { count: found, everyBrokerAnswered: true } : found;
    } catch (error) {
      const retriable = !(error instanceof TributaryError) && leafErrors(error).every((leaf) => leaf.retriable === true);
      if (!retriable || late() > retryForMs) throw asTributaryError(error, `Looking up the partitions of "${topic}"`, { topic });
      await new Promise((r) => setTimeout(r, wait));
      continue;
    }
    if (answer.count > 0) return Math.max(answer.count, known ?? 0);
    if (known !== undefined) return known;
    if (late() > (answer.everyBrokerAnswered ? UNKNOWN_TOPIC_WAIT_MS : Math.max(UNKNOWN_TOPIC_WAIT_MS, retryForMs))) throw missing(topic, answer, Date.now() - started, options.describe?.());
    await new Promise((r) => setTimeout(r, wait));
  }
}

function missing(topic: string, answer: PartitionLookup, elapsedMs: number, answers: string | undefined): TributaryError {
  const said = answers ? `; brokers asked for ${elapsedMs} ms, last answers: ${answers}` : '';
  const context = { topic, ...(answers ? { answers } : {}) };
  if (answer.everyBrokerAnswered) return new TributaryError(ErrorCodes.INVALID_ARGUMENT, `Topic "${topic}" does not exist (Tributary never auto-creates topics; use ensureTopics)${said}`, { context });
  return new TributaryError(ErrorCodes.TIMEOUT, `No broker that answered knew topic "${topic}", and not every broker could be asked${said}`, { retriable: true, context });
}
