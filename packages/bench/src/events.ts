import { AvroCodec, Event, InMemorySchemaRegistry, type AvroSchema } from '@tributary/core';

/** A typical business event: ids, an amount, a currency, a quantity, a time, and a free-text note. */
const avroSchema = {
  type: 'record',
  name: 'OrderPlaced',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'customerId', type: 'long' },
    { name: 'amount', type: 'double' },
    { name: 'currency', type: { type: 'enum', name: 'Currency', symbols: ['EUR', 'USD', 'GBP'] } },
    { name: 'quantity', type: 'int' },
    { name: 'placedAt', type: 'long' },
    { name: 'note', type: 'string' },
  ],
} as const;

/** Events whose JSON payload is about `size` bytes (the note pads it), keys spread over 64 values. */
export function makeEvents(count: number, size: number, from = 0): Event[] {
  const base = { orderId: 'ord-0000000000', customerId: 1234567, amount: 1234.56, currency: 'EUR', quantity: 3, placedAt: 1700000000000, note: '' };
  const note = 'n'.repeat(Math.max(0, size - JSON.stringify(base).length));
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return Event.create({ category: 'bench.event', key: `key-${i % 64}`, payload: { ...base, orderId: `ord-${String(i).padStart(10, '0')}`, customerId: 1_000_000 + i, note } });
  });
}

/**
 * An Avro codec for the benchmark event on an in-process registry, keyed by category: `bench.event`, or
 * `<prefix>0` to `<prefix>N-1` when given.
 */
export function avroCodec(prefix?: string, categories = 1): AvroCodec {
  const names = prefix === undefined ? ['bench.event'] : Array.from({ length: categories }, (_, i) => `${prefix}${i}`);
  const schemas = Object.fromEntries(names.map((n) => [n, avroSchema as unknown as AvroSchema]));
  return new AvroCodec({ registry: new InMemorySchemaRegistry(), schemas, subjectStrategy: 'category' });
}

