import { encodeEvent, jsonCodec, type EventRecord } from '@tributary/core';
import { encodeRecordBatch, type RecordToEncode } from '@tributary/kafka';
import type { Figure } from './figures.js';
import { makeEvents } from './events.js';

const BATCH = 1000;

/** CPU nanoseconds (user + system) per record of `rounds` calls of `fn` on a batch, after as many to warm up. */
async function cpuNsPerRecord(rounds: number, fn: () => unknown): Promise<number> {
  for (let i = 0; i < rounds; i++) await fn();
  const before = process.cpuUsage();
  for (let i = 0; i < rounds; i++) await fn();
  const used = process.cpuUsage(before);
  return ((used.user + used.system) * 1000) / rounds / BATCH;
}

/**
 * What the envelope's headers cost a record, in bytes of the encoded batch and in the producer's CPU, measured
 * in process with no broker: 1000 JSON events of `size` bytes encoded as send() does (encodeEvent, then one
 * record batch), beside the same records with only the id and category headers (what other clients read) and
 * with none. CPU is counted, not wall time, so a loaded machine shifts it less.
 */
export async function envelopeHeaderCost(size: number, rounds = 200): Promise<Figure[]> {
  const events = makeEvents(BATCH, size);
  const records = events.map((e) => encodeEvent(e, jsonCodec, 'bench') as EventRecord);
  const idAndCategory: RecordToEncode[] = records.map((r) => ({ ...r, headers: { 'tributary-id': r.headers['tributary-id']!, 'tributary-category': r.headers['tributary-category']! } }));
  const bare: RecordToEncode[] = records.map((r) => ({ ...r, headers: {} }));
  const perRecord = async (rs: RecordToEncode[]) => ((await encodeRecordBatch(rs)).length - 61) / BATCH;
  const [full, idCategoryBytes, bareBytes] = [await perRecord(records), await perRecord(idAndCategory), await perRecord(bare)];
  const envelopeNs = await cpuNsPerRecord(rounds, () => events.map((e) => encodeEvent(e, jsonCodec, 'bench')));
  const payloadNs = await cpuNsPerRecord(rounds, () => events.map((e) => jsonCodec.encode(e.payload, { topic: 'bench', category: e.category })));
  const batchNs = await cpuNsPerRecord(rounds, () => encodeRecordBatch(records));
  const bareBatchNs = await cpuNsPerRecord(rounds, () => encodeRecordBatch(bare));
  const label = size < 1000 ? `${size} B` : `${size / 1024} KiB`;
  return [
    {
      suite: 'producer',
      name: `envelope header bytes per ${label} record`,
      value: full - bareBytes,
      unit: 'bytes',
      anchors: [],
      notes: `a record in the batch takes ${full.toFixed(1)} B with Tributary's headers (id, category, timestamp, codec), ${idCategoryBytes.toFixed(1)} B with the id and category only, ${bareBytes.toFixed(1)} B with none`,
    },
    {
      suite: 'producer',
      name: `envelope header CPU per ${label} record`,
      value: envelopeNs - payloadNs + (batchNs - bareBatchNs),
      unit: 'ns',
      anchors: [],
      notes: `CPU per record: encodeEvent ${envelopeNs.toFixed(0)} ns, of which the JSON payload ${payloadNs.toFixed(0)} ns; the record batch ${batchNs.toFixed(0)} ns with the headers, ${bareBatchNs.toFixed(0)} ns without`,
    },
  ];
}
