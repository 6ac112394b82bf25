import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { readToEnd } from '@tributary/kafka';
import { jsonLines, runCli } from './run-cli.js';

const brokers = inject('kafkaBrokers');
const env = { KAFKA_BROKERS: brokers.join(',') };

async function newTopic(): Promise<string> {
  const topic = `cli-codec-${randomBytes(4).toString('hex')}`;
  expect((await runCli(['topics', 'create', topic, '-p', '1'], { env })).status).toBe(0);
  return topic;
}

const orderSchema = { type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }, { name: 'total', type: 'double' }] };

describe('tributary produce --codec', () => {
  it('writes text as its bytes with --codec string, and consume reads it back as text', async () => {
    const topic = await newTopic();
    const sent = await runCli(['produce', topic, '-c', 'log.line', '--codec', 'string', 'disk {almost} full'], { env });
    expect(sent).toMatchObject({ status: 0, stderr: '' });
    const lines = ['{"category":"log.line","payload":"second"}', '{"category":"log.line","payload":{"not":"text"}}'].join('\n');
    const refused = await runCli(['produce', topic, '--codec', 'string'], { env, input: lines });
    expect(refused).toMatchObject({ status: 2, stdout: '' });
    expect(refused.stderr).toMatch(/^tributary: INVALID_ARGUMENT: event 2 of the input does not fit the string codec: .*; nothing was sent\n$/);

    // Another reader sees plain text, not a JSON string; the record names its codec.
    const records = await readToEnd({ brokers }, topic);
    expect(records.map((r) => r.value?.toString('utf8'))).toEqual(['disk {almost} full']);
    expect(records[0]!.headers['tributary-codec']?.toString()).toBe('string');
    const consumed = jsonLines((await runCli(['consume', topic], { env })).stdout);
    expect(consumed.map((e) => e.payload)).toEqual(['disk {almost} full']);
  }, 180_000);

  it('writes Avro with a schema file, then with the schema the registry holds; consume and replay decode it', async () => {
    const topic = await newTopic();
    const schemaTopic = `cli-schemas-${randomBytes(4).toString('hex')}`;
    const dir = mkdtempSync(join(tmpdir(), 'tributary-cli-avro-'));
    const schemaFile = join(dir, 'order.avsc');
    writeFileSync(schemaFile, JSON.stringify(orderSchema));

    const noSchema = await runCli(['produce', topic, '-c', 'order.placed', '--codec', 'avro', '--schema-topic', schemaTopic, '{"id":"o-0","total":1}'], { env });
    expect(noSchema).toMatchObject({ status: 2, stdout: '' });
    expect(noSchema.stderr).toBe(`tributary: INVALID_ARGUMENT: No Avro schema is registered for subject "${topic}-value": give one with --schema <file.avsc>; nothing was sent\n`);

    const lines = [1, 2, 3].map((i) => JSON.stringify({ category: 'order.placed', key: `o-${i}`, payload: { id: `o-${i}`, total: i * 10.5 } })).join('\n');
    const sent = await runCli(['produce', topic, '--codec', 'avro', '--schema', schemaFile, '--schema-topic', schemaTopic], { env, input: lines });
    expect(sent).toMatchObject({ status: 0, stderr: '' });
    expect(jsonLines(sent.stdout)).toHaveLength(3);

    // The schema is now registered under <topic>-value: no file needed.
    const again = await runCli(['produce', topic, '-c', 'order.placed', '--codec', 'avro', '--schema-topic', schemaTopic, '{"id":"o-4","total":42}'], { env });
    expect(again).toMatchObject({ status: 0, stderr: '' });

    // A payload that does not fit the schema sends nothing, even after lines that do.
    const misfit = [JSON.stringify({ category: 'order.placed', payload: { id: 'o-5', total: 5 } }), JSON.stringify({ category: 'order.placed', payload: { id: 'o-6', total: 'six' } })].join('\n');
    const refused = await runCli(['produce', topic, '--codec', 'avro', '--schema-topic', schemaTopic], { env, input: misfit });
    expect(refused).toMatchObject({ status: 2, stdout: '' });
    expect(refused.stderr).toMatch(/^tributary: INVALID_ARGUMENT: event 2 of the input does not fit the avro codec: .*total.*; nothing was sent\n$/);

    // The Confluent frame: magic byte 0, then the schema id; four records, none from the refused input.
    const records = await readToEnd({ brokers }, topic);
    expect(records).toHaveLength(4);
    for (const r of records) {
      expect(r.value![0]).toBe(0);
      expect(r.headers['tributary-codec']?.toString()).toBe('avro');
    }
    const expected = [
      { id: 'o-1', total: 10.5 },
      { id: 'o-2', total: 21 },
      { id: 'o-3', total: 31.5 },
      { id: 'o-4', total: 42 },
    ];
    const consumed = await runCli(['consume', topic, '--schema-topic', schemaTopic], { env });
    expect(consumed).toMatchObject({ status: 0, stderr: '' });
    expect(jsonLines(consumed.stdout).map((e) => e.payload)).toEqual(expected);
    const replayed = await runCli(['replay', topic, '--schema-topic', schemaTopic], { env });
    expect(jsonLines(replayed.stdout).map((e) => e.payload)).toEqual(expected);
  }, 240_000);

  it('refuses a schema file that is not a schema, and --schema without avro, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-cli-avro-'));
    const notJson = join(dir, 'broken.avsc');
    writeFileSync(notJson, '{"type": "record",');
    const notAvro = join(dir, 'wrong.avsc');
    writeFileSync(notAvro, JSON.stringify({ type: 'record', name: 'X', fields: [{ name: 'a', type: 'nosuchtype' }] }));
    const args = (schema: string) => ['produce', 'cli-codec-none', '-c', 'a.b', '--codec', 'avro', '--schema', schema, '{}'];

    const broken = await runCli(args(notJson), { env });
    expect(broken).toMatchObject({ status: 2, stdout: '' });
    expect(broken.stderr).toMatch(/^tributary: INVALID_ARGUMENT: The Avro schema file ".*broken\.avsc" is not JSON \(an \.avsc schema\): .*; nothing was sent\n$/);
    const wrong = await runCli(args(notAvro), { env });
    expect(wrong).toMatchObject({ status: 2, stdout: '' });
    expect(wrong.stderr).toMatch(/^tributary: INVALID_ARGUMENT: --schema .*wrong\.avsc: .*not a valid Avro schema.*nosuchtype/);
    const json = await runCli(['produce', 'cli-codec-none', '-c', 'a.b', '--schema', notAvro, '{}'], { env });
    expect(json).toMatchObject({ status: 2, stdout: '', stderr: 'tributary: INVALID_ARGUMENT: --schema is the Avro schema of --codec avro, but the codec is json\n' });
    const unknown = await runCli(['produce', 'cli-codec-none', '--codec', 'protobuf', '{}'], { env });
    expect(unknown).toMatchObject({ status: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^tributary: error: option '--codec <codec>' argument 'protobuf' is invalid\. Allowed choices are json, string, avro\.\n$/);
  }, 120_000);
});
