/**
 * Headers a dead-lettered record carries, naming where it came from and why it was given up on, as Karafka
 * and Spring's DeadLetterPublishingRecoverer record them. The original key, value and headers are kept as
 * they were, so the record can be re-published to its topic once the cause is fixed.
 */
export const DeadLetterHeaders = {
  topic: 'tributary-dlt-original-topic',
  partition: 'tributary-dlt-original-partition',
  offset: 'tributary-dlt-original-offset',
  timestamp: 'tributary-dlt-original-timestamp',
  errorCode: 'tributary-dlt-error-code',
  errorMessage: 'tributary-dlt-error-message',
  group: 'tributary-dlt-group',
  attempts: 'tributary-dlt-attempts',
  failedAt: 'tributary-dlt-failed-at',
  /**
   * On a dead-lettered record batch that could not be decoded (its value is the batch's raw bytes, as fetched):
   * the first offset after it. The batch covered the original offset up to this one, exclusive.
   */
  batchEnd: 'tributary-dlt-batch-end-offset',
} as const;

/** Where a record came from and why it is being dead-lettered. */
export interface DeadLetterOrigin {
  topic: string;
  partition: number;
  offset: bigint;
  /** The original record's timestamp, epoch milliseconds. */
  timestamp: string;
  errorCode: string;
  errorMessage: string;
  group: string;
  /** Handler attempts made; 0 for a record that could not be decoded. */
  attempts: number;
}

const MAX_MESSAGE = 4096;

/** A dead letter's header value: bytes, null (kept as Kafka allows it), or the values of a repeated name, in order. */
export type DeadLetterHeaderValue = Buffer | null | ReadonlyArray<Buffer | null>;

/**
 * Headers in order as a map: a name written more than once keeps all its values, in order, as an array (what
 * Kafka clients write as the name repeated). Names keep the order of their first appearance.
 */
export function groupHeaders(list: ReadonlyArray<readonly [string, Buffer | null]>): Record<string, DeadLetterHeaderValue> {
  const out: Record<string, Buffer | null | Array<Buffer | null>> = {};
  for (const [name, value] of list) {
    const known = out[name];
    if (known === undefined) out[name] = value;
    else if (Array.isArray(known)) known.push(value);
    else out[name] = [known as Buffer | null, value];
  }
  return out;
}

/** The original headers plus the dead-letter headers (which replace any earlier ones of the same name). */
export function deadLetterHeaders(original: Readonly<Record<string, DeadLetterHeaderValue | string | undefined>>, origin: DeadLetterOrigin, now = new Date()): Record<string, DeadLetterHeaderValue> {
  const headers: Record<string, DeadLetterHeaderValue> = {};
  for (const [name, value] of Object.entries(original)) {
    if (value !== undefined) headers[name] = typeof value === 'string' ? Buffer.from(value) : value;
  }
  const add = (name: string, value: string) => (headers[name] = Buffer.from(value));
  add(DeadLetterHeaders.topic, origin.topic);
  add(DeadLetterHeaders.partition, String(origin.partition));
  add(DeadLetterHeaders.offset, origin.offset.toString());
  add(DeadLetterHeaders.timestamp, origin.timestamp);
  add(DeadLetterHeaders.errorCode, origin.errorCode);
  add(DeadLetterHeaders.errorMessage, origin.errorMessage.length > MAX_MESSAGE ? `${origin.errorMessage.slice(0, MAX_MESSAGE)}…` : origin.errorMessage);
  add(DeadLetterHeaders.group, origin.group);
  add(DeadLetterHeaders.attempts, String(origin.attempts));
  add(DeadLetterHeaders.failedAt, now.toISOString());
  return headers;
}

/** The default dead-letter topic of a topic: `<topic>.DLT`, as Spring names it. */
export function deadLetterTopicFor(topic: string): string {
  return `${topic}.DLT`;
}
