import { messageOf, type Logger, type StoredLogRecord } from '@tributary/kafka';
import type { MessagingMetrics } from '../metrics/messaging-metrics.js';
import { respond, type HandlerLookup, type SendReply } from '../requests/responder.js';
import type { Requester } from '../requests/requester.js';
import { decodeInboxMessage, recipientOf } from '../wire/envelope.js';

export interface InboxDispatcherPorts {
  readonly sessions: ReadonlyMap<string, { readonly handlers: HandlerLookup }>;
  readonly requester: Requester;
  readonly send: SendReply;
  readonly logger: Logger;
  readonly metrics: MessagingMetrics | undefined;
  /** Handlers running at once, at most; reading waits beyond it. */
  readonly maxConcurrent: number;
}

/**
 * Hands each inbox record to the session of this process it is for: requests to the session's handlers (run
 * side by side, up to a bound, so one slow handler holds up no other request), responses to the requester.
 * Records for sessions of other processes sharing the partition are skipped on their headers alone.
 */
export class InboxDispatcher {
  readonly #ports: InboxDispatcherPorts;
  readonly #running = new Map<string, Map<Promise<void>, number>>();
  #active = 0;
  #slotFreed: (() => void) | undefined;

  constructor(ports: InboxDispatcherPorts) {
    this.#ports = ports;
  }

  async dispatch(partition: number, records: readonly StoredLogRecord[]): Promise<void> {
    for (const record of records) {
      const to = recipientOf(record);
      const session = to === undefined ? undefined : this.#ports.sessions.get(to);
      if (!session) continue;
      const message = decodeInboxMessage(record);
      if ('invalid' in message) {
        this.#ports.metrics?.dropped('malformed');
        this.#ports.logger.warn({ partition, offset: record.offset.toString(), why: message.invalid }, 'Messaging: skipped an inbox record that is not a request or response');
        continue;
      }
      if (message.kind !== 'request') {
        this.#ports.requester.onReply(message).catch((error: unknown) => this.#ports.logger.error({ err: messageOf(error) }, 'Messaging: settling a response failed'));
        continue;
      }
      while (this.#active >= this.#ports.maxConcurrent) await new Promise<void>((resolve) => (this.#slotFreed = resolve));
      this.#active++;
      let set = this.#running.get(session.handlers.id);
      if (!set) this.#running.set(session.handlers.id, (set = new Map()));
      const running = set;
      const run = respond(session.handlers, message, this.#ports.send, this.#ports.logger, this.#ports.metrics)
        .catch((error: unknown) => this.#ports.logger.warn({ requestId: message.id, path: message.path, err: messageOf(error) }, 'Messaging: the reply to a request could not be sent; the requester times out'))
        .finally(() => {
          this.#active--;
          running.delete(run);
          const wake = this.#slotFreed;
          this.#slotFreed = undefined;
          wake?.();
        });
      running.set(run, message.deadline);
    }
  }

  /**
   * Resolves when the handlers at work for a session have sent their replies, or when waiting longer is of no use:
   * past every one's request deadline (their requesters stopped waiting), and after `limitMs` at most.
   */
  async drain(sessionId: string, limitMs: number): Promise<void> {
    const running = this.#running.get(sessionId);
    if (running && running.size > 0) {
      const waitMs = Math.min(limitMs, Math.max(0, ...running.values()) - Date.now());
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...running.keys()]), new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, waitMs))))]);
      clearTimeout(timer);
    }
    this.#running.delete(sessionId);
  }
}
