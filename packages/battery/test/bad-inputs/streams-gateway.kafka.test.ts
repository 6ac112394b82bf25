// Malformed and oversized lines sent to the streams gateway (JSON lines) between the valid puts of one stream on
// a Kafka-backed hub: each bad line is answered with one error line naming its line number and reason, the
// connection stays open, and a listener on another connection receives every valid put in order, without a gap or
// a repeat, then the close.
//
// Already covered elsewhere, and not repeated here:
// - packages/streams/test/gateway/support/gateway-suite.ts (run on Kafka by streams-gateway.kafka.test.ts):
//   each malformed line kind once, with the exact error line, then one valid put; a line over maxLineBytes
//   refused as soon as it passes the limit, then one valid put;
// - packages/streams/test/gateway/line-splitter.test.ts: line splitting across chunks and the limit, in memory.
// What this adds: many bad lines, of every kind and cut across writes, interleaved with 100 valid puts of one
// stream, with the listener's sequence checked whole.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { KafkaClient, KafkaLogTransport, silentLogger } from '@tributary/kafka';
import { randomTopic } from '@tributary/test-kit';
import { createStreamGateway, createStreams, ensureStreamTopics, RemoteStream, type StreamDelivery, type StreamGateway, type Streams } from '@tributary/streams';
import { until } from './support/records.js';
import { LineClient } from './support/line-client.js';

const brokers = inject('kafkaBrokers');
const MAX_LINE_BYTES = 4096;

/** A bad line, the reason the gateway must give for it, and how it is written (whole, or in pieces). */
interface BadLine {
  bytes: Array<string | Buffer>;
  reason: string;
}

describe('malformed and oversized lines to the streams gateway: each answered, nothing lost behind it', () => {
  let hub: Streams;
  let gateway: StreamGateway;
  let address: { host: string; port: number };

  beforeAll(async () => {
    const prefix = randomTopic('bad-lines');
    await ensureStreamTopics({ brokers }, { prefix, partitions: 2 });
    hub = createStreams({ transport: new KafkaLogTransport(new KafkaClient({ brokers, logger: silentLogger })), prefix, logger: silentLogger });
    gateway = createStreamGateway(hub, { maxLineBytes: MAX_LINE_BYTES });
    address = await gateway.listen();
  });
  afterAll(async () => {
    await gateway?.close();
    await hub?.closeHub();
  });

  it('answers every bad line with its reason and line number, and the listener gets every valid put in order', async () => {
    const stream = `bad-lines-${randomUUID()}`;
    await using listener = await RemoteStream.connect(address);
    const subscription = await listener.listen(stream);
    const received: StreamDelivery[] = [];
    const reading = (async () => {
      for await (const delivery of subscription) received.push(delivery);
    })();

    const oversized = JSON.stringify({ action: 'put', stream, message: 'x'.repeat(3 * MAX_LINE_BYTES) });
    const badLines: BadLine[] = [
      { bytes: ['{"action": "put", "stream": '], reason: 'not-json' },
      { bytes: ['[1, 2, 3]'], reason: 'not-object' },
      { bytes: ['"put"'], reason: 'not-object' },
      { bytes: [JSON.stringify({ action: 'publish', stream, message: 1 })], reason: 'unknown-action' },
      { bytes: [JSON.stringify({ action: 'put', stream })], reason: 'missing-message' },
      { bytes: [JSON.stringify({ action: 'put', stream: '', message: 1 })], reason: 'invalid-stream' },
      { bytes: [JSON.stringify({ action: 'put', stream: 'a\u0000b', message: 1 })], reason: 'invalid-stream' },
      // Over maxLineBytes, written in three pieces: refused once, the rest of it skipped up to its newline.
      { bytes: [oversized.slice(0, 1000), oversized.slice(1000, 9000), oversized.slice(9000)], reason: 'line-too-long' },
      { bytes: [Buffer.from([0x7b, 0xff, 0xfe, 0x7d])], reason: 'not-utf8' },
    ];

    await using client = await LineClient.connect(address);
    const valid = Array.from({ length: 100 }, (_, i) => i);
    const expectedErrors: Array<[number, string]> = [];
    let line = 0;
    for (const seq of valid) {
      const bad = seq % 10 === 5 ? badLines[(seq - 5) / 10 % badLines.length] : undefined;
      if (bad) {
        for (const piece of bad.bytes) await client.write(piece);
        await client.write('\n');
        expectedErrors.push([++line, bad.reason]);
      }
      await client.write(`${JSON.stringify({ action: 'put', stream, message: { seq }, id: `put-${seq}` })}\n`);
      line++;
    }
    await client.write(`${JSON.stringify({ action: 'close', stream, id: 'close' })}\n`);
    line++;

    await until('the close acknowledged', () => client.answers.some((a) => a.id === 'close'), 60_000);
    await Promise.race([reading, until('the listener closed', () => received.at(-1)?.action === 'close', 60_000)]);

    const errors = client.answers.filter((a) => a.action === 'error');
    expect(errors.map((e) => [e.line, (e.error as { reason: string }).reason])).toEqual(expectedErrors);
    for (const e of errors) expect((e.error as { code: string; message: string }).code).toBe('INVALID_ARGUMENT');
    expect((errors.find((e) => (e.error as { reason: string }).reason === 'line-too-long')!.error as { message: string }).message).toContain(`longer than ${MAX_LINE_BYTES} bytes (maxLineBytes)`);
    const acks = client.answers.filter((a) => a.action === 'ack').map((a) => a.id);
    expect(acks).toEqual([...valid.map((seq) => `put-${seq}`), 'close']);

    const puts = received.filter((d) => d.action === 'put').map((d) => (d as { message: { seq: number } }).message.seq);
    expect({ missing: valid.filter((s) => !puts.includes(s)), extra: puts.filter((s) => !valid.includes(s)), inOrder: puts.every((s, i) => i === 0 || s > puts[i - 1]!) }).toEqual({ missing: [], extra: [], inOrder: true });
    expect(puts).toHaveLength(valid.length);
    expect(received.at(-1)?.action).toBe('close');
  });
});
