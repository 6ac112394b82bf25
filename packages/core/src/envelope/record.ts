/**
 * The record form of an event: what a producer plugin writes to its bus and a consumer reads back.
 * It mirrors a Kafka record (key, value, headers, timestamp) so every bus (Kafka, memory, file) stores the
 * same bytes, and a consumer can filter by category from the headers without decoding the payload.
 */
export interface EventRecord {
  /** The partitioning key (the event's key, UTF-8). */
  key: Buffer | null;
  /** The payload encoded by the codec named in the `tributary-codec` header. */
  value: Buffer;
  /** Tributary's headers (see {@link EventHeaders}) and the event's own headers, UTF-8. */
  headers: Record<string, Buffer>;
  /** The event's timestamp in epoch milliseconds, as Kafka carries it (a decimal string). */
  timestamp: string;
}

/** The header names Tributary reserves. User headers may not start with `tributary-`. */
export const EventHeaders = {
  id: 'tributary-id',
  category: 'tributary-category',
  type: 'tributary-type',
  timestamp: 'tributary-timestamp',
  codec: 'tributary-codec',
} as const;

/** The prefix reserved for Tributary's own headers. */
export const RESERVED_HEADER_PREFIX = 'tributary-';
