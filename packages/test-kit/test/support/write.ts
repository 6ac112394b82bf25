import { KafkaWriter, type KafkaClient, type KafkaWriterOptions } from '@tributary/kafka';

/** Write text values (each its own key) with acks=all; fails naming the first value Kafka did not take. */
export async function write(client: KafkaClient, topic: string, values: readonly string[], options: KafkaWriterOptions = {}): Promise<void> {
  await using writer = new KafkaWriter(client, options);
  await writer.connect();
  const timestamp = String(Date.now());
  const results = await writer.write(values.map((v) => ({ topic, record: { key: Buffer.from(v), value: Buffer.from(v), headers: {}, timestamp }, size: 2 * Buffer.byteLength(v) })));
  const failed = results.findIndex((r) => !r.ok);
  if (failed >= 0) throw new Error(`writing "${values[failed]}" to ${topic} failed: ${String((results[failed] as { error: unknown }).error)}`);
}
