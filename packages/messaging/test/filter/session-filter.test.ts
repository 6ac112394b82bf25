import { describe, expect, it } from 'vitest';
import { isTributaryError } from '@tributary/core';
import { parseSessionFilter } from '../../src/filter/session-filter.js';
import { ATOMS, expectDistinguished, expectEquivalent, matchesOf, PROPERTY_TABLE, stringLiteral, syntaxErrorFrom } from './fixtures.js';

const PAIRS = ATOMS.flatMap((p) => ATOMS.map((q) => [p, q] as const));

describe('parseSessionFilter: laws over a generated table of sessions', () => {
  it('has atoms that each match some sessions and miss others, so the laws below are not vacuous', () => {
    for (const atom of ATOMS) {
      const results = matchesOf(atom);
      expect(results, atom).toContain(true);
      expect(results, atom).toContain(false);
    }
  });

  it('obeys De Morgan: not (p and q) = not p or not q, and not (p or q) = not p and not q', () => {
    for (const [p, q] of PAIRS) {
      expectEquivalent(`not (${p} and ${q})`, `not ${p} or not ${q}`);
      expectEquivalent(`not (${p} or ${q})`, `not ${p} and not ${q}`);
    }
  });

  it('has not bind tighter than and, and and tighter than or', () => {
    for (const [p, q] of PAIRS) {
      expectEquivalent(`not ${p} and ${q}`, `(not ${p}) and ${q}`);
      expectEquivalent(`not ${p} or ${q}`, `(not ${p}) or ${q}`);
      for (const r of ATOMS.slice(0, 4)) {
        expectEquivalent(`${p} or ${q} and ${r}`, `${p} or (${q} and ${r})`);
        expectEquivalent(`${p} and ${q} or ${r}`, `(${p} and ${q}) or ${r}`);
      }
    }
    // ...and the groupings the precedence rules out really are different filters.
    expectDistinguished("A is 'x' or B is '10' and has B", "(A is 'x' or B is '10') and has B");
    expectDistinguished("not A is 'x' and has B", "not (A is 'x' and has B)");
  });

  it('makes and and or commutative and associative, with all as their identity and absorbing element', () => {
    for (const [p, q] of PAIRS) {
      expectEquivalent(`${p} and ${q}`, `${q} and ${p}`);
      expectEquivalent(`${p} or ${q}`, `${q} or ${p}`);
      expectEquivalent(`(${p} and ${q}) and has B`, `${p} and (${q} and has B)`);
    }
    for (const p of ATOMS) {
      expectEquivalent(`${p} and all`, p);
      expectEquivalent(`${p} or all`, 'all');
      expectEquivalent(`not not ${p}`, p);
      expectEquivalent(`${p} or not ${p}`, 'all');
    }
    expect(matchesOf('all').every(Boolean)).toBe(true);
    expect(matchesOf('not all').some(Boolean)).toBe(false);
  });

  it('reads in [x, y] as is x or is y, and not in as its negation', () => {
    const lists = [["'x'"], ["'x'", "'10'"], ["'abc'", "''", "'y'"], ["'nothing'"]];
    for (const property of ['A', 'B', 'Missing']) {
      for (const list of lists) {
        const anyOf = list.map((value) => `${property} is ${value}`).join(' or ');
        expectEquivalent(`${property} in [${list.join(', ')}]`, anyOf);
        expectEquivalent(`${property} in [${list.join(' ')}]`, anyOf);
        expectEquivalent(`${property} not in [${list.join(', ')}]`, `not (${anyOf})`);
      }
    }
  });

  it('reads eq as is, and ne and is not as not is', () => {
    for (const property of ['A', 'B', 'Missing']) {
      for (const value of ["'x'", "''", "'10'"]) {
        expectEquivalent(`${property} eq ${value}`, `${property} is ${value}`);
        expectEquivalent(`${property} ne ${value}`, `not ${property} is ${value}`);
        expectEquivalent(`${property} is not ${value}`, `not ${property} is ${value}`);
      }
    }
  });

  it('reads hasRoles as $Roles has each role', () => {
    expectEquivalent("hasRoles ['admin' 'client']", "$Roles has 'admin' and $Roles has 'client'");
    expectEquivalent("hasRoles 'admin', 'client'", "$Roles has 'admin' and $Roles has 'client'");
    expectEquivalent("hasRoles ['admin']", "$Roles has 'admin'");
  });

  it('treats keywords in any case alike, and property names only in their own case', () => {
    const filters = [...ATOMS, "A IS NOT 'x' AND B NOT IN ['10'] OR ALL", "Has A aNd HASROLES 'admin'", "B Eq 'x' oR B nE '9' Or A MATCHES 'x'"];
    for (const filter of filters) {
      expectEquivalent(filter, filter.replace(/\b(is|not|in|and|or|all|has|hasroles|eq|ne|matches)\b/gi, (word) => word.toUpperCase()));
      expectEquivalent(filter, filter.replace(/\b(is|not|in|and|or|all|has|hasroles|eq|ne|matches)\b/gi, (word) => word.toLowerCase()));
    }
    expect(parseSessionFilter("a is 'x'").matches({ A: 'x' })).toBe(false);
    expect(parseSessionFilter("A is 'x'").matches({ a: 'x' })).toBe(false);
  });

  it('lets a filter span lines: any whitespace between tokens, line breaks included, means the same', () => {
    for (const [p, q] of PAIRS.slice(0, 30)) {
      const filter = `not (${p} and ${q}) or all`;
      expectEquivalent(filter, filter.replaceAll(' ', '\n  '));
      expectEquivalent(filter, filter.replaceAll(' ', '\r\n\t'));
    }
  });

  it('reads any string written with escapes back as itself, in either quotes', () => {
    const alphabet = ['a', 'Z', ' ', "'", '"', '\\', '\n', '\t', 'é', '😀', ',', ']', ')'];
    let seed = 7;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let i = 0; i < 300; i += 1) {
      const value = Array.from({ length: random(8) }, () => alphabet[random(alphabet.length)]).join('');
      for (const quote of ["'", '"'] as const) {
        const filter = parseSessionFilter(`A is ${stringLiteral(value, quote)}`);
        expect(filter.matches({ A: value }), JSON.stringify(value)).toBe(true);
        expect(filter.matches({ A: `${value}.` })).toBe(false);
      }
    }
  });

  it('compares numbers as numbers, where string order would differ', () => {
    expect(parseSessionFilter('B > 9').matches({ B: '10' })).toBe(true);
    expect('10' > '9').toBe(false);
    expect(parseSessionFilter("B is '10'").matches({ B: '10.0' })).toBe(false);
    expect(parseSessionFilter('B >= 10 and B <= 10').matches({ B: '10.0' })).toBe(true);
    expect(parseSessionFilter('$StartTime >= 1700000000000').matches({ $StartTime: '1700000000001' })).toBe(true);
    expect(parseSessionFilter('$StartTime < 1.7e12').matches({ $StartTime: '1700000000001' })).toBe(false);
  });
});

