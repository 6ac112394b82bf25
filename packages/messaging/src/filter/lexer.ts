/**
 * The session filter lexer: words (property names and keywords alike), quoted strings, numbers and symbols.
 *
 * It scans lazily, one token ahead of the parser, so that the first error reported is where parsing stopped: a bad
 * escape late in the text does not hide a missing operator early in it. A character no token can start with
 * becomes an `invalid` token rather than an error, because only the parser knows what would have been valid there
 * (`Country = 'UK'` should say an operator was expected, not merely that `=` is not a token).
 */
import { describeFound, END_OF_FILTER, positionAt, syntaxErrorAt } from './syntax-error.js';

/** What a token is. `end` is the one token past the last character. */
export type TokenKind = 'word' | 'string' | 'number' | 'symbol' | 'invalid' | 'end';

/** One token of a filter's text. */
export interface Token {
  readonly kind: TokenKind;
  /** The token exactly as written (quotes and escapes included); empty for `end`. */
  readonly text: string;
  /** For a string, its value with quotes removed and escapes resolved; otherwise the same as `text`. */
  readonly value: string;
  /** Where the token starts: a UTF-16 offset into the filter text. */
  readonly offset: number;
}

// Whitespace includes line breaks, so a filter may span lines.
const WHITESPACE = /\s+/uy;
// A property name: `$` marks Diffusion's fixed properties (`$Roles`); user properties are plain names.
const WORD = /\$?[\p{L}_][\p{L}\p{N}_.-]*/uy;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const SYMBOL = /<=|>=|[()[\],<>]/y;
// A run of characters that start no token, so `!=` or `&&` is reported whole.
const INVALID = /[^\s()[\],'"\p{L}\p{N}_$<>]+/uy;
const PATTERNS: ReadonlyArray<readonly [TokenKind, RegExp]> = [
  ['word', WORD],
  ['number', NUMBER],
  ['symbol', SYMBOL],
  ['invalid', INVALID],
];

/** Java's escapes, as Diffusion's manual asks for ("any special characters must be escaped with Java escaping"). */
const ESCAPES: Readonly<Record<string, string>> = { "'": "'", '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
const EXPECTED_ESCAPE = "an escape: \\', \\\", \\\\, \\n, \\t, \\r, \\b, \\f or \\u followed by four hex digits";
const HEX4 = /^[0-9a-fA-F]{4}$/;

/** Tokens of one filter text, read on demand. */
export class Lexer {
  readonly #text: string;
  #offset = 0;
  #peeked: Token | undefined;

  constructor(text: string) {
    this.#text = text;
  }

  /** The next token, without consuming it. */
  peek(): Token {
    this.#peeked ??= this.#scan();
    return this.#peeked;
  }

  /** The next token, consumed. */
  take(): Token {
    const token = this.peek();
    this.#peeked = undefined;
    return token;
  }

  #scan(): Token {
    this.#offset = this.#matchEnd(WHITESPACE) ?? this.#offset;
    const offset = this.#offset;
    if (offset >= this.#text.length) return { kind: 'end', text: '', value: '', offset };
    const quote = this.#text[offset];
    if (quote === "'" || quote === '"') return this.#string(quote);
    for (const [kind, pattern] of PATTERNS) {
      const end = this.#matchEnd(pattern);
      if (end !== undefined) return this.#token(kind, end);
    }
    // A lone `$` starts no pattern: it is one invalid character.
    return this.#token('invalid', offset + String.fromCodePoint(this.#text.codePointAt(offset) ?? 0).length);
  }

  #token(kind: TokenKind, end: number): Token {
    const offset = this.#offset;
    const text = this.#text.slice(offset, end);
    this.#offset = end;
    return { kind, text, value: text, offset };
  }

  /** Where `pattern` (sticky) ends when it matches at the current offset. */
  #matchEnd(pattern: RegExp): number | undefined {
    pattern.lastIndex = this.#offset;
    return pattern.test(this.#text) ? pattern.lastIndex : undefined;
  }

  /** A string in `quote`s; the other quote needs no escape inside it (`"it's"`). */
  #string(quote: string): Token {
    const text = this.#text;
    const start = this.#offset;
    let value = '';
    let i = start + 1;
    while (i < text.length && text[i] !== quote) {
      if (text[i] !== '\\') {
        value += text[i];
        i += 1;
        continue;
      }
      const escaped = this.#escape(i);
      value += escaped.value;
      i = escaped.end;
    }
    if (i >= text.length) {
      const opened = positionAt(text, start);
      throw syntaxErrorAt(text, text.length, `${quote} to close the string that starts at line ${opened.line}, column ${opened.column}`, END_OF_FILTER);
    }
    this.#offset = i + 1;
    return { kind: 'string', text: text.slice(start, i + 1), value, offset: start };
  }

  /** The escape whose backslash is at `at`: its value and the offset after it. */
  #escape(at: number): { value: string; end: number } {
    const text = this.#text;
    const letter = text[at + 1];
    if (letter === undefined) throw syntaxErrorAt(text, at + 1, EXPECTED_ESCAPE, END_OF_FILTER);
    const simple = ESCAPES[letter];
    if (simple !== undefined) return { value: simple, end: at + 2 };
    const hex = text.slice(at + 2, at + 6);
    if (letter === 'u' && HEX4.test(hex)) return { value: String.fromCharCode(Number.parseInt(hex, 16)), end: at + 6 };
    throw syntaxErrorAt(text, at, EXPECTED_ESCAPE, describeFound(letter === 'u' ? `\\u${hex}` : `\\${String.fromCodePoint(text.codePointAt(at + 1) ?? 0)}`));
  }
}
