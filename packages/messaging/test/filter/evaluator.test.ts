import { describe, expect, it } from 'vitest';
import { evaluateFilter } from '../../src/filter/evaluator.js';
import { parseFilterTree } from '../../src/filter/parser.js';
import { PROPERTY_TABLE } from './fixtures.js';

/** Whether `text` matches each row of the table. */
const over = (text: string): boolean[] => {
  const tree = parseFilterTree(text);
  return PROPERTY_TABLE.map((row) => evaluateFilter(tree, row));
};

describe('evaluateFilter', () => {
  it('fails every positive test on a missing property, so every negation holds', () => {
    const cases: Array<[string, boolean]> = [
      ["Missing is 'x'", false],
      ["Missing eq ''", false],
      ["Missing ne 'x'", true],
      ["Missing is not ''", true],
      ["Missing in ['x', '']", false],
      ["Missing not in ['x', '']", true],
      ["Missing has 'x'", false],
      ["Missing matches '.*'", false],
      ['Missing < 0', false],
      ['Missing <= 0', false],
      ['Missing > 0', false],
      ['Missing >= 0', false],
      ['not Missing < 0', true],
      ['has Missing', false],
      ['not has Missing', true],
    ];
    for (const [text, expected] of cases) expect(new Set(over(text)), text).toEqual(new Set([expected]));
    // The table's rows lacking $Roles match no hasRoles clause.
    const hasRoles = over("hasRoles 'admin'");
    PROPERTY_TABLE.forEach((row, i) => row.$Roles === undefined && expect(hasRoles[i]).toBe(false));
  });

  it('compares numerically exactly when the value is a decimal number, and never otherwise', () => {
    const numeric: Record<string, number> = { '10': 10, '10.0': 10, '9': 9, '-1.5': -1.5, '1e3': 1000 };
    const operators = { '<': (a: number, b: number) => a < b, '<=': (a: number, b: number) => a <= b, '>': (a: number, b: number) => a > b, '>=': (a: number, b: number) => a >= b };
    for (const literal of [-2, -1.5, 0, 9, 9.5, 10, 1000, 1e6]) {
      for (const [operator, holds] of Object.entries(operators)) {
        const results = over(`B ${operator} ${literal}`);
        PROPERTY_TABLE.forEach((row, i) => {
          const value = row.B === undefined ? undefined : numeric[row.B];
          expect(results[i], `${JSON.stringify(row.B)} ${operator} ${literal}`).toBe(value !== undefined && holds(value, literal));
        });
      }
    }
  });

  it('puts a number exactly one way round a literal (trichotomy), and a non-number no way round', () => {
    for (const literal of [-1.5, 9, 10, 11]) {
      const [below, at, above] = [over(`B < ${literal}`), over(`B >= ${literal} and B <= ${literal}`), over(`B > ${literal}`)];
      PROPERTY_TABLE.forEach((row, i) => {
        const count = [below[i], at[i], above[i]].filter(Boolean).length;
        const isNumber = row.B !== undefined && ['10', '10.0', '9', '-1.5', '1e3'].includes(row.B);
        expect(count, `${JSON.stringify(row.B)} vs ${literal}`).toBe(isNumber ? 1 : 0);
      });
    }
  });

  it('reads a quoted number literal as the bare one', () => {
    for (const operator of ['<', '<=', '>', '>=']) expect(over(`B ${operator} '9.5'`)).toEqual(over(`B ${operator} 9.5`));
  });

  it('finds a value among the items of a list-valued property, never as a substring', () => {
    const admin = over("$Roles has 'admin'");
    PROPERTY_TABLE.forEach((row, i) => {
      const expected = row.$Roles !== undefined && row.$Roles !== 'administrator';
      expect(admin[i], JSON.stringify(row.$Roles)).toBe(expected);
    });
    expect(new Set(over("$Roles has 'dmin'"))).toEqual(new Set([false]));
    expect(new Set(over("$Roles has 'admin,client'"))).toEqual(new Set([false]));
  });

  it('requires every role of hasRoles', () => {
    const both = over("hasRoles ['admin', 'client']");
    PROPERTY_TABLE.forEach((row, i) => {
      const expected = row.$Roles !== undefined && row.$Roles.includes('client');
      expect(both[i], JSON.stringify(row.$Roles)).toBe(expected);
    });
  });

  it('matches a pattern against the whole value', () => {
    const cases: Array<[string, string, boolean]> = [
      ['x', 'x', true],
      ['x', 'x y', false],
      ['x.*', 'x y', true],
      ['.*y', 'x y', true],
      ['y', 'x y', false],
      ['x|y', 'y', true],
      ['x|y', 'xy', false],
      ['\\p{Lu}', 'X', true],
      ['', '', true],
    ];
    for (const [pattern, value, expected] of cases) {
      const tree = parseFilterTree(`A matches '${pattern.replace(/\\/g, '\\\\')}'`);
      expect(evaluateFilter(tree, { A: value }), `${pattern} on ${value}`).toBe(expected);
    }
  });

  it('compares strings exactly: case and surrounding spaces count', () => {
    const tree = parseFilterTree("A is 'x'");
    expect([{ A: 'x' }, { A: 'X' }, { A: ' x' }, { A: 'x ' }].map((row) => evaluateFilter(tree, row))).toEqual([true, false, false, false]);
  });
});
