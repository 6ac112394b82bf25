import { describe, expect, it } from 'vitest';
import type { SessionFilterSyntaxError } from '../../src/errors.js';
import type { FilterNode } from '../../src/filter/ast.js';
import { MAX_FILTER_DEPTH, parseFilterTree } from '../../src/filter/parser.js';
import { errorFacts, syntaxErrorFrom } from './fixtures.js';

const CLAUSE = "a property name, 'all', 'not', 'has', 'hasRoles' or '('";
const OPERATOR = "'is', 'eq', 'ne', 'in', 'not in', 'has', 'matches', '<', '<=', '>' or '>='";
const AFTER_CLAUSE = "'and', 'or' or end of filter";
const STRING = 'a string in quotes';
const DEPTH = `a clause (parentheses and 'not's nest at most ${MAX_FILTER_DEPTH} deep)`;

/** The error parsing `text` throws. */
const syntaxErrorOf = (text: string): SessionFilterSyntaxError => syntaxErrorFrom(() => parseFilterTree(text));

const eq = (property: string, value: string): FilterNode => ({ kind: 'equals', property, value });

describe('parseFilterTree: the tree', () => {
  it('reduces every spelling of a comparison to one node', () => {
    const not = (operand: FilterNode): FilterNode => ({ kind: 'not', operand });
    const cases: Array<[string, FilterNode]> = [
      ["Country is 'UK'", eq('Country', 'UK')],
      ['Country EQ "UK"', eq('Country', 'UK')],
      ["Country ne 'UK'", not(eq('Country', 'UK'))],
      ["Country Is Not 'UK'", not(eq('Country', 'UK'))],
      ["Country in ['UK', 'FR']", { kind: 'in', property: 'Country', values: new Set(['UK', 'FR']) }],
      ["Country NOT IN ['UK' 'FR']", not({ kind: 'in', property: 'Country', values: new Set(['UK', 'FR']) })],
      ['has Department', { kind: 'present', property: 'Department' }],
      ["$Roles has 'admin'", { kind: 'contains', property: '$Roles', value: 'admin' }],
      ["hasRoles ['a', 'b']", { kind: 'hasRoles', roles: ['a', 'b'] }],
      ["HASROLES 'a' \"b\"", { kind: 'hasRoles', roles: ['a', 'b'] }],
      ['$StartTime >= 1700000000000', { kind: 'compare', property: '$StartTime', operator: '>=', value: 1_700_000_000_000 }],
      ["n < '-2.5'", { kind: 'compare', property: 'n', operator: '<', value: -2.5 }],
      ['n > 1e3', { kind: 'compare', property: 'n', operator: '>', value: 1000 }],
      ['n <= -0', { kind: 'compare', property: 'n', operator: '<=', value: -0 }],
      ['all', { kind: 'all' }],
    ];
    for (const [text, tree] of cases) expect(parseFilterTree(text), text).toEqual(tree);
  });

  it('anchors a matches pattern so it must match the whole value, as Java’s String.matches does', () => {
    const tree = parseFilterTree("Department matches 'Acc|Pay'");
    expect(tree.kind === 'matches' && tree.pattern.source).toBe('^(?:Acc|Pay)$');
  });

  it('groups by precedence: not, then and, then or; parentheses override', () => {
    const [a, b, c] = [eq('a', '1'), eq('b', '2'), eq('c', '3')];
    expect(parseFilterTree("a is '1' or b is '2' and c is '3'")).toEqual({ kind: 'or', operands: [a, { kind: 'and', operands: [b, c] }] });
    expect(parseFilterTree("(a is '1' or b is '2') and c is '3'")).toEqual({ kind: 'and', operands: [{ kind: 'or', operands: [a, b] }, c] });
    expect(parseFilterTree("not a is '1' and b is '2'")).toEqual({ kind: 'and', operands: [{ kind: 'not', operand: a }, b] });
    expect(parseFilterTree("a is '1' and b is '2' and c is '3'")).toEqual({ kind: 'and', operands: [a, b, c] });
  });

  it('flattens long chains, so ten thousand clauses cost no recursion', () => {
    const text = Array.from({ length: 10_000 }, (_, i) => `p${i} is '${i}'`).join(' or ');
    const tree = parseFilterTree(text);
    expect(tree.kind === 'or' && tree.operands.length).toBe(10_000);
  });

  it(`accepts nesting ${MAX_FILTER_DEPTH} deep and refuses one level more where it starts`, () => {
    const deep = (n: number): string => `${'('.repeat(n)}all${')'.repeat(n)}`;
    expect(parseFilterTree(deep(MAX_FILTER_DEPTH))).toEqual({ kind: 'all' });
    expect(parseFilterTree(`${'not '.repeat(MAX_FILTER_DEPTH)}all`)).toBeDefined();
    expect(syntaxErrorOf(deep(MAX_FILTER_DEPTH + 1))).toMatchObject({ line: 1, column: MAX_FILTER_DEPTH + 1, context: { expected: DEPTH, found: '"("' } });
    expect(syntaxErrorOf(`${'not '.repeat(MAX_FILTER_DEPTH + 1)}all`)).toMatchObject({ column: 4 * MAX_FILTER_DEPTH + 1, context: { found: '"not"' } });
    expect(syntaxErrorOf(`(not ${'(not '.repeat(40)}all`)).toMatchObject({ context: { expected: DEPTH } });
    expect(syntaxErrorOf('('.repeat(200_000))).toMatchObject({ context: { expected: DEPTH } });
  });
});

