import type { Producer } from 'kafkajs';
import type { EventRecord } from '@tributary/core';
import { deadLetterHeaders, type DeadLetterOrigin } from '../failure/dead-letter-headers.js';

/**
 * Publishes a record to its dead-letter topic, trying until it succeeds or the consumer stops: a record is
 * never skipped because its dead-letter write failed. While it keeps failing, the caller's partition makes no
 * progress (it is paused), and `onBlocked` is told each failure.
 */
export async function publishDeadLetter(
  producer: Producer,
  deadLetterTopic: string,
  record: EventRecord,
  origin: DeadLetterOrigin,
  options: { isRunning(): boolean; heartbeat(): Promise<void>; onBlocked(error: unknown): void; retryMs?: number },
): Promise<boolean> {
  const headers = deadLetterHeaders(record.headers, origin);
  for (let attempt = 0; ; attempt++) {
    try {
      await producer.send({ topic: deadLetterTopic, acks: -1, messages: [{ key: record.key, value: record.value, headers, timestamp: record.timestamp }] });
      return true;
    } catch (error) {
      options.onBlocked(error);
      if (!options.isRunning()) return false;
      await options.heartbeat().catch(() => {});
      await new Promise((r) => setTimeout(r, Math.min(5000, (options.retryMs ?? 200) * 2 ** Math.min(attempt, 5))));
    }
  }
}