describe('parseSessionFilter: the filter object', () => {
  it('keeps its text exactly as given and matches the examples of Diffusion’s manual', () => {
    const text = '(Department is "Accounts" or Department is "Payroll") and Status is "Closed"';
    const filter = parseSessionFilter(text);
    expect(filter.text).toBe(text);
    expect(String(filter)).toBe(text);
    expect(filter.matches({ Department: 'Payroll', Status: 'Closed' })).toBe(true);
    expect(filter.matches({ Department: 'Payroll', Status: 'Open' })).toBe(false);
    expect(parseSessionFilter('not (Department is "Payroll" or Department is "Accounts")').matches({ Department: 'Sales' })).toBe(true);
    expect(parseSessionFilter('$Roles eq \'"admin","client"\'').matches({ $Roles: '"admin","client"' })).toBe(true);
  });

  it('never throws while matching, whatever it is given', () => {
    const filters = [...ATOMS, 'all', "constructor is 'x' or has __proto__ or has toString"].map((text) => parseSessionFilter(text));
    const inputs: unknown[] = [null, undefined, 42, 'A', [], {}, Object.create({ A: 'x', B: '10' }), { A: 5, B: 10, $Roles: ['admin'] }];
    for (const filter of filters) {
      for (const input of inputs) expect(() => filter.matches(input as Record<string, string>)).not.toThrow();
      expect(filter.matches(Object.create({ A: 'x' }) as Record<string, string>)).toBe(filter.matches({}));
    }
    expect(parseSessionFilter('has toString or has constructor or has __proto__').matches({})).toBe(false);
  });

  it('refuses text that is not a filter with a SessionFilterSyntaxError, an empty one included', () => {
    for (const text of ['', '  \n\t', 42 as unknown as string]) {
      const error = syntaxErrorFrom(() => parseSessionFilter(text));
      expect(isTributaryError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect(error.context.found).toBe(typeof text === 'string' ? 'end of filter' : '"number"');
    }
  });

  it('matches every session of the table the same way each time: parsing once serves many matches', () => {
    const filter = parseSessionFilter("$Roles has 'admin' and B > 0");
    const first = PROPERTY_TABLE.map((row) => filter.matches(row));
    expect(PROPERTY_TABLE.map((row) => filter.matches(row))).toEqual(first);
  });
});
