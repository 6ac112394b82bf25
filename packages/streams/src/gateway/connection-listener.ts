import type { JsonValueCodec } from '../codec/json-stream-codec.js';
import type { StreamDelivery, StreamListener, StreamSubscription } from '../stream-service.js';
import { deliveryJson } from './wire.js';

/** What a listener needs of its connection. */
export interface ListenerHost {
  readonly codec: JsonValueCodec;
  /** Queue a line for the client; a promise when the socket is over its watermark (wait for it to drain). */
  send(json: Record<string, unknown>): Promise<void> | undefined;
  /** The listener is done (its stream closed, or a delivery could not be written): forget it. */
  ended(listener: ConnectionListener): void;
}

/**
 * One connection's listener to one stream: each delivery becomes a line on the connection's socket. `put`
 * returns a promise while the socket is backed up, so the stream service waits for a slow client rather than
 * the gateway buffering for it (Kafka-side backpressure). Once hung up it writes nothing more, so after a
 * `hangup` is answered no line of that listener follows.
 */
export class ConnectionListener implements StreamListener {
  readonly stream: string;
  readonly #host: ListenerHost;
  #active = true;
  subscription: StreamSubscription | undefined;

  constructor(stream: string, host: ListenerHost) {
    this.stream = stream;
    this.#host = host;
  }

  get active(): boolean {
    return this.#active;
  }

  /** Write nothing more; the subscription (if there is one yet) is the caller's to hang up. */
  deactivate(): void {
    this.#active = false;
  }

  put(delivery: StreamDelivery): Promise<void> | undefined {
    if (!this.#active) return undefined;
    let json: Record<string, unknown>;
    try {
      json = deliveryJson(delivery, this.#host.codec);
    } catch (error) {
      // Skipping the message would leave a gap the client cannot see: end its listening, saying why.
      void this.subscription?.hangup().catch(() => {});
      const why = error instanceof Error ? error.message : String(error);
      return this.#last(deliveryJson({ action: 'close', stream: this.stream, reason: `a message could not be written for this client: ${why}` }, this.#host.codec));
    }
    return delivery.action === 'close' ? this.#last(json) : this.#host.send(json);
  }

  /** The listener's last line, written before the connection learns it ended (which may end the connection). */
  #last(json: Record<string, unknown>): Promise<void> | undefined {
    this.#active = false;
    const sent = this.#host.send(json);
    this.#host.ended(this);
    return sent;
  }
}
