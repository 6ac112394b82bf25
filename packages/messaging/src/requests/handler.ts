import type { DataType } from '../types/data-type.js';
import type { Route } from '../wire/envelope.js';

/** What a request handler is told besides the request. */
export interface RequestContext {
  /** The request's id (unique; the same when a path request is re-sent to another handler). */
  readonly requestId: string;
  /** The session that sent the request. */
  readonly sessionId: string;
  /** The path the request was sent to. */
  readonly path: string;
  /** The path of the handler that took it: the request's path or its nearest registered ancestor. */
  readonly handlerPath: string;
  /** How it was addressed. */
  readonly route: Route;
  /** The sender's properties the handler asked for with `sessionProperties` (empty for addressed requests). */
  readonly properties: Readonly<Record<string, string>>;
  /** Aborted at the request's deadline, when the requester stops waiting: stop work then. */
  readonly signal: AbortSignal;
}

/**
 * Answers a request: its return value (or what its promise resolves to) is the response, sent as the
 * handler's `responseType`. A throw (or rejection) is sent back as a `RequestFailedError` carrying its message
 * and code.
 */
export type RequestHandler<Req = unknown, Res = unknown> = (request: Req, context: RequestContext) => Res | Promise<Res>;

/** Data types of a handler. */
export interface HandlerTypes {
  /** What requests must be; others are refused with TYPE_MISMATCH and the handler is not called. Default json. */
  requestType?: DataType;
  /** What responses are sent as. Default json. */
  responseType?: DataType;
}

export interface HandlerEntry {
  readonly handler: RequestHandler;
  readonly requestType: DataType;
  readonly responseType: DataType;
}