describe('parseFilterTree: syntax errors say where, what was expected and what was found', () => {
  const cases: Array<[text: string, line: number, column: number, expected: string, found: string]> = [
    ['', 1, 1, CLAUSE, 'end of filter'],
    [' \n\t ', 2, 3, CLAUSE, 'end of filter'],
    ["Country = 'UK'", 1, 9, OPERATOR, '"="'],
    ["Country != 'UK'", 1, 9, OPERATOR, '"!="'],
    ['Country', 1, 8, OPERATOR, 'end of filter'],
    ['Country is UK', 1, 12, "'not' or a string in quotes", '"UK"'],
    ['Country is 5', 1, 12, "'not' or a string in quotes", '"5"'],
    ['Country eq', 1, 11, STRING, 'end of filter'],
    ["Country is not in ['UK']", 1, 16, STRING, '"in"'],
    ["Country not is 'UK'", 1, 13, "'in'", '"is"'],
    ["a is 'x' && b is 'y'", 1, 10, AFTER_CLAUSE, '"&&"'],
    ["a is 'x' | b is 'y'", 1, 10, AFTER_CLAUSE, '"|"'],
    ["a is 'x' b is 'y'", 1, 10, AFTER_CLAUSE, '"b"'],
    ["a is 'x')", 1, 9, AFTER_CLAUSE, '")"'],
    ["(a is 'x'", 1, 10, "'and', 'or' or ')'", 'end of filter'],
    ["(a is 'x' b", 1, 11, "'and', 'or' or ')'", '"b"'],
    ['()', 1, 2, CLAUSE, '")"'],
    ["a is 'x' and", 1, 13, CLAUSE, 'end of filter'],
    ["a is 'x' and or b is 'y'", 1, 14, CLAUSE, '"or"'],
    ['not', 1, 4, CLAUSE, 'end of filter'],
    ["$ is 'x'", 1, 1, CLAUSE, '"$"'],
    ["'x' is a", 1, 1, CLAUSE, '"\'x\'"'],
    ["a in 'x'", 1, 6, "'['", '"\'x\'"'],
    ['a in []', 1, 7, STRING, '"]"'],
    ["a in ['x',]", 1, 11, STRING, '"]"'],
    ["a in ['x' 'y'", 1, 14, "',', a string in quotes or ']'", 'end of filter'],
    ["a in ['x' ; 'y']", 1, 11, "',', a string in quotes or ']'", '";"'],
    ['has', 1, 4, 'a property name', 'end of filter'],
    ["has 'a'", 1, 5, 'a property name', '"\'a\'"'],
    ['has all', 1, 5, 'a property name', '"all"'],
    ['hasRoles', 1, 9, "'[' or a role in quotes", 'end of filter'],
    ['hasRoles admin', 1, 10, "'[' or a role in quotes", '"admin"'],
    ["hasRoles 'a',", 1, 14, STRING, 'end of filter'],
    ["a > 'ten'", 1, 5, 'a number (bare or in quotes)', '"\'ten\'"'],
    ['a >= x', 1, 6, 'a number (bare or in quotes)', '"x"'],
    ['a < -', 1, 5, 'a number (bare or in quotes)', '"-"'],
    ['a < 1e999', 1, 5, 'a number (bare or in quotes)', '"1e999"'],
    ["a matches '(unclosed'", 1, 11, 'a valid regular expression', '"\'(unclosed\'"'],
    ["a is 'x' and\n  b = 'y'", 2, 5, OPERATOR, '"="'],
    ["a is 'x'\r\nand b is 'y'\r\nor c", 3, 5, OPERATOR, 'end of filter'],
    ["(a is 'x'\n  or b is 'y'\n", 3, 1, "'and', 'or' or ')'", 'end of filter'],
    ["a is 'x' and\r  not\r  (b is", 3, 8, "'not' or a string in quotes", 'end of filter'],
    ["city is 'Zürich' and 😀", 1, 22, CLAUSE, '"😀"'],
  ];

  it.each(cases)('%j: line %i, column %i', (text, line, column, expected, found) => {
    const error = syntaxErrorOf(text);
    expect(errorFacts(error)).toEqual({ line, column, expected, found });
    expect(error.context.filter).toBe(text);
    expect(error.message).toBe(`Session filter syntax error at line ${line}, column ${column}: expected ${expected}, found ${found}`);
  });

  it('reports the first error in reading order, not a later one the lexer would meet first', () => {
    expect(syntaxErrorOf("a = 'x' and b is 'unclosed")).toMatchObject({ column: 3 });
  });

  it('shortens what it found, so a huge input cannot flood a log', () => {
    const error = syntaxErrorOf(`a is 'x' ${'z'.repeat(10_000)}`);
    expect(String(error.context.found).length).toBeLessThan(80);
  });
});
