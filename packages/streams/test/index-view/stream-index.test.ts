import { describe, expect, it } from 'vitest';
import { MemoryLogTransport, silentLogger, type LogConnection } from '@tributary/kafka';
import { encodeIndexEntry, type IndexEntry } from '../../src/index-view/index-entry.js';
import { StreamIndex } from '../../src/index-view/stream-index.js';

const TOPIC = 'idx';
const entry = (epoch: string, start: bigint): IndexEntry => ({ partition: 0, epoch, start });
const put = async (connection: LogConnection, stream: string, value: IndexEntry | undefined) =>
  (await connection.write([{ topic: TOPIC, partition: 0, record: { key: Buffer.from(stream), value: value ? encodeIndexEntry(value) : null, headers: {} } }]))[0]!.offset;

async function setUp() {
  const connection = await new MemoryLogTransport({ partitions: 1 }).connect();
  const index = new StreamIndex(connection.openReader(), TOPIC, silentLogger);
  const seen: Array<string | undefined> = [];
  index.onChange((stream, e) => stream === 'd' && seen.push(e?.epoch));
  return { connection, index, seen };
}

describe('StreamIndex', () => {
  it('keeps what this process wrote last when the topic brings older entries of the stream after it', async () => {
    const { connection, index, seen } = await setUp();
    // Written before (an earlier epoch, then its delete), read back only after the new epoch is remembered.
    await put(connection, 'd', entry('e1', 0n));
    await put(connection, 'd', undefined);
    const write = index.remember('d', entry('e2', 5n));
    index.written('d', write, await put(connection, 'd', entry('e2', 5n)));
    await index.start();
    try {
      expect(index.get('d')?.epoch).toBe('e2');
      // Never back to the old epoch or to no stream at all on the way.
      expect(seen.every((epoch) => epoch === 'e2')).toBe(true);
    } finally {
      await index.close();
    }
  });

  it('passes over what the topic brings while its own write is unacknowledged, and applies later writes of others', async () => {
    const { connection, index, seen } = await setUp();
    await put(connection, 'd', entry('e1', 0n));
    const write = index.remember('d', entry('e2', 5n));
    await index.start();
    try {
      expect(index.get('d')?.epoch).toBe('e2');
      index.written('d', write, await put(connection, 'd', entry('e2', 5n)));
      // Another process's later entry: applied once read.
      await put(connection, 'd', entry('e3', 9n));
      await waitFor(() => index.get('d')?.epoch === 'e3');
      expect(seen).not.toContain('e1');
      expect(seen.at(-1)).toBe('e3');
    } finally {
      await index.close();
    }
  });

  it('applies a later write of another process read before its own write was acknowledged', async () => {
    const { connection, index } = await setUp();
    await put(connection, 'd', entry('e1', 0n));
    const write = index.remember('d', entry('e2', 5n));
    const mine = await put(connection, 'd', entry('e2', 5n));
    await put(connection, 'd', entry('e3', 9n));
    await index.start();
    try {
      expect(index.get('d')?.epoch).toBe('e2');
      index.written('d', write, mine);
      expect(index.get('d')?.epoch).toBe('e3');
    } finally {
      await index.close();
    }
  });

  it('follows the topic again when its own write failed', async () => {
    const { connection, index } = await setUp();
    await put(connection, 'd', entry('e1', 0n));
    const write = index.remember('d', entry('e2', 5n));
    index.written('d', write, undefined);
    await index.start();
    try {
      expect(index.get('d')?.epoch).toBe('e1');
    } finally {
      await index.close();
    }
  });
});

async function waitFor(probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
