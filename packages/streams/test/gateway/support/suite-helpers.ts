/** What the gateway suite's tests share. */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { ClassRegistry } from '../../../src/codec/class-registry.js';
import { JsonStreamCodec, type JsonValueCodec } from '../../../src/codec/json-stream-codec.js';
import type { RemoteStream } from '../../../src/gateway/remote-stream.js';
import type { GatewayAddress, StreamGateway } from '../../../src/gateway/stream-gateway.js';
import type { StreamDelivery } from '../../../src/stream-service.js';
import { Point } from '../../codec/generate.js';
import type { RawClient } from './raw-client.js';

/** The gateway's limits in the suite: small, so that over-long lines and slow clients are cheap to make. */
export const SUITE_LIMITS = { maxLineBytes: 64 * 1024, maxQueuedBytes: 256 * 1024 } as const;

/** What each test gets: a gateway on a fresh service, and clients that are closed after the test. */
export interface SuiteContext {
  readonly address: GatewayAddress;
  readonly gateway: StreamGateway;
  remote(codec?: JsonValueCodec): Promise<RemoteStream>;
  raw(): Promise<RawClient>;
}

export function freshStream(): string {
  return `gw-${randomUUID()}`;
}

/** Every delivery of an iterator, until it ends. */
export async function drain(deliveries: AsyncIterable<StreamDelivery>): Promise<StreamDelivery[]> {
  const out: StreamDelivery[] = [];
  for await (const delivery of deliveries) out.push(delivery);
  return out;
}

/** The next `count` deliveries of an iterator, without ending it. */
export async function take(deliveries: AsyncIterator<StreamDelivery>, count: number): Promise<StreamDelivery[]> {
  const out: StreamDelivery[] = [];
  while (out.length < count) {
    const step = await deliveries.next();
    if (step.done) break;
    out.push(step.value);
  }
  return out;
}

export const messagesOf = (deliveries: readonly StreamDelivery[]) => deliveries.map((d) => (d.action === 'close' ? 'close' : d.message));

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the promise should have been rejected'),
    (error: unknown) => error,
  );
}

export function pointCodec(): JsonStreamCodec {
  return new JsonStreamCodec({ registry: new ClassRegistry().register(Point, { name: 'geo.point', version: '1.0' }) });
}

