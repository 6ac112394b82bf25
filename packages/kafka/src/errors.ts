/**
 * The Kafka layer's errors, in Tributary's one error family ({@link TributaryError} from `@tributary/core`).
 * Every failure of kafkajs or of a broker leaves this package as a TributaryError with the original as `cause`;
 * broker errors are mapped by kind, so callers know what to do without reading Kafka's error table.
 */
import { ErrorCodes, TributaryError, type ErrorCode } from '@tributary/core';

/** What a broker error means for the caller. */
export type BrokerErrorKind =
  /** The request may succeed later as it is (a timeout, a coordinator loading). */
  | 'retriable'
  /** The leader or replica set changed: refresh metadata, then try again. */
  | 'refresh-metadata'
  /** Access refused: surfaced to the user, never retried silently. */
  | 'authorization'
  /** The broker lacks a protocol version or feature Tributary needs: surfaced, never retried. */
  | 'unsupported'
  /** Anything else that will not succeed by trying again. */
  | 'fatal';

/** Kafka error codes by kind (Kafka's `Errors` table; the numbers are the protocol's). */
const KINDS: ReadonlyMap<number, BrokerErrorKind> = new Map<number, BrokerErrorKind>([
  [3, 'refresh-metadata'], // UNKNOWN_TOPIC_OR_PARTITION
  [5, 'refresh-metadata'], // LEADER_NOT_AVAILABLE
  [6, 'refresh-metadata'], // NOT_LEADER_OR_FOLLOWER
  [7, 'retriable'], // REQUEST_TIMED_OUT
  [8, 'refresh-metadata'], // BROKER_NOT_AVAILABLE
  [9, 'refresh-metadata'], // REPLICA_NOT_AVAILABLE
  [14, 'retriable'], // COORDINATOR_LOAD_IN_PROGRESS
  [15, 'refresh-metadata'], // COORDINATOR_NOT_AVAILABLE
  [16, 'refresh-metadata'], // NOT_COORDINATOR
  [19, 'retriable'], // NOT_ENOUGH_REPLICAS
  [20, 'retriable'], // NOT_ENOUGH_REPLICAS_AFTER_APPEND
  [29, 'authorization'], // TOPIC_AUTHORIZATION_FAILED
  [30, 'authorization'], // GROUP_AUTHORIZATION_FAILED
  [31, 'authorization'], // CLUSTER_AUTHORIZATION_FAILED
  [35, 'unsupported'], // UNSUPPORTED_VERSION
  [53, 'authorization'], // TRANSACTIONAL_ID_AUTHORIZATION_FAILED
  [56, 'refresh-metadata'], // KAFKA_STORAGE_ERROR
  [58, 'authorization'], // SASL_AUTHENTICATION_FAILED
  [74, 'refresh-metadata'], // FENCED_LEADER_EPOCH
  [75, 'refresh-metadata'], // UNKNOWN_LEADER_EPOCH
  [76, 'unsupported'], // UNSUPPORTED_COMPRESSION_TYPE
  [78, 'refresh-metadata'], // OFFSET_NOT_AVAILABLE
  [89, 'retriable'], // THROTTLING_QUOTA_EXCEEDED
  [100, 'fatal'], // UNKNOWN_TOPIC_ID
]);

/**
 * kafkajs' error type names for the kinds that must never be retried silently. A broker's SaslAuthenticate
 * refusal (a wrong password, a user unknown to the mechanism) reaches us as a `KafkaJSSASLAuthenticationError`
 * with no `type`: kafkajs' SASL authenticators throw it by name.
 */
const AUTHORIZATION_TYPES = /AUTHORIZATION_FAILED|SASL_AUTHENTICATION_FAILED|ILLEGAL_SASL_STATE|UNSUPPORTED_SASL_MECHANISM|^KafkaJSSASLAuthenticationError$/;
const UNSUPPORTED_TYPES = /^UNSUPPORTED_VERSION$|^UNSUPPORTED_COMPRESSION_TYPE$/;

/** The kind of a Kafka error code (0 is no error; unknown codes are fatal). */
export function brokerErrorKind(code: number): BrokerErrorKind {
  return KINDS.get(code) ?? 'fatal';
}

