import { describe, expect, it } from 'vitest';
import type { InternalBroker, RawRequest } from '../../src/internal/kafkajs-internals.js';
import { LeaderEpochs } from '../../src/reader/leader-epochs.js';
import { bytes, type Field } from '../support/wire-bytes.js';

/** A broker that answers each request with the next of `answers` and keeps what it was sent. */
function fakeBroker(answers: Buffer[]): InternalBroker & { sent: Array<{ apiKey: number; apiVersion: number; body: Buffer }> } {
  const sent: Array<{ apiKey: number; apiVersion: number; body: Buffer }> = [];
  return {
    sent,
    connectionPool: {
      async send<T>(raw: RawRequest<T>): Promise<T> {
        const { buf } = await raw.request.encode();
        sent.push({ apiKey: raw.request.apiKey, apiVersion: raw.request.apiVersion, body: buf });
        return raw.response.parse(await raw.response.decode(answers.shift()!));
      },
    },
    offsetCommit: async () => undefined,
  } as unknown as InternalBroker & { sent: typeof sent };
}

/** A Metadata v7 answer for topic `t` with these (partition, leader epoch) pairs. */
function metadata(...partitions: Array<[number, number]>): Buffer {
  const fields: Field[] = [['i32', 0], ['i32', 0], ['str', null], ['i32', 1], ['i32', 1], ['i16', 0], ['str', 't'], ['i8', 0], ['i32', partitions.length]];
  for (const [p, epoch] of partitions) fields.push(['i16', 0], ['i32', p], ['i32', 1], ['i32', epoch], ['i32', 0], ['i32', 0], ['i32', 0]);
  return bytes(...fields);
}

function epochEnds(...ends: Array<[number, number, number, bigint]>): Buffer {
  const fields: Field[] = [['i32', 0], ['i32', 1], ['str', 't'], ['i32', ends.length]];
  for (const [p, error, epoch, end] of ends) fields.push(['i16', error], ['i32', p], ['i32', epoch], ['i64', end]);
  return bytes(...fields);
}

describe('LeaderEpochs', () => {
  it('learns leader epochs from Metadata v7 and asks for a check only after the epoch moved past the validated one', async () => {
    const epochs = new LeaderEpochs();
    expect(epochs.current('t', 0)).toBe(-1);
    expect(epochs.needsValidation('t', 0, 3)).toBe(false); // nothing known: nothing to check against
    const broker = fakeBroker([metadata([0, 4], [1, 2]), metadata([0, 5], [1, 2])]);
    await epochs.refresh(broker, ['t']);
    expect(broker.sent[0]).toMatchObject({ apiKey: 3, apiVersion: 7, body: bytes(['i32', 1], ['str', 't'], ['i8', 0]) });
    expect([epochs.current('t', 0), epochs.current('t', 1), epochs.stale]).toEqual([4, 2, false]);
    // Never read under any epoch: a given last epoch is checked; none, or one from before epochs (-1), is not.
    expect(epochs.needsValidation('t', 0, 3)).toBe(true);
    expect(epochs.needsValidation('t', 0, undefined)).toBe(false);
    expect(epochs.needsValidation('t', 0, -1)).toBe(false);
    epochs.validated('t', 0, 4);
    expect(epochs.needsValidation('t', 0, 4)).toBe(false);
    epochs.markStale();
    await epochs.refresh(broker, ['t']);
    expect(epochs.needsValidation('t', 0, 4)).toBe(true);
    expect(epochs.needsValidation('t', 1, 2)).toBe(true);
  });

  it('judges positions as Java\'s consumer does: an epoch ending below the position is a truncation', async () => {
    const epochs = new LeaderEpochs();
    const broker = fakeBroker([metadata([0, 6], [1, 6], [2, 6], [3, 6]), epochEnds([0, 0, 5, 100n], [1, 0, 5, 90n], [2, 0, -1, -1n], [3, 74, -1, -1n])]);
    await epochs.refresh(broker, ['t']);
    const results = await epochs.validate(broker, [
      { topic: 't', partition: 0, offset: 100n, lastEpoch: 5 },
      { topic: 't', partition: 1, offset: 100n, lastEpoch: 5 },
      { topic: 't', partition: 2, offset: 10n, lastEpoch: 1 },
      { topic: 't', partition: 3, offset: 10n, lastEpoch: 5 },
    ]);
    expect(broker.sent[1]).toMatchObject({ apiKey: 23, apiVersion: 3 });
    expect(broker.sent[1]!.body).toEqual(bytes(
      ['i32', -1], ['i32', 1], ['str', 't'], ['i32', 4],
      ['i32', 0], ['i32', 6], ['i32', 5], ['i32', 1], ['i32', 6], ['i32', 5], ['i32', 2], ['i32', 6], ['i32', 1], ['i32', 3], ['i32', 6], ['i32', 5],
    ));
    expect(results).toEqual([
      { kind: 'valid' },
      { kind: 'truncated', truncatedTo: 90n },
      { kind: 'unknown-epoch' },
      { kind: 'error', errorCode: 74 },
    ]);
    // Only the position found good counts as validated under the current epoch.
    expect(epochs.needsValidation('t', 0, 5)).toBe(false);
    expect(epochs.needsValidation('t', 1, 5)).toBe(true);
  });

  it('leaves epochs unknown for a broker without Metadata v7, so fetches go unfenced as before KIP-320', async () => {
    const epochs = new LeaderEpochs();
    const broker = Object.assign(fakeBroker([]), { versions: { 3: { minVersion: 0, maxVersion: 6 } } });
    await epochs.refresh(broker, ['t']);
    expect([broker.sent.length, epochs.current('t', 0), epochs.stale]).toEqual([0, -1, false]);
  });
});
