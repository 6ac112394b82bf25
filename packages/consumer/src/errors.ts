/**
 * The consumer's errors. They belong to Tributary's one error family ({@link TributaryError} from
 * `@tributary/core`): a stable `code`, `retriable`, structured `context`, and the `cause` kept.
 */
import { ErrorCodes, TributaryError } from '@tributary/core';

/**
 * A requested position lies outside a partition's range. `context` holds `topic`, `partition`, `offset` (the
 * next offset asked for) and the valid range `low` to `high` (decimal strings; `high` is one past the last
 * record, so a position equal to it means "after everything").
 */
export class OffsetOutOfRangeError extends TributaryError {
  constructor(what: string, range: { topic: string; partition: number; offset: bigint; low: bigint; high: bigint }, hint = '') {
    const { topic, partition, offset, low, high } = range;
    super(ErrorCodes.OFFSET_OUT_OF_RANGE, `${what} ${topic}:${partition}@${offset} is outside the partition's range ${low} to ${high}${hint}`, {
      context: { topic, partition, offset: offset.toString(), low: low.toString(), high: high.toString() },
    });
  }
}

/** A consumer was used in the wrong lifecycle state. `context` holds `state` and `operation`. */
export class ConsumerStateError extends TributaryError {
  constructor(operation: string, state: string) {
    super(ErrorCodes.CONSUMER_STATE, `Cannot ${operation} a consumer group that is ${state}`, { context: { operation, state } });
  }
}

export { asTributaryError } from '@tributary/kafka';
