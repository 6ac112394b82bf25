/**
 * The errors of message streams. They belong to Tributary's one error family ({@link TributaryError} from
 * `@tributary/core`): a stable `code`, `retriable`, structured `context`, and the `cause` kept.
 */
import { InvalidArgumentError, TributaryError, type ErrorCodes } from '@tributary/core';

/** A stream name is empty, too long, or holds control characters. `context`: `stream`. */
export class InvalidStreamNameError extends InvalidArgumentError {
  constructor(stream: unknown) {
    super(`Stream name ${JSON.stringify(stream)} is not valid: expected 1 to 1024 characters without control characters`, { stream, expected: 'a stream name' });
  }
}

/**
 * A message could not be encoded or decoded by the stream codec: an object of a class the registry does not
 * know, a `.version` that does not match the registered one, a value JSON cannot hold. `context`: `codec`,
 * `className?`, `expected?`, `actual?`.
 */
export class StreamCodecError extends TributaryError {
  constructor(code: typeof ErrorCodes.ENCODE_FAILED | typeof ErrorCodes.DECODE_FAILED, message: string, context: Record<string, unknown>, cause?: unknown) {
    super(code, message, { context, cause });
  }
}

/**
 * A stream gateway answered a `RemoteStream` request with an error line, or the connection to it failed.
 * `code` is the server's Tributary code (REQUEST_FAILED when it sent another, such as `UNKNOWN`); `remoteCode`
 * keeps the code as sent; `reason` is the gateway's reason (`invalid-stream`, `service`, `slow-client`...), or
 * the client's own (`connect-failed`, `connection-lost`, `disconnected`, `protocol`); `retriable` is the
 * server's. `context`: `remoteCode`, `reason`, `line?` (the request's line number on its connection), `stream?`.
 */
export class RemoteStreamError extends TributaryError {
  readonly remoteCode: string;
  readonly reason: string;

  constructor(
    code: TributaryError['code'],
    message: string,
    details: { remoteCode: string; reason: string; retriable?: boolean; line?: number; stream?: string | null },
    cause?: unknown,
  ) {
    const { retriable = false, ...context } = details;
    super(code, message, { retriable, context: Object.fromEntries(Object.entries(context).filter(([, value]) => value !== undefined)), cause });
    this.remoteCode = details.remoteCode;
    this.reason = details.reason;
  }
}
