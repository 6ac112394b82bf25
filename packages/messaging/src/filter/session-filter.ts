/**
 * Session filters: Diffusion's small language for choosing sessions by their properties, as a request to a
 * session filter uses it. Parse once per distinct text, then match every session against the result.
 */
import type { FilterNode } from './ast.js';
import { evaluateFilter } from './evaluator.js';
import { parseFilterTree } from './parser.js';
import { describeFound, syntaxErrorAt } from './syntax-error.js';

export { MAX_FILTER_DEPTH } from './parser.js';

/**
 * A parsed session filter.
 *
 * Properties are a flat map of string to string: fixed properties start with `$` (`$SessionId`, `$Roles`,
 * `$StartTime`...), user properties are any other name. A property that is absent, or whose value is not a
 * string, is missing.
 */
export interface SessionFilter {
  /** The filter's text as given. */
  readonly text: string;
  /**
   * Whether a session with these properties matches. Pure, never throws: a missing property fails every positive
   * test (`is`, `in`, `has`, `matches`, `<`...) and so passes its negation (`ne`, `is not`, `not in`); a value that
   * is not a decimal number fails every numeric comparison. `matches` patterns run on the caller's thread, so a
   * pathological pattern is as slow here as anywhere.
   */
  matches(properties: Readonly<Record<string, string>>): boolean;
}

/**
 * Parses a session filter. The language is Diffusion's, with Tributary's extensions marked *:
 *
 * - `Country is 'UK'`, `eq` (the same), `ne`, `is not`*; values are strings in single or double quotes, with
 *   backslash escapes (`\'`, `\"`, `\\`, `\n`, `\t`, `\r`, `\b`, `\f`, `\uXXXX`);
 * - `Country in ['UK', 'FR']`, `not in`*; items separated by commas or spaces;
 * - `has Department`: the property is present;
 * - `$Roles has 'admin'`*: a list-valued property (`"admin","client"` or `admin, client`) holds the value;
 * - `hasRoles ['admin' 'client']` or `hasRoles 'admin' 'client'`: `$Roles` holds every one of them;
 * - `Department matches 'Acc.*'`: the whole value matches the regular expression;
 * - `$StartTime >= 1700000000000`*, with `<`, `<=`, `>`: both sides read as decimal numbers;
 * - `all`; `not`, `and`, `or` (binding in that order) and parentheses.
 *
 * Keywords are case-insensitive, property names case-sensitive; whitespace, line breaks included, separates tokens.
 *
 * @param text - the filter; the caller caches the result per distinct text.
 * @returns the filter, ready to match any number of sessions.
 * @throws SessionFilterSyntaxError when `text` is not a filter (an empty text included): `line` and `column`
 *   (1-based) say where parsing stopped, `context.expected` what would have been valid there and `context.found`
 *   what was there. Parentheses and `not`s nest at most 64 deep (`MAX_FILTER_DEPTH`).
 */
export function parseSessionFilter(text: string): SessionFilter {
  // JavaScript callers can pass anything; the promised error beats a TypeError from deep in the lexer.
  if (typeof text !== 'string') throw syntaxErrorAt(String(text), 0, 'a filter text (a string)', describeFound(typeof text));
  return new ParsedSessionFilter(text, parseFilterTree(text));
}

class ParsedSessionFilter implements SessionFilter {
  readonly text: string;
  readonly #root: FilterNode;

  constructor(text: string, root: FilterNode) {
    this.text = text;
    this.#root = root;
  }

  matches(properties: Readonly<Record<string, string>>): boolean {
    return evaluateFilter(this.#root, properties);
  }

  toString(): string {
    return this.text;
  }
}
