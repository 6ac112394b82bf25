// Bad command messages among good ones on a commands topic: a type no registry knows, an event without the
// { type, body } envelope, and a body the type's fromJSON refuses. Each ends in the dead-letter topic with its
// reason after its bounded retries, and every good command behind it runs exactly once; no partition stops.
//
// Already covered elsewhere, and not repeated here:
// - packages/commands/test/message/message-registry.test.ts: UnknownMessageTypeError names the type and the
//   registered ones, in memory;
// - packages/commands/test/processor/command-processor.kafka.test.ts: a command whose execute() fails is retried
//   then dead-lettered with its reason.
import { describe, expect, inject, it } from 'vitest';
import { Event } from '@tributary/core';
import { silentLogger } from '@tributary/kafka';
import { randomGroup } from '@tributary/test-kit';
import { DeadLetterHeaders } from '@tributary/consumer';
import { addBuiltinMessageTypes, CommandMessage, CommandProcessor, commandEvent, MessageRegistry, type CommandContext } from '@tributary/commands';
import { committedOffsets, deadLetters, eventInput, expectExactly, freshTopic, until, writeRaw, type RawInput } from './support/records.js';

const brokers = inject('kafkaBrokers');

/** Records the ids it ran, and refuses a body without a numeric `n`. */
class Tally extends CommandMessage {
  static readonly type = 'tally';
  static readonly ran: string[] = [];
  constructor(readonly n: number) {
    super(Tally.type);
  }
  execute(context: CommandContext): boolean {
    Tally.ran.push(context.id);
    return true;
  }
  toJSON(): unknown {
    return { n: this.n };
  }
  static fromJSON(body: unknown): Tally {
    const n = (body as { n?: unknown } | null)?.n;
    if (typeof n !== 'number') throw new TypeError(`a tally body needs a number n, got ${JSON.stringify(body)}`);
    return new Tally(n);
  }
}

/** A type the processor's registry does not know. */
class Unregistered extends CommandMessage {
  constructor() {
    super('refund');
  }
  execute(): boolean {
    return true;
  }
  toJSON(): unknown {
    return {};
  }
}

describe('bad command messages: each dead-lettered with its reason, every good one behind it run once', () => {
  it('dead-letters an unknown type, a missing envelope and a refused body, and runs every good command', async () => {
    const topic = await freshTopic(brokers, 'bad-commands', 2);
    const good: Event[] = [];
    const inputs: RawInput[] = [];
    const bad: Array<{ at: number; name: string; code: string; says: RegExp }> = [];
    const push = async (event: Event, partition: number) => inputs.push(await eventInput(event, topic, partition));
    for (let i = 0; i < 40; i++) {
      const e = commandEvent(new Tally(i));
      good.push(e);
      await push(e, i % 2);
      if (i % 10 !== 3) continue;
      const partition = Math.floor(i / 10) % 2;
      const kind = Math.floor(i / 10) % 3;
      bad.push({ at: inputs.length, ...[
        // The dead letter keeps the code of a Tributary error the handler threw, else HANDLER_FAILED.
        { name: 'unknown type', code: 'INVALID_ARGUMENT', says: /refund/ },
        { name: 'no envelope', code: 'DECODE_FAILED', says: /no \{ type, body \} payload/ },
        { name: 'refused body', code: 'HANDLER_FAILED', says: /needs a number n/ },
      ][kind]! });
      await push([
        commandEvent(new Unregistered()),
        Event.create({ category: 'command.tally', payload: { body: { n: 1 } } }),
        Event.create({ category: 'command.tally', type: 'tally', payload: { type: 'tally', body: { n: 'one' } } }),
      ][kind]!, partition);
    }
    const offsets = await writeRaw(brokers, topic, inputs);

    const registry = addBuiltinMessageTypes(new MessageRegistry({ logger: silentLogger }));
    registry.addMessageType(Tally);
    Tally.ran.length = 0;
    const groupId = randomGroup();
    const processor = new CommandProcessor({ connection: { brokers, logger: silentLogger }, groupId, topic, registry, logger: silentLogger, dedupe: 'memory', retry: { attempts: 2, initialDelayMs: 5, maxDelayMs: 10 } });
    await processor.start();
    try {
      // Committed to the end: every command settled, run or dead-lettered.
      const ends = [0, 1].map((p) => BigInt(inputs.filter((r) => r.partition === p).length));
      await until('every partition committed to its end', async () => {
        const committed = await committedOffsets(brokers, groupId, topic);
        return [0, 1].every((p) => committed.get(p) === ends[p]);
      }, 60_000);
    } finally {
      await processor.stop();
    }
    expectExactly(Tally.ran, good.map((e) => e.id));
    expect(processor.counters.executed).toBe(good.length);
    const letters = await deadLetters(brokers, topic);
    const got = bad.map((b) => {
      const letter = letters.get(`${inputs[b.at]!.partition}@${offsets[b.at]}`);
      const message = letter?.headers[DeadLetterHeaders.errorMessage]?.toString() ?? '(no dead letter)';
      return { name: b.name, code: letter?.headers[DeadLetterHeaders.errorCode]?.toString(), attempts: letter?.headers[DeadLetterHeaders.attempts]?.toString(), says: b.says.test(message) || message };
    });
    // Retried, as any failure of a handler, then dead-lettered with the attempts made.
    expect(got).toEqual(bad.map((b) => ({ name: b.name, code: b.code, attempts: '2', says: true })));
    expect(letters.size).toBe(bad.length);
  });
});
