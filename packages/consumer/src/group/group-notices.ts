import type { TributaryError } from '@tributary/core';
import type { TopicPartition } from '@tributary/kafka';
import { Stalls, type PartitionStall, type StallReason } from '../health/stalls.js';
import { messageOf } from '../logging/logger.js';
import type { PartitionsListener, ResolvedOptions } from './options.js';

/*
 * What a group tells the application besides handling its records: errors and stalled partitions through
 * `onError` (with a warning), partitions assigned and revoked through their listeners. Kept apart from the
 * group's lifecycle because of one rule that holds for all of them: a user's listener is called without being
 * awaited, and its failure, thrown or rejected, is logged and never reaches the group.
 */

type NoticeOptions = Pick<ResolvedOptions, 'groupId' | 'logger' | 'onError' | 'onPartitionsAssigned' | 'onPartitionsRevoked'>;

/** The group's reports to the application, and the partitions of this member that cannot progress now. */
export class GroupNotices {
  readonly #o: NoticeOptions;
  readonly #stalls = new Stalls();

  constructor(options: NoticeOptions) {
    this.#o = options;
  }

  /** The partitions that cannot progress now, with the reason and the error. */
  stalled(): PartitionStall[] {
    return this.#stalls.list();
  }

  /** A partition cannot progress: reported (onError and a warning) once per reason. */
  stall(p: TopicPartition, reason: StallReason, offset: bigint, cause: unknown): void {
    const stall = this.#stalls.stall(p, reason, offset, cause);
    if (!stall) return;
    this.#o.logger.warn({ groupId: this.#o.groupId, topic: p.topic, partition: p.partition, offset: offset.toString(), reason, err: stall.error.message }, 'partition stalled: it cannot progress');
    this.report(stall.error);
  }

  /** A partition moved on: a stall of it ends, and that is logged. */
  progressed(p: TopicPartition): void {
    if (this.#stalls.clear(p)) this.#o.logger.info({ groupId: this.#o.groupId, topic: p.topic, partition: p.partition }, 'stalled partition progresses again');
  }

  /** The partition is no longer this member's: a stall of it is forgotten without a word. */
  forget(p: TopicPartition): void {
    this.#stalls.clear(p);
  }

  /** Hand an error to the `onError` listener, if any. */
  report(error: TributaryError): void {
    const listener = this.#o.onError;
    if (listener) this.#call('onError', () => listener(error));
  }

  assigned(partitions: readonly TopicPartition[]): void {
    this.#partitions('onPartitionsAssigned', this.#o.onPartitionsAssigned, partitions);
  }

  revoked(partitions: readonly TopicPartition[]): void {
    this.#partitions('onPartitionsRevoked', this.#o.onPartitionsRevoked, partitions);
  }

  #partitions(name: string, listener: PartitionsListener | undefined, partitions: readonly TopicPartition[]): void {
    if (listener && partitions.length > 0) this.#call(name, () => listener(partitions));
  }

  /** Call a user's listener without awaiting it; its failure, thrown or rejected, is logged, never thrown. */
  #call(name: string, call: () => unknown): void {
    const log = (error: unknown) => this.#o.logger.error({ groupId: this.#o.groupId, err: messageOf(error) }, `${name} failed`);
    try {
      void Promise.resolve(call()).catch(log);
    } catch (error) {
      log(error);
    }
  }
}
