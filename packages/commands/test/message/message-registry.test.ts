import { describe, expect, it } from 'vitest';
import { addBuiltinMessageTypes, ChainCommandMessage, CommandMessage, EchoCommandMessage, FailCommandMessage, MessageRegistry, UnknownMessageTypeError } from '@tributary/commands';

class Note extends CommandMessage {
  static readonly type = 'note';
  constructor(readonly text: string) {
    super(Note.type);
  }
  execute(): boolean {
    return true;
  }
  toJSON(): unknown {
    return { text: this.text };
  }
  static fromJSON(body: unknown): Note {
    return new Note((body as { text: string }).text);
  }
}

describe('the message registry', () => {
  it('registers, finds and lists types; an unknown type names it and the known ones', () => {
    const registry = addBuiltinMessageTypes(new MessageRegistry());
    registry.addMessageType(Note);
    expect(registry.getMessageTypes()).toEqual(['chain', 'echo', 'fail', 'note']);
    expect(registry.getMessageType('note')).toBe(Note);
    const error = (() => {
      try {
        registry.getMessageType('nope');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UnknownMessageTypeError);
    expect((error as Error).message).toBe('Unknown command message type "nope"; registered types: chain, echo, fail, note');
  });

  it('warns and replaces when a type is registered twice', () => {
    const warnings: string[] = [];
    const registry = new MessageRegistry({ logger: { debug() {}, info() {}, warn: (_o, m) => void warnings.push(m), error() {} } });
    class Other extends Note {
      static override fromJSON(): Note {
        return new Other('other');
      }
    }
    registry.addMessageType(Note);
    registry.addMessageType(Other);
    expect(warnings).toHaveLength(1);
    expect(registry.getMessageType('note')).toBe(Other);
  });

  it('rebuilds every built-in from its body, and refuses classes without a type or fromJSON', () => {
    const registry = addBuiltinMessageTypes(new MessageRegistry());
    for (const m of [new EchoCommandMessage({ hello: 'world' }), new ChainCommandMessage('x'), new FailCommandMessage()]) {
      expect(registry.fromJSON(m.type, JSON.parse(JSON.stringify(m.toJSON())))).toEqual(m);
    }
    expect(() => registry.addMessageType({ type: 'bad type', fromJSON: () => new Note('') } as never)).toThrow(/static type/);
    expect(() => registry.addMessageType({ type: 'ok' } as never)).toThrow(/fromJSON/);
  });

  it('runs the built-ins as the seed says: echo succeeds, chain adds one echo follow-up, fail fails', async () => {
    const context = { id: 'i', correlationId: 'c', causationId: undefined, attempt: 1, signal: new AbortController().signal, logger: { debug() {}, info() {}, warn() {}, error() {} } };
    expect(await new EchoCommandMessage('hi').execute(context)).toBe(true);
    const chain = new ChainCommandMessage('hi');
    expect(await chain.execute()).toBe(true);
    expect(chain.newMessages).toEqual([new EchoCommandMessage('hi')]);
    expect(await new FailCommandMessage().execute()).toBe(false);
  });
});
