import { ErrorCodes, TributaryError } from '@tributary/core';

/** Why a Kafka runtime could not be had. */
export type KafkaRuntimeReason =
  | 'java-missing'
  | 'maven-missing'
  | 'jar-fetch-failed'
  | 'port-in-use'
  | 'broker-exited'
  | 'not-ready'
  | 'tls-setup-failed'
  | 'no-broker-available';

/**
 * The test-kit's error: a member of Tributary's error family with code `KAFKA_RUNTIME`, and a `reason`
 * that tells which precondition failed. The message says what to install or change.
 */
export class KafkaRuntimeError extends TributaryError {
  readonly reason: KafkaRuntimeReason;

  constructor(reason: KafkaRuntimeReason, message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(ErrorCodes.KAFKA_RUNTIME, message, { context: { reason, ...context }, cause });
    this.reason = reason;
  }
}
