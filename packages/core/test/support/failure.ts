import { TributaryError } from '../../src/errors.js';

/** The TributaryError `fn` throws; any other error is rethrown, and not throwing fails the test. */
export function failure(fn: () => unknown): TributaryError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TributaryError) return error;
    throw error;
  }
  throw new Error('expected a TributaryError');
}

/** As {@link failure}, for a function whose Promise rejects. */
export async function asyncFailure(fn: () => unknown): Promise<TributaryError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof TributaryError) return error;
    throw error;
  }
  throw new Error('expected a TributaryError');
}
