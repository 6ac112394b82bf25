import { describe, expect, it } from 'vitest';
import { SessionFilterSyntaxError } from '../../src/errors.js';
import { describeFound, positionAt, syntaxErrorAt } from '../../src/filter/syntax-error.js';

describe('positionAt', () => {
  it.each([
    ['abc', 0, 1, 1],
    ['abc', 2, 1, 3],
    ['abc', 3, 1, 4],
    ['a\nb', 2, 2, 1],
    ['a\r\nb', 3, 2, 1],
    ['a\rb', 2, 2, 1],
    ['a\n\n\nb', 4, 4, 1],
    ['😀x', 2, 1, 2],
    ['é😀 x', 4, 1, 4],
  ])('places offset %2$i of %1$j at line %3$i, column %4$i', (text, offset, line, column) => {
    expect(positionAt(text, offset)).toEqual({ line, column });
  });

  it('counts one line per break and restarts the column after each, in every line-break style', () => {
    const lines = ['first', 'second line', '', 'fourth'];
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = lines.join(eol);
      let offset = 0;
      lines.forEach((line, i) => {
        expect(positionAt(text, offset)).toEqual({ line: i + 1, column: 1 });
        expect(positionAt(text, offset + line.length)).toEqual({ line: i + 1, column: line.length + 1 });
        offset += line.length + eol.length;
      });
    }
  });
});

describe('syntaxErrorAt', () => {
  it('builds the messaging error with the position, what was expected and what was found', () => {
    const error = syntaxErrorAt('a is\n  = b', 7, "a string in quotes", describeFound('='));
    expect(error).toBeInstanceOf(SessionFilterSyntaxError);
    expect(error).toMatchObject({ line: 2, column: 3, context: { filter: 'a is\n  = b', expected: 'a string in quotes', found: '"="' } });
  });

  it('says end of filter when nothing was found', () => {
    expect(describeFound(undefined)).toBe('end of filter');
  });
});
