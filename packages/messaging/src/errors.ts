/**
 * The errors of request/response messaging. They belong to Tributary's one error family ({@link TributaryError}
 * from `@tributary/core`): a stable `code`, `retriable`, structured `context`, and the `cause` kept.
 *
 * Every request ends in exactly one outcome: its response, or one of these.
 */
import { ErrorCodes, TributaryError } from '@tributary/core';

/** No session handles the path, or the addressed session has no handler for it. `context`: `path`, `sessionId?`. */
export class NoHandlerError extends TributaryError {
  constructor(path: string, sessionId?: string) {
    super(
      ErrorCodes.NO_HANDLER,
      sessionId === undefined ? `No session handles requests to path ${JSON.stringify(path)}` : `Session ${sessionId} has no handler for path ${JSON.stringify(path)}`,
      { context: sessionId === undefined ? { path } : { path, sessionId } },
    );
  }
}

/** The addressed session does not exist, or went away before it answered. `context`: `sessionId`, `path`. */
export class SessionNotFoundError extends TributaryError {
  constructor(sessionId: string, path: string, why = 'is not a live session') {
    super(ErrorCodes.SESSION_NOT_FOUND, `Session ${sessionId} ${why} (request to path ${JSON.stringify(path)})`, { context: { sessionId, path } });
  }
}

/** No response came before the request's deadline. `context`: `path`, `timeoutMs`, `sessionId?` (where it went). */
export class RequestTimeoutError extends TributaryError {
  constructor(path: string, timeoutMs: number, sessionId?: string) {
    super(ErrorCodes.TIMEOUT, `No response to the request to path ${JSON.stringify(path)} within ${timeoutMs} ms${sessionId === undefined ? '' : ` (sent to session ${sessionId})`}`, {
      retriable: true,
      context: { path, timeoutMs, ...(sessionId === undefined ? {} : { sessionId }) },
    });
  }
}

/**
 * The handler in the responding session threw. Its message travels back as this error's message, and its code
 * (a Tributary code, or a string `code` property of what it threw) as `remoteCode`. `context`: `path`,
 * `sessionId` (the responder), `remoteCode`.
 */
export class RequestFailedError extends TributaryError {
  readonly remoteCode: string;

  constructor(path: string, sessionId: string, remoteCode: string, message: string) {
    super(ErrorCodes.REQUEST_FAILED, message, { context: { path, sessionId, remoteCode } });
    this.remoteCode = remoteCode;
  }
}

/**
 * A value does not fit its declared data type: a request the handler's `requestType` refuses (the handler is
 * not called), a response that is not the handler's `responseType` or not the requester's `responseType`.
 * `context`: `expected` (the type), `actual` (what came), `path`, `direction` (request or response).
 */
export class TypeMismatchError extends TributaryError {
  constructor(message: string, context: { expected: string; actual: string; path?: string; direction: 'request' | 'response' }) {
    super(ErrorCodes.TYPE_MISMATCH, message, { context });
  }
}

/**
 * A session filter does not parse. `context`: `filter` (the text), `line` and `column` (1-based, where parsing
 * stopped), `expected` (what would have been valid there) and `found` (what was there).
 */
export class SessionFilterSyntaxError extends TributaryError {
  readonly line: number;
  readonly column: number;

  constructor(filter: string, at: { line: number; column: number; expected: string; found: string }) {
    super(ErrorCodes.INVALID_ARGUMENT, `Session filter syntax error at line ${at.line}, column ${at.column}: expected ${at.expected}, found ${at.found}`, {
      context: { filter, ...at },
    });
    this.line = at.line;
    this.column = at.column;
  }
}

/** A session was used after it closed. `context`: `sessionId`, `operation`. */
export class SessionClosedError extends TributaryError {
  constructor(sessionId: string, operation: string) {
    super(ErrorCodes.CONSUMER_STATE, `Cannot ${operation}: session ${sessionId} is closed`, { context: { sessionId, operation } });
  }
}
