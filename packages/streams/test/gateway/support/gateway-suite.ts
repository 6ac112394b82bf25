/**
 * The stream gateway's behaviour over any StreamService: run it with a factory of services, as the gateway's
 * unit tests do with an in-memory fake, and as a broker test does with the Kafka-backed hub:
 *
 * ```ts
 * gatewaySuite('Kafka hub', async () => {
 *   const hub = createStreams({ connection: { brokers }, prefix, logger: silentLogger });
 *   return { service: hub, cleanup: () => hub.closeHub() };
 * });
 * ```
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCodes, InvalidArgumentError } from '@tributary/core';
import { RemoteStreamError, StreamCodecError } from '../../../src/errors.js';
import { RemoteStream } from '../../../src/gateway/remote-stream.js';
import { createStreamGateway } from '../../../src/gateway/stream-gateway.js';
import type { StreamDelivery, StreamService } from '../../../src/stream-service.js';
import { Point } from '../../codec/generate.js';
import { gatewayProcessTests } from './gateway-processes.js';
import { RawClient } from './raw-client.js';
import { slowClientTest } from './slow-client.js';
import { drain, freshStream, messagesOf, pointCodec, rejection, SUITE_LIMITS, take, type SuiteContext } from './suite-helpers.js';

/** A fresh service for one test, and how to release it. */
export interface GatewaySuiteHarness {
  service: StreamService;
  cleanup?(): Promise<void>;
}

export type GatewaySuiteFactory = () => GatewaySuiteHarness | Promise<GatewaySuiteHarness>;

export interface GatewaySuiteOptions {
  /** Per-test timeout in milliseconds (vitest's default when left out). */
  timeoutMs?: number;
}

