import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { EventOffset } from '../../src/offset/event-offset.js';
import { Position } from '../../src/offset/position.js';

describe('Position text form', () => {
  it('sorts entries canonically (topic, then partition as a number) and round-trips', () => {
    const position = Position.parse(' orders:10@7 , audit:0@1,orders:2@42,orders:0@9223372036854775807');
    expect(position.toString()).toBe('audit:0@1,orders:0@9223372036854775807,orders:2@42,orders:10@7');
    expect(Position.parse(position.toString()).equals(position)).toBe(true);
    expect(position.get('orders', 0)).toBe(2n ** 63n - 1n);
    expect(position.get('orders', 1)).toBeUndefined();
    expect(position.entries().map((e) => `${e.topic}/${e.partition}`)).toEqual(['audit/0', 'orders/0', 'orders/2', 'orders/10']);
    expect(JSON.stringify({ position })).toBe(JSON.stringify({ position: position.toString() }));
  });

  it('reads an empty or blank text as the empty position', () => {
    expect(Position.parse('').size).toBe(0);
    expect(Position.parse('  ')).toBe(Position.empty);
    expect(Position.empty.toString()).toBe('');
  });

  it.each(['orders:0@1,', 'orders:0@1,orders:0@2', 'orders:0', 'orders:0@x', ',', 'orders:0@1;orders:1@2'])('rejects %j, quoting it', (text) => {
    expect(() => Position.parse(text)).toThrow(InvalidArgumentError);
    expect(() => Position.parse(text)).toThrow(JSON.stringify(text));
  });

  it('rejects a partition listed twice in Position.of', () => {
    expect(() =>
      Position.of([
        { topic: 't', partition: 0, next: 1n },
        { topic: 't', partition: 0, next: 2n },
      ]),
    ).toThrow(/twice/);
  });
});

describe('Position.advancedPast', () => {
  it('sets the next offset to offset + 1 and leaves the original unchanged', () => {
    const start = Position.parse('t:0@5');
    const moved = start.advancedPast(EventOffset.of('t', 0, 9));
    expect(moved.get('t', 0)).toBe(10n);
    expect(start.get('t', 0)).toBe(5n);
    expect(moved.advancedPast(EventOffset.of('t', 1, 0)).toString()).toBe('t:0@10,t:1@1');
  });

  it('never moves backwards', () => {
    const position = Position.parse('t:0@10');
    expect(position.advancedPast(EventOffset.of('t', 0, 3))).toBe(position);
    expect(position.advancedPast(EventOffset.of('t', 0, 9))).toBe(position);
    expect(position.advancedPast(EventOffset.of('t', 0, 10)).get('t', 0)).toBe(11n);
  });

  it('matches a model (max offset + 1 per partition) over a random sequence', () => {
    let seed = 7;
    const random = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const model = new Map<string, bigint>();
    let position = Position.empty;
    for (let i = 0; i < 2000; i++) {
      const topic = ['a', 'b.c', 'd_e'][random(3)]!;
      const partition = random(4);
      const offset = 2n ** 60n + BigInt(random(500));
      position = position.advancedPast(EventOffset.of(topic, partition, offset));
      const key = `${topic}:${partition}`;
      if ((model.get(key) ?? -1n) < offset + 1n) model.set(key, offset + 1n);
    }
    for (const [key, next] of model) {
      const [topic, partition] = key.split(':');
      expect(position.get(topic!, Number(partition))).toBe(next);
    }
    expect(position.size).toBe(model.size);
    expect(Position.parse(position.toString()).equals(position)).toBe(true);
  });
});
