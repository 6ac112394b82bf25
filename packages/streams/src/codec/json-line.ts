/**
 * JSON text that is always one line (seed 004: "there are no newlines allowed as part of the message"), so a
 * reader in any language finds the end of a message at the next `\n`.
 */
import { ErrorCodes } from '@tributary/core';
import { StreamCodecError } from '../errors.js';

/**
 * Characters some line readers also end a line at: U+0085 (NEL) and U+2028 / U+2029 (Python's
 * `str.splitlines()`, older JavaScript parsers). JSON.stringify leaves them raw; a `\u` escape is the same JSON.
 */
const OTHER_LINE_END = /[\u0085\u2028\u2029]/;
const OTHER_LINE_ENDS = new RegExp(OTHER_LINE_END.source, 'g');

function escapeLineEnd(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * `JSON.stringify(tree)` as one line: no `\n` or `\r` (JSON escapes them in strings and adds none between
 * values without indentation), and no other character a line reader might take for a line end.
 * @throws StreamCodecError ENCODE_FAILED if the text held a newline anyway: an invariant, checked because a
 *   newline inside a message would split it in two for every reader.
 */
export function toJsonLine(tree: unknown): string {
  let text = JSON.stringify(tree);
  if (OTHER_LINE_END.test(text)) text = text.replace(OTHER_LINE_ENDS, escapeLineEnd);
  if (text.includes('\n') || text.includes('\r')) {
    throw new StreamCodecError(ErrorCodes.ENCODE_FAILED, 'Internal error: the JSON text of a message holds a line end, which would split it in two', { codec: 'json', expected: 'one line' });
  }
  return text;
}