/** The suite: the seed's behaviour through the gateway, malformed and over-long lines, slow clients, other processes. */
export function gatewaySuite(name: string, factory: GatewaySuiteFactory, options: GatewaySuiteOptions = {}): void {
  describe(`stream gateway (${name})`, { timeout: options.timeoutMs }, () => {
    let harness: GatewaySuiteHarness;
    let context: SuiteContext;
    const opened: Array<() => unknown> = [];
    beforeEach(async () => {
      harness = await factory();
      const gateway = createStreamGateway(harness.service, SUITE_LIMITS);
      const address = await gateway.listen();
      context = {
        address,
        gateway,
        remote: async (codec) => {
          const client = await RemoteStream.connect({ ...address, codec });
          opened.push(() => client.disconnect());
          return client;
        },
        raw: async () => {
          const client = await RawClient.connect(address);
          opened.push(() => client.close());
          return client;
        },
      };
    });
    afterEach(async () => {
      await Promise.allSettled(opened.splice(0).map((close) => close()));
      await context.gateway.close();
      await harness.cleanup?.();
    });
    const ctx = () => context;

    it('publishes and listens through RemoteStream: the header, then every later put in order, then close', async () => {
      const s = freshStream();
      const [publisher, listener] = [await ctx().remote(), await ctx().remote()];
      await publisher.put(s, 'before the header');
      await publisher.setHeader(s, { status: 'running', done: 2 });
      await publisher.put(s, 'p1');
      const subscription = await listener.listen(s);
      expect(subscription.recovered).toBe(true);
      await publisher.put(s, { line: 'two\nlines', n: 2.5 });
      await publisher.close(s);
      const got = await drain(subscription);
      expect(got.map((d) => d.action)).toEqual(['header', 'put', 'put', 'close']);
      expect(messagesOf(got)).toEqual([{ status: 'running', done: 2 }, 'p1', { line: 'two\nlines', n: 2.5 }, 'close']);
      const positions = got.flatMap((d) => (d.position ? [d.position] : []));
      expect(new Set(positions.map((p) => p.epoch)).size).toBe(1);
      const offsets = positions.map((p) => BigInt(p.offset));
      expect(offsets.every((o, i) => i === 0 || o > offsets[i - 1]!)).toBe(true);
    });

    it('gives a listener of a stream without a header every message from its start', async () => {
      const s = freshStream();
      const [publisher, listener] = [await ctx().remote(), await ctx().remote()];
      await publisher.put(s, 1);
      await publisher.put(s, 2);
      const subscription = await listener.listen(s);
      await publisher.put(s, 3);
      await publisher.close(s);
      expect(messagesOf(await drain(subscription))).toEqual([1, 2, 3, 'close']);
    });

    it('shows two listeners, an iterator and a StreamListener, one order of two publishers', async () => {
      const s = freshStream();
      const [a, b, p1, p2] = [await ctx().remote(), await ctx().remote(), await ctx().remote(), await ctx().remote()];
      const iterated = await a.listen(s);
      const put: StreamDelivery[] = [];
      await b.listen(s, { put: (d) => void put.push(d) });
      const publish = async (p: RemoteStream, who: string) => {
        for (let i = 0; i < 100; i++) await p.put(s, `${who}${i}`);
      };
      await Promise.all([publish(p1, 'a'), publish(p2, 'b')]);
      await p1.close(s);
      const seen = messagesOf(await drain(iterated));
      await expect.poll(() => put.length).toBe(201);
      expect(messagesOf(put)).toEqual(seen);
      for (const who of ['a', 'b']) expect(seen.filter((m) => String(m).startsWith(who))).toEqual(Array.from({ length: 100 }, (_, i) => `${who}${i}`));
    });

    it('hangs up one stream, then every stream: nothing more reaches them', async () => {
      const [a, b] = [freshStream(), freshStream()];
      const [publisher, listener] = [await ctx().remote(), await ctx().remote()];
      const onA: StreamDelivery[] = [];
      await listener.listen(a, { put: (d) => void onA.push(d) });
      const onB = await listener.listen(b);
      await publisher.put(a, 1);
      await publisher.put(b, 1);
      expect(messagesOf(await take(onB, 1))).toEqual([1]);
      await expect.poll(() => messagesOf(onA)).toEqual([1]);
      await listener.hangup(a);
      await publisher.put(a, 2);
      await publisher.put(b, 2);
      expect(messagesOf(await take(onB, 1))).toEqual([2]);
      await listener.hangup(null);
      await publisher.put(b, 3);
      expect(await onB.next()).toEqual({ done: true, value: undefined });
      await new Promise((r) => setTimeout(r, 200));
      expect(messagesOf(onA)).toEqual([1]);
      // The connection listens again after hanging up.
      const again = await listener.listen(b, { from: 'start' });
      await publisher.close(b);
      expect(messagesOf(await drain(again))).toEqual([1, 2, 3, 'close']);
    });

    it('sends close to listeners when a stream is deleted; a put after it starts a new stream', async () => {
      const s = freshStream();
      const [publisher, listener] = [await ctx().remote(), await ctx().remote()];
      await publisher.put(s, 'old');
      const subscription = await listener.listen(s);
      await publisher.delete(s);
      const got = await drain(subscription);
      expect(messagesOf(got)).toEqual(['old', 'close']);
      await publisher.put(s, 'new');
      const renewed = await listener.listen(s);
      await publisher.close(s);
      const fresh = await drain(renewed);
      expect(messagesOf(fresh)).toEqual(['new', 'close']);
      expect(fresh[0]!.position!.epoch).not.toBe(got[0]!.position!.epoch);
    });

    it('resumes from a stored position with the history after it', async () => {
      const s = freshStream();
      const [publisher, listener] = [await ctx().remote(), await ctx().remote()];
      const first = await listener.listen(s);
      await publisher.put(s, 1);
      const [one] = await take(first, 1);
      await first.hangup();
      await publisher.put(s, 2);
      await publisher.put(s, 3);
      const resumed = await listener.listen(s, { from: one!.position });
      expect(resumed.recovered).toBe(true);
      await publisher.close(s);
      expect(messagesOf(await drain(resumed))).toEqual([2, 3, 'close']);
    });

    it('relays objects of classes only the clients know, revived at the other end', async () => {
      const s = freshStream();
      const [publisher, listener] = [await ctx().remote(pointCodec()), await ctx().remote(pointCodec())];
      const subscription = await listener.listen(s);
      await publisher.put(s, { at: new Point(1, 2), path: [new Point(3, 4)] });
      await publisher.close(s);
      const [put] = await drain(subscription);
      const message = (put as { message: { at: Point; path: Point[] } }).message;
      expect(message.at).toBeInstanceOf(Point);
      expect(message.path[0]).toStrictEqual(new Point(3, 4));
    });

    it("rejects a failed request with the gateway's code, reason and line, and the connection goes on", async () => {
      const s = freshStream();
      const client = await ctx().remote();
      const invalid = (await rejection(client.put('', 1))) as RemoteStreamError;
      expect(invalid).toBeInstanceOf(RemoteStreamError);
      expect(invalid).toMatchObject({ code: ErrorCodes.INVALID_ARGUMENT, remoteCode: 'INVALID_ARGUMENT', reason: 'invalid-stream', retriable: false });
      expect(invalid.message).toBe('Line 1 (put): stream "" is not a stream name (1 to 1024 characters without control characters)');
      expect(invalid.context).toMatchObject({ line: 1 });
      const refused = (await rejection(client.listen(s, { from: { epoch: 'e', offset: 'not a number' } }))) as RemoteStreamError;
      expect(refused).toMatchObject({ code: ErrorCodes.INVALID_ARGUMENT, reason: 'service', context: { line: 2, stream: s } });
      expect(refused.message).toMatch(/^Line 2 \(listen\) failed: /);
      // Refused before sending: no line is spent on them.
      expect(await rejection(client.put(s, new Date()))).toBeInstanceOf(StreamCodecError);
      const subscription = await client.listen(s);
      expect(await rejection(client.listen(s))).toBeInstanceOf(InvalidArgumentError);
      await client.put(s, 'still fine');
      await client.close(s);
      expect(messagesOf(await drain(subscription))).toEqual(['still fine', 'close']);
    });

    it('answers each malformed line with an error line naming it, and stays usable', async () => {
      const s = freshStream();
      const client = await ctx().raw();
      client.send('not json\n');
      client.send('[1,2]\n');
      client.request({ action: 'publish', stream: s, message: 1 });
      client.request({ action: 'put', stream: s });
      client.request({ action: 'put', message: 1 });
      client.send('\r\n');
      client.request({ action: 'listen', stream: s, id: 'listen' });
      client.request({ action: 'put', stream: s, message: 'ok', id: 'put' });
      expect(await client.answer(8)).toEqual({ action: 'ack', id: 'put', line: 8 });
      const errors = client.of('error');
      expect(errors.map((e) => [e.line, (e.error as { reason: string }).reason])).toEqual([
        [1, 'not-json'],
        [2, 'not-object'],
        [3, 'unknown-action'],
        [4, 'missing-message'],
        [5, 'invalid-stream'],
      ]);
      expect(errors[2]).toEqual({
        action: 'error',
        line: 3,
        stream: s,
        error: { code: 'INVALID_ARGUMENT', reason: 'unknown-action', retriable: false, message: 'Line 3 has action "publish"; the actions are header, delete, put, listen, hangup, close' },
      });
      expect(client.lines.find((l) => l.id === 'listen')).toMatchObject({ action: 'ack', line: 7, recovered: true });
      await client.until((lines) => lines.some((l) => l.action === 'put'));
      expect(client.of('put')).toEqual([{ action: 'put', stream: s, message: 'ok', position: expect.objectContaining({ epoch: expect.any(String) }) }]);
    });

    it('refuses a line over maxLineBytes as soon as it passes the limit, skips the rest of it, and stays usable', async () => {
      const s = freshStream();
      const [client, listener] = [await ctx().raw(), await ctx().remote()];
      const subscription = await listener.listen(s);
      const long = JSON.stringify({ action: 'put', stream: s, message: 'x'.repeat(3 * SUITE_LIMITS.maxLineBytes) });
      client.send(long.slice(0, SUITE_LIMITS.maxLineBytes + 10));
      // Refused before its newline is even sent.
      expect(await client.answer(1)).toEqual({
        action: 'error',
        line: 1,
        error: { code: 'INVALID_ARGUMENT', reason: 'line-too-long', retriable: false, message: `Line 1 is longer than ${SUITE_LIMITS.maxLineBytes} bytes (maxLineBytes); it was skipped` },
      });
      client.send(`${long.slice(SUITE_LIMITS.maxLineBytes + 10)}\n`);
      client.request({ action: 'put', stream: s, message: 'after', id: 2 });
      expect(await client.answer(2)).toMatchObject({ action: 'ack', id: 2 });
      client.request({ action: 'close', stream: s });
      expect(messagesOf(await drain(subscription))).toEqual(['after', 'close']);
      expect(client.of('error')).toHaveLength(1);
    });

    it('answers nothing to a fire-and-forget publish that succeeds, and an error line to one that fails', async () => {
      const s = freshStream();
      const [client, listener] = [await ctx().raw(), await ctx().remote()];
      const subscription = await listener.listen(s);
      client.request({ action: 'put', stream: s, message: 1 });
      client.request({ action: 'put', stream: '', message: 2 });
      client.request({ action: 'put', stream: s, message: 3 });
      client.request({ action: 'close', stream: s, id: 'done' });
      await client.answer(4);
      expect(client.lines.map((l) => [l.action, l.line])).toEqual([
        ['error', 2],
        ['ack', 4],
      ]);
      expect(messagesOf(await drain(subscription))).toEqual([1, 3, 'close']);
    });

    slowClientTest(ctx);
    gatewayProcessTests(ctx);
  });
}
