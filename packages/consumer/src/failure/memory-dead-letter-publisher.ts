import { ErrorCodes, TributaryError } from '@tributary/core';
import type { DeadLetter, DeadLetterPublisher } from '../processing/record-processor.js';

/**
 * An in-memory {@link DeadLetterPublisher} for tests: it keeps the letters it was given, and fails while
 * `failing` is set, as a dead-letter topic out of reach would.
 */
export class MemoryDeadLetterPublisher implements DeadLetterPublisher {
  readonly letters: DeadLetter[] = [];
  /** While true, every publish rejects with a retriable SEND_FAILED. */
  failing = false;
  /** Publish calls made, failed ones included. */
  attempts = 0;

  async publish(letter: DeadLetter): Promise<void> {
    this.attempts++;
    if (this.failing) throw new TributaryError(ErrorCodes.SEND_FAILED, `dead-letter topic "${letter.topic}" is out of reach`, { retriable: true, context: { topic: letter.topic } });
    this.letters.push(letter);
  }
}
