import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, TributaryError } from '@tributary/core';
import { complete, exception, parseSignallingMessage } from '../../src/signalling/signalling-message.js';

describe('signalling messages', () => {
  it('checks what comes from the other side', () => {
    expect(parseSignallingMessage({ id: 'a', command: 'FLUSH' }, ['FLUSH'])).toEqual({ id: 'a', command: 'FLUSH', properties: {} });
    expect(() => parseSignallingMessage({ id: 'a', command: 'FLUSH' }, ['PRINT'])).toThrow(InvalidArgumentError);
    expect(() => parseSignallingMessage({ id: 'a', command: 'NOPE' }, ['PRINT'])).toThrow(InvalidArgumentError);
    expect(() => parseSignallingMessage({ command: 'PRINT' }, ['PRINT'])).toThrow(InvalidArgumentError);
    expect(() => parseSignallingMessage({ id: 'a', command: 'PRINT', properties: [] }, ['PRINT'])).toThrow(InvalidArgumentError);
    expect(complete('a', { x: 1 })).toEqual({ id: 'a', command: 'COMPLETE', properties: { x: 1 } });
    expect(exception('a', new TributaryError('TIMEOUT', 'slow'))).toEqual({ id: 'a', command: 'EXCEPTION', properties: { code: 'TIMEOUT', message: 'slow' } });
  });
});
