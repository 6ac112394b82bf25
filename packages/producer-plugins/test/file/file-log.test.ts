import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, EventHeaders, type EventRecord } from '@tributary/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLog } from '../../src/file/file-log.js';
import { partitionForKey } from '@tributary/kafka';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-file-log-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function record(key: string, value: string): EventRecord {
  return { key: Buffer.from(key), value: Buffer.from(value), headers: { [EventHeaders.id]: Buffer.from(value) }, timestamp: '1' };
}

async function values(log: FileLog, topic: string, partition = 0, from = 0n): Promise<string[]> {
  const out: string[] = [];
  for await (const stored of log.read(topic, partition, from)) out.push(stored.record.value.toString());
  return out;
}

describe('FileLog', () => {
  it('appends at consecutive offsets per partition, keys partitioned as Kafka, and reads them back', async () => {
    const log = new FileLog(dir);
    await log.createTopic('orders', { partitions: 3 });
    const records = Array.from({ length: 60 }, (_, i) => record(`k${i % 7}`, `v${i}`));
    const offsets = [...(await log.append('orders', records.slice(0, 25))), ...(await log.append('orders', records.slice(25)))];
    offsets.forEach((o, i) => expect(o.partition).toBe(partitionForKey(`k${i % 7}`, 3)));
    const all = await log.readAll('orders');
    expect(all.length).toBe(60);
    for (let p = 0; p < 3; p++) {
      const inPartition = all.filter((s) => s.offset.partition === p);
      expect(inPartition.map((s) => s.offset.offset)).toEqual(inPartition.map((_, i) => BigInt(i)));
      expect(await log.highWatermark('orders', p)).toBe(BigInt(inPartition.length));
    }
    expect(all.map((s) => s.record)).toEqual(expect.arrayContaining(records));
    await log.close();
  });

  it('reads from an offset', async () => {
    const log = new FileLog(dir);
    await log.createTopic('t');
    await log.append('t', ['a', 'b', 'c', 'd'].map((v) => record('k', v)));
    expect(await values(log, 't', 0, 2n)).toEqual(['c', 'd']);
    await log.close();
  });

  it('continues the numbering after a restart', async () => {
    const first = new FileLog(dir);
    await first.createTopic('t');
    await first.append('t', [record('k', 'a'), record('k', 'b')]);
    await first.close();
    const second = new FileLog(dir);
    const [offset] = await second.append('t', [record('k', 'c')]);
    expect(offset!.toString()).toBe('t:0@2');
    expect(await values(second, 't')).toEqual(['a', 'b', 'c']);
    await second.close();
  });

  it('truncates a line torn by a crash, and readers never return it', async () => {
    const first = new FileLog(dir);
    await first.createTopic('t');
    await first.append('t', [record('k', 'a'), record('k', 'b')]);
    await first.close();
    const file = join(dir, 't', '0.jsonl');
    const intact = (await stat(file)).size;
    await appendFile(file, '{"offset":"2","timestamp":"1","ke');
    expect(await values(new FileLog(dir), 't')).toEqual(['a', 'b']);
    const second = new FileLog(dir);
    const [offset] = await second.append('t', [record('k', 'c')]);
    await second.close();
    expect(offset!.offset).toBe(2n);
    const text = await readFile(file, 'utf8');
    expect(text.split('\n').filter(Boolean).map((l) => JSON.parse(l).value)).toEqual(['a', 'b', 'c']);
    expect((await stat(file)).size).toBeGreaterThan(intact);
  });

  it('refuses to append after a corrupt complete last line instead of dropping it', async () => {
    const first = new FileLog(dir);
    await first.createTopic('t');
    await first.append('t', [record('k', 'a')]);
    await first.close();
    await appendFile(join(dir, 't', '0.jsonl'), 'garbage\n');
    await expect(new FileLog(dir).append('t', [record('k', 'b')])).rejects.toMatchObject({ outcomes: [{ status: 'unknown' }] });
    const reader = new FileLog(dir);
    await expect(values(reader, 't')).rejects.toMatchObject({ code: ErrorCodes.DECODE_FAILED });
  });

  it('keeps the partition count of a topic and refuses another', async () => {
    const log = new FileLog(dir);
    await log.createTopic('t', { partitions: 2 });
    await new FileLog(dir).createTopic('t', { partitions: 2 });
    await expect(new FileLog(dir).createTopic('t', { partitions: 3 })).rejects.toThrow(/has 2 partitions, not 3/);
    expect(await new FileLog(dir).topics()).toEqual(['t']);
    expect(await new FileLog(dir).partitionCount('t')).toBe(2);
  });

  it('refuses to append to an unknown topic', async () => {
    await expect(new FileLog(dir).append('nope', [record('k', 'a')])).rejects.toThrow(/Unknown topic "nope"/);
  });

  it('fails with DECODE_FAILED on a malformed topic.json', async () => {
    const log = new FileLog(dir);
    await log.createTopic('t');
    await writeFile(join(dir, 't', 'topic.json'), 'nope');
    await expect(new FileLog(dir).partitionCount('t')).rejects.toMatchObject({ code: ErrorCodes.DECODE_FAILED });
  });
});
