import { describe, expect, it } from 'vitest';
import { silentLogger } from '@tributary/kafka';
import { CommandSender } from '../../src/sending/command-sender.js';

describe('CommandSender options', () => {
  const connection = { brokers: ['127.0.0.1:1'], logger: silentLogger };

  it('refuses a batch size below 1 at construction, which would never move through the messages', () => {
    for (const batchSize of [0, -5, 1.5]) {
      expect(() => new CommandSender({ connection, topic: 'commands', batchSize })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', context: expect.objectContaining({ option: 'batchSize', value: batchSize }) }));
    }
    expect(() => new CommandSender({ connection, topic: 'commands', batchSize: 0 })).toThrow('CommandSender option batchSize must be an integer >= 1, got 0');
  });

  it('refuses a topic that is not a topic name, naming it', () => {
    expect(() => new CommandSender({ connection, topic: 'has space' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', context: expect.objectContaining({ option: 'topic' }) }));
    expect(() => new CommandSender({ connection, topic: '' })).toThrow(/option topic/);
  });

  it('names a connection option that is wrong by its path', () => {
    expect(() => new CommandSender({ connection: { brokers: [] }, topic: 'commands' })).toThrow(expect.objectContaining({ context: expect.objectContaining({ option: 'connection.brokers' }) }));
  });
});
