/**
 * @tributary/messaging: request/response on Kafka (seed 002). Sessions announce themselves on a compacted topic;
 * requests go to a path (one registered session answers), to a session by id, or to every session a filter
 * matches; every request ends in exactly one outcome.
 */
export { NoHandlerError, SessionNotFoundError, RequestTimeoutError, RequestFailedError, TypeMismatchError, SessionFilterSyntaxError, SessionClosedError } from './errors.js';
