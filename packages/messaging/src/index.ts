/**
 * @tributary/messaging: request/response on Kafka (seed 002, Diffusion's messaging).
 *
 * Sessions announce themselves on a compacted topic with heartbeats and a goodbye; every session sees which
 * sessions exist, their properties and the paths they handle. A request goes to a path (one of the sessions
 * registered for it answers, balanced between them), to a session by id, or to every session a filter matches.
 * Requests and responses travel on one inbox topic, each to the partition its recipient reads, so a cluster
 * holds thousands of sessions and hundreds of paths on two topics. Every request ends in exactly one outcome:
 * a response, the handler's error, `NoHandlerError`, `SessionNotFoundError`, `TypeMismatchError` or
 * `RequestTimeoutError` at its deadline.
 *
 * For unit tests, `createMessaging({ transport: new MemoryLogTransport() })` runs the same sessions, routing and
 * outcomes in memory (hubs given the same transport share it, as processes share a cluster).
 *
 * ```ts
 * await ensureMessagingTopics({ brokers });
 * const messaging = createMessaging({ connection: { brokers } });
 * const server = await messaging.openSession({ properties: { Country: 'UK' } });
 * await server.registerRequestHandler('prices/quote', (req: { sku: string }) => ({ sku: req.sku, price: 12 }));
 * const client = await messaging.openSession();
 * const quote = await client.sendRequestToPath('prices/quote', { sku: 'A-1' }, { timeout: 5000 });
 * await messaging.close();
 * ```
 *
 * @module @tributary/messaging
 */
export { Messaging, createMessaging, type OpenSessionOptions } from './messaging.js';
export type { MessagingOptions } from './options.js';
// The log a hub runs on, re-exported from the Kafka layer so unit tests need one import.
export { MemoryLogTransport, KafkaLogTransport, type LogTransport } from '@tributary/kafka';
export { ensureMessagingTopics, messagingTopics, DEFAULT_MESSAGING_PREFIX, DEFAULT_INBOX_PARTITIONS, type MessagingTopics, type EnsureMessagingTopicsOptions } from './topics.js';
export {
  MessagingSession,
  type RegisterOptions,
  type AddHandlerOptions,
  type HandlerRegistration,
  type FilterRequestOptions,
  type FilterResponses,
} from './session/messaging-session.js';
export type { RequestHandler, RequestContext, HandlerTypes } from './requests/handler.js';
export type { RequestOptions } from './requests/requester.js';
export { ALL_FIXED_PROPERTIES, ALL_USER_PROPERTIES, FixedProperties, CLIENT_VERSION, type SessionProperties } from './session/properties.js';
export type { SessionInfo, SessionEvent, SessionListener } from './session/session-info.js';
export { DATA_TYPES, type DataType, type DataTypeName, type DataTypeValues } from './types/data-type.js';
export { parseSessionFilter, type SessionFilter } from './filter/session-filter.js';
export { MessagingMetricNames } from './metrics/messaging-metrics.js';
export type { Route } from './wire/envelope.js';
export { NoHandlerError, SessionNotFoundError, RequestTimeoutError, RequestFailedError, TypeMismatchError, SessionFilterSyntaxError, SessionClosedError } from './errors.js';
