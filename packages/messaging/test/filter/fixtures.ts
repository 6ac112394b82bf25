/**
 * A generated table of session property maps, and helpers to state laws over it: two filters are equivalent when
 * they match exactly the same rows. The table crosses every kind of value the operators care about (missing,
 * empty, case variants, numbers and non-numbers, list-valued roles), so a law that holds on it is not a sample.
 */
import { expect } from 'vitest';
import { SessionFilterSyntaxError } from '../../src/errors.js';
import { parseSessionFilter } from '../../src/filter/session-filter.js';

type Properties = Record<string, string>;

const A_VALUES = [undefined, 'x', 'y', '', 'X', 'x y', "it's"];
const B_VALUES = [undefined, 'x', '10', '10.0', '9', '-1.5', '1e3', 'abc', ''];
const ROLE_VALUES = [undefined, 'admin', '"admin","client"', '"client" "admin"', 'client, admin', 'administrator'];

/** Every combination of a value (or none) for `A`, `B` and `$Roles`. */
export const PROPERTY_TABLE: readonly Readonly<Properties>[] = A_VALUES.flatMap((a) =>
  B_VALUES.flatMap((b) =>
    ROLE_VALUES.map((roles) => {
      const properties: Properties = { $SessionId: 'session-1' };
      if (a !== undefined) properties.A = a;
      if (b !== undefined) properties.B = b;
      if (roles !== undefined) properties.$Roles = roles;
      return properties;
    }),
  ),
);

/** For each row of the table, whether `text` matches it. */
export function matchesOf(text: string): boolean[] {
  const filter = parseSessionFilter(text);
  return PROPERTY_TABLE.map((properties) => filter.matches(properties));
}

/** `left` and `right` match the same rows; a failure lists the rows where they differ. */
export function expectEquivalent(left: string, right: string): void {
  const l = matchesOf(left);
  const r = matchesOf(right);
  const differing = PROPERTY_TABLE.filter((_, i) => l[i] !== r[i]);
  expect(differing, `${left}  ≡  ${right}`).toEqual([]);
}

/** `left` and `right` differ on at least one row (so an equivalence elsewhere is not vacuous). */
export function expectDistinguished(left: string, right: string): void {
  const l = matchesOf(left);
  const r = matchesOf(right);
  expect(
    l.some((value, i) => value !== r[i]),
    `${left}  ≢  ${right}`,
  ).toBe(true);
}

/** Clauses of every kind, each true on some rows and false on others. */
export const ATOMS = [
  "A is 'x'",
  "A ne 'y'",
  "B in ['x', '10']",
  'has A',
  'B > 9',
  "B <= '10'",
  "A matches 'x.*'",
  "$Roles has 'admin'",
  "hasRoles 'client'",
  "not B is 'abc'",
];

/** `value` written as a filter string literal in `quote`s, escaping what must be escaped. */
export function stringLiteral(value: string, quote: "'" | '"' = "'"): string {
  return quote + value.replace(/\\/g, '\\\\').replaceAll(quote, `\\${quote}`) + quote;
}

/** The syntax error `run` throws; any other outcome fails the test. */
export function syntaxErrorFrom(run: () => unknown): SessionFilterSyntaxError {
  try {
    run();
  } catch (error) {
    if (error instanceof SessionFilterSyntaxError) return error;
    throw error;
  }
  throw new Error('expected a SessionFilterSyntaxError, but nothing was thrown');
}

/** What a syntax error says, in one comparable object. */
export function errorFacts(error: SessionFilterSyntaxError): { line: number; column: number; expected: unknown; found: unknown } {
  return { line: error.line, column: error.column, expected: error.context.expected, found: error.context.found };
}
