import { describe, expect, it } from 'vitest';
import type { SessionFilterSyntaxError } from '../../src/errors.js';
import { Lexer, type Token } from '../../src/filter/lexer.js';
import { errorFacts, syntaxErrorFrom } from './fixtures.js';

function tokens(text: string): Token[] {
  const lexer = new Lexer(text);
  const all: Token[] = [];
  for (;;) {
    const token = lexer.take();
    all.push(token);
    if (token.kind === 'end') return all;
  }
}

const errorOf = (text: string): SessionFilterSyntaxError => syntaxErrorFrom(() => tokens(text));

const ESCAPE = "an escape: \\', \\\", \\\\, \\n, \\t, \\r, \\b, \\f or \\u followed by four hex digits";

describe('Lexer', () => {
  it('splits words, strings, numbers and symbols, and knows where each starts', () => {
    const text = "$Roles has 'a' and\n(n>=-1.5e3,[x<2])";
    const found = tokens(text).map(({ kind, text: raw, offset }) => [kind, raw, offset]);
    expect(found).toEqual([
      ['word', '$Roles', 0],
      ['word', 'has', 7],
      ['string', "'a'", 11],
      ['word', 'and', 15],
      ['symbol', '(', 19],
      ['word', 'n', 20],
      ['symbol', '>=', 21],
      ['number', '-1.5e3', 23],
      ['symbol', ',', 29],
      ['symbol', '[', 30],
      ['word', 'x', 31],
      ['symbol', '<', 32],
      ['number', '2', 33],
      ['symbol', ']', 34],
      ['symbol', ')', 35],
      ['end', '', 36],
    ]);
    for (const token of tokens(text)) expect(text.slice(token.offset, token.offset + token.text.length)).toBe(token.text);
  });

  it('reads property names with dots, dashes, digits and letters beyond ASCII', () => {
    expect(tokens('user.name-2 $Client_Type Straße').map((t) => t.text)).toEqual(['user.name-2', '$Client_Type', 'Straße', '']);
  });

  it('peeks without consuming', () => {
    const lexer = new Lexer('a b');
    expect(lexer.peek()).toBe(lexer.peek());
    expect(lexer.take().text).toBe('a');
    expect(lexer.take().text).toBe('b');
    expect(lexer.take().kind).toBe('end');
    expect(lexer.take().kind).toBe('end');
  });

  it('leaves characters no token starts with to the parser, as whole runs', () => {
    expect(tokens("a != 'x' && $ @ -").map((t) => [t.kind, t.text])).toEqual([
      ['word', 'a'],
      ['invalid', '!='],
      ['string', "'x'"],
      ['invalid', '&&'],
      ['invalid', '$'],
      ['invalid', '@'],
      ['invalid', '-'],
      ['end', ''],
    ]);
  });

  it.each([
    ["'plain'", 'plain'],
    ['"double"', 'double'],
    ["''", ''],
    [`"it's"`, "it's"],
    [`'say "hi"'`, 'say "hi"'],
    ["'it\\'s'", "it's"],
    ['"say \\"hi\\""', 'say "hi"'],
    ["'back\\\\slash'", 'back\\slash'],
    ["'\\n\\t\\r\\b\\f'", '\n\t\r\b\f'],
    ["'caf\\u00e9 \\u00E9'", 'café é'],
    ["'\\uD83D\\uDE00'", '😀'],
    ["'two\nlines'", 'two\nlines'],
  ])('reads the string %s as %j', (source, value) => {
    const [token] = tokens(source);
    expect(token).toMatchObject({ kind: 'string', text: source, value });
  });

  it.each([
    ["a is 'x\\q'", 1, 8, ESCAPE, '"\\\\q"'],
    ["a is 'x\\u12'", 1, 8, ESCAPE, '"\\\\u12\'"'],
    ["a is 'x\\uzzzz'", 1, 8, ESCAPE, '"\\\\uzzzz"'],
    ["a is 'x\\", 1, 9, ESCAPE, 'end of filter'],
    ["a is 'x", 1, 8, "' to close the string that starts at line 1, column 6", 'end of filter'],
    ['a is\n  "x\ny', 3, 2, '" to close the string that starts at line 2, column 3', 'end of filter'],
    ["a is 'x\\'", 1, 10, "' to close the string that starts at line 1, column 6", 'end of filter'],
  ])('refuses %j at line %i, column %i', (text, line, column, expected, found) => {
    const error = errorOf(text);
    expect(errorFacts(error)).toEqual({ line, column, expected, found });
  });
});
