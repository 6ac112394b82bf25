/**
 * Building a {@link SessionFilterSyntaxError} from an offset in the filter text: the lexer and the parser know
 * offsets, a reader wants the line and column an editor shows.
 */
import { quote } from '@tributary/core';
import { SessionFilterSyntaxError } from '../errors.js';

/** What `found` says when the text ran out. */
export const END_OF_FILTER = 'end of filter';

/** Longest quoted excerpt of the input in an error: enough to recognise it, too short to flood a log. */
const FOUND_MAX = 40;

/**
 * The 1-based line and column of a UTF-16 `offset` in `text`. Lines end at `\n`, `\r\n` or `\r`; columns count
 * characters (code points), as an editor does, not UTF-16 units.
 */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let column = 1;
  let i = 0;
  while (i < offset && i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x0a || code === 0x0d) {
      line += 1;
      column = 1;
      i += code === 0x0d && text.charCodeAt(i + 1) === 0x0a ? 2 : 1;
    } else {
      column += 1;
      i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    }
  }
  return { line, column };
}

/** `found` for a piece of the input: quoted and shortened, or {@link END_OF_FILTER} when there is none. */
export function describeFound(raw: string | undefined): string {
  return raw === undefined ? END_OF_FILTER : quote(raw, FOUND_MAX);
}

/** The error for parsing that stopped at `offset`, where `expected` would have been valid and `found` was there. */
export function syntaxErrorAt(text: string, offset: number, expected: string, found: string): SessionFilterSyntaxError {
  return new SessionFilterSyntaxError(text, { ...positionAt(text, offset), expected, found });
}