/** The TributaryError code of a broker error kind. */
export function codeOfKind(kind: BrokerErrorKind): ErrorCode {
  if (kind === 'authorization') return ErrorCodes.AUTHORIZATION;
  if (kind === 'unsupported') return ErrorCodes.UNSUPPORTED;
  return ErrorCodes.CONNECTION;
}

/**
 * Node's codes for a broker certificate the client does not trust (OpenSSL's verify errors, and the host-name
 * check). kafkajs keeps the code on its connection error.
 */
const UNTRUSTED_CERTIFICATE = /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_[A-Z_]+|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/**
 * Node's codes for a TLS alert the broker sent about this client's certificate (none given to a listener that
 * requires one, or one it does not trust): OpenSSL's alerts, such as ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE.
 */
const CLIENT_CERTIFICATE_REFUSED = /^ERR_SSL_[A-Z0-9]*_ALERT_(BAD_CERTIFICATE|CERTIFICATE_REQUIRED|UNKNOWN_CA|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|CERTIFICATE_REVOKED|CERTIFICATE_EXPIRED|ACCESS_DENIED)$/;

/** TLS failures that are the client's set-up to fix, each with what to do about it. */
const TLS_REFUSALS: ReadonlyArray<{ codes: RegExp; hint: (code: string) => string }> = [
  { codes: UNTRUSTED_CERTIFICATE, hint: (code) => `the broker's TLS certificate is not trusted: ${code}; give the CA that signed it as tls.ca, or check tls.servername` },
  { codes: CLIENT_CERTIFICATE_REFUSED, hint: (code) => `the broker refused this client's TLS certificate: ${code}; give one it trusts as tls.cert and tls.key` },
];

interface KafkajsLikeError {
  name?: string;
  /** Node's error code on a connection error; the protocol's error number on a protocol error. */
  code?: string | number;
  type?: string;
  message?: string;
  retriable?: boolean;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown[];
}

/** The innermost errors kafkajs wrapped (retries exceeded, aggregate errors). */
export function leafErrors(error: unknown): KafkajsLikeError[] {
  const e = error as KafkajsLikeError | undefined;
  if (!e || typeof e !== 'object') return [];
  if (Array.isArray(e.errors) && e.errors.length > 0) return e.errors.flatMap(leafErrors);
  const inner = e.originalError ?? e.cause;
  if (inner && inner !== error) {
    const leaves = leafErrors(inner);
    if (leaves.length > 0) return leaves;
  }
  return [e];
}

/**
 * A failure of the Kafka client as a Tributary error: TributaryErrors pass as they are; an authorization or
 * unsupported-version answer becomes AUTHORIZATION or UNSUPPORTED (not retriable); anything else becomes
 * CONNECTION, retriable when kafkajs says so, with the original as `cause`.
 */
export function asTributaryError(error: unknown, what: string, context: Record<string, unknown> = {}): TributaryError {
  if (error instanceof TributaryError) return error;
  const message = `${what} failed: ${error instanceof Error ? error.message : String(error)}`;
  const leaves = leafErrors(error);
  const types = leaves.map((l) => l.type ?? l.name ?? '');
  if (types.some((t) => AUTHORIZATION_TYPES.test(t))) return new TributaryError(ErrorCodes.AUTHORIZATION, message, { cause: error, context: { ...context, kafkaError: types.join(',') } });
  if (types.some((t) => UNSUPPORTED_TYPES.test(t))) return new TributaryError(ErrorCodes.UNSUPPORTED, message, { cause: error, context: { ...context, kafkaError: types.join(',') } });
  for (const { codes, hint } of TLS_REFUSALS) {
    const code = leaves.map((l) => l.code).find((c): c is string => typeof c === 'string' && codes.test(c));
    // The same certificate (or its absence) is refused every time: trying again cannot help, and OpenSSL's words
    // alone do not say what to do.
    if (code !== undefined) return new TributaryError(ErrorCodes.CONNECTION, `${message} (${hint(code)})`, { cause: error, retriable: false, context: { ...context, tlsError: code } });
  }
  // What the innermost errors say: kafkajs marks its "retries exceeded" wrapper not retriable (it will not try
  // again itself), which says nothing of whether the caller may (a broker down now may be back later).
  const retriable = leaves.length === 0 ? ((error as KafkajsLikeError | null)?.retriable ?? true) : leaves.every((l) => l.retriable ?? true);
  return new TributaryError(ErrorCodes.CONNECTION, message, { cause: error, retriable, context });
}
