import type { EventRecord } from '../envelope/record.js';
import type { EventOffset } from './event-offset.js';

/** A record as a bus stores it: the record and the offset it was written at. What readers of a bus get back. */
export interface StoredRecord {
  readonly offset: EventOffset;
  readonly record: EventRecord;
}
