import { describe, expect, it } from 'vitest';
import { ChainCommandMessage, commandEnvelope, commandEvent, followUpId } from '@tributary/commands';

describe('command envelopes', () => {
  it('carries type, body, id, correlation and causation ids as a Tributary event', () => {
    const root = commandEvent(new ChainCommandMessage('x'));
    expect(root.category).toBe('command.chain');
    expect(commandEnvelope(root)).toEqual({ id: root.id, type: 'chain', body: { message: 'x' }, correlationId: root.id, causationId: undefined });
    const child = commandEvent(new ChainCommandMessage('y'), { id: followUpId(root.id, 0), correlationId: root.id, causationId: root.id });
    expect(commandEnvelope(child)).toMatchObject({ correlationId: root.id, causationId: root.id, id: followUpId(root.id, 0) });
    expect(child.key).toBe(root.id);
  });

  it('derives follow-up ids: the same for the same cause and place, distinct otherwise, valid UUIDs', () => {
    const ids = new Set<string>();
    for (const parent of ['a', 'b', 'c']) for (let i = 0; i < 50; i++) {
      const id = followUpId(parent, i);
      expect(id).toBe(followUpId(parent, i));
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(150);
  });
});
