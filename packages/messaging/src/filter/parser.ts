/**
 * The session filter parser: recursive descent over the {@link Lexer}'s tokens into a {@link FilterNode} tree.
 *
 * ```ebnf
 * filter   = or-expr END ;
 * or-expr  = and-expr { "or" and-expr } ;
 * and-expr = unary { "and" unary } ;
 * unary    = "not" unary | primary ;
 * primary  = "(" or-expr ")" | "all" | "has" PROPERTY | "hasRoles" roles | clause ;
 * clause   = PROPERTY ( ( "is" [ "not" ] | "eq" | "ne" | "has" | "matches" ) STRING
 *                     | [ "not" ] "in" list
 *                     | ( "<" | "<=" | ">" | ">=" ) ( NUMBER | STRING ) ) ;
 * list     = "[" STRING { [ "," ] STRING } "]" ;
 * roles    = list | STRING { [ "," ] STRING } ;
 * ```
 *
 * Keywords are case-insensitive, property names case-sensitive (Diffusion: "The key name is case sensitive ...
 * The operator is not case sensitive"). `and` binds tighter than `or`, and `not` tighter than both.
 */
import type { FilterNode, NumericOperator } from './ast.js';
import { Lexer, type Token } from './lexer.js';
import { parseDecimal } from './property-values.js';
import { describeFound, syntaxErrorAt } from './syntax-error.js';

/** How deep parentheses and `not`s may nest: far beyond any hand-written filter, far short of the stack's limit. */
export const MAX_FILTER_DEPTH = 64;

// Words that open something else at the start of a clause, so they cannot be property names there.
const CLAUSE_KEYWORDS = new Set(['all', 'not', 'has', 'hasroles', 'and', 'or']);
const NUMERIC_OPERATORS: ReadonlySet<string> = new Set<NumericOperator>(['<', '<=', '>', '>=']);

const EXPECTED_CLAUSE = "a property name, 'all', 'not', 'has', 'hasRoles' or '('";
const EXPECTED_OPERATOR = "'is', 'eq', 'ne', 'in', 'not in', 'has', 'matches', '<', '<=', '>' or '>='";
const EXPECTED_STRING = 'a string in quotes';
const EXPECTED_NUMBER = 'a number (bare or in quotes)';

/** The tree of `text`. @throws SessionFilterSyntaxError where the text stops being a filter. */
export function parseFilterTree(text: string): FilterNode {
  return new Parser(text).parse();
}

class Parser {
  readonly #text: string;
  readonly #lexer: Lexer;
  #depth = 0;

  constructor(text: string) {
    this.#text = text;
    this.#lexer = new Lexer(text);
  }

  parse(): FilterNode {
    const root = this.#or();
    const next = this.#lexer.peek();
    if (next.kind !== 'end') throw this.#error(next, "'and', 'or' or end of filter");
    return root;
  }

  #or(): FilterNode {
    return this.#chain('or', () => this.#and());
  }

  #and(): FilterNode {
    return this.#chain('and', () => this.#unary());
  }

  /** `operand { keyword operand }`, flattened into one node so a long chain costs no recursion depth. */
  #chain(keyword: 'and' | 'or', operand: () => FilterNode): FilterNode {
    const operands = [operand()];
    while (this.#isKeyword(this.#lexer.peek(), keyword)) {
      this.#lexer.take();
      operands.push(operand());
    }
    return operands.length === 1 ? operands[0]! : { kind: keyword, operands };
  }

  #unary(): FilterNode {
    const token = this.#lexer.peek();
    if (!this.#isKeyword(token, 'not')) return this.#primary();
    this.#lexer.take();
    return this.#nested(token, () => ({ kind: 'not', operand: this.#unary() }));
  }

  #primary(): FilterNode {
    const token = this.#lexer.take();
    if (token.kind === 'symbol' && token.text === '(') {
      return this.#nested(token, () => {
        const inner = this.#or();
        this.#expectSymbol(')', "'and', 'or' or ')'");
        return inner;
      });
    }
    if (token.kind !== 'word') throw this.#error(token, EXPECTED_CLAUSE);
    const keyword = token.text.toLowerCase();
    if (keyword === 'all') return { kind: 'all' };
    if (keyword === 'has') return { kind: 'present', property: this.#property() };
    if (keyword === 'hasroles') return { kind: 'hasRoles', roles: this.#roles() };
    if (CLAUSE_KEYWORDS.has(keyword)) throw this.#error(token, EXPECTED_CLAUSE);
    return this.#clause(token.text);
  }

  /** A clause on `property`, whose name has been read. */
  #clause(property: string): FilterNode {
    const operator = this.#lexer.take();
    if (operator.kind === 'symbol' && NUMERIC_OPERATORS.has(operator.text)) {
      return { kind: 'compare', property, operator: operator.text as NumericOperator, value: this.#number() };
    }
    const not = (operand: FilterNode): FilterNode => ({ kind: 'not', operand });
    switch (operator.kind === 'word' ? operator.text.toLowerCase() : '') {
      case 'is':
        if (!this.#isKeyword(this.#lexer.peek(), 'not')) return { kind: 'equals', property, value: this.#string("'not' or a string in quotes") };
        this.#lexer.take();
        return not({ kind: 'equals', property, value: this.#string() });
      case 'eq':
        return { kind: 'equals', property, value: this.#string() };
      case 'ne':
        return not({ kind: 'equals', property, value: this.#string() });
      case 'in':
        return { kind: 'in', property, values: new Set(this.#list()) };
      case 'not':
        this.#expectKeyword('in');
        return not({ kind: 'in', property, values: new Set(this.#list()) });
      case 'has':
        return { kind: 'contains', property, value: this.#string() };
      case 'matches':
        return { kind: 'matches', property, pattern: this.#pattern() };
      default:
        throw this.#error(operator, EXPECTED_OPERATOR);
    }
  }

  /** Runs `parse` one level deeper, refusing to go past {@link MAX_FILTER_DEPTH} (`opener` is the `(` or `not`). */
  #nested(opener: Token, parse: () => FilterNode): FilterNode {
    if (this.#depth >= MAX_FILTER_DEPTH) {
      throw this.#error(opener, `a clause (parentheses and 'not's nest at most ${MAX_FILTER_DEPTH} deep)`);
    }
    this.#depth += 1;
    const node = parse();
    this.#depth -= 1;
    return node;
  }

  #property(): string {
    const token = this.#lexer.take();
    if (token.kind !== 'word' || CLAUSE_KEYWORDS.has(token.text.toLowerCase())) throw this.#error(token, 'a property name');
    return token.text;
  }

  #string(expected = EXPECTED_STRING): string {
    const token = this.#lexer.take();
    if (token.kind !== 'string') throw this.#error(token, expected);
    return token.value;
  }

  /** `[ 'a', 'b' ]`: at least one string, separated by commas or spaces (as Diffusion's `hasRoles` allows). */
  #list(): string[] {
    this.#expectSymbol('[', "'['");
    return this.#strings(EXPECTED_STRING, true);
  }

  /** `hasRoles`' operand: a bracketed list, or bare strings as Diffusion's current manual writes them. */
  #roles(): string[] {
    const next = this.#lexer.peek();
    if (next.kind === 'symbol' && next.text === '[') return this.#list();
    return this.#strings("'[' or a role in quotes", false);
  }

  /** One string or more, each after the first preceded by an optional comma; with `bracketed`, then `]`. */
  #strings(expectedFirst: string, bracketed: boolean): string[] {
    const values = [this.#string(expectedFirst)];
    for (;;) {
      const next = this.#lexer.peek();
      if (bracketed && next.kind === 'symbol' && next.text === ']') {
        this.#lexer.take();
        return values;
      }
      if (next.kind === 'symbol' && next.text === ',') {
        this.#lexer.take();
        values.push(this.#string());
      } else if (next.kind === 'string') {
        values.push(this.#string());
      } else if (bracketed) {
        throw this.#error(next, "',', a string in quotes or ']'");
      } else {
        return values;
      }
    }
  }

  #number(): number {
    const token = this.#lexer.take();
    const value = token.kind === 'number' ? Number(token.text) : token.kind === 'string' ? parseDecimal(token.value) : undefined;
    if (value === undefined || !Number.isFinite(value)) throw this.#error(token, EXPECTED_NUMBER);
    return value;
  }

  /**
   * A `matches` pattern, matched against the whole value as Java's `String.matches` does (Diffusion's server is
   * Java). It compiles on its own first, so wrapping it in `^(?:...)$` cannot change what its alternatives mean.
   */
  #pattern(): RegExp {
    const token = this.#lexer.peek();
    const source = this.#string();
    try {
      new RegExp(source, 'u');
      return new RegExp(`^(?:${source})$`, 'u');
    } catch {
      throw this.#error(token, 'a valid regular expression');
    }
  }

  #expectSymbol(symbol: string, expected: string): void {
    const token = this.#lexer.take();
    if (token.kind !== 'symbol' || token.text !== symbol) throw this.#error(token, expected);
  }

  #expectKeyword(keyword: string): void {
    const token = this.#lexer.take();
    if (!this.#isKeyword(token, keyword)) throw this.#error(token, `'${keyword}'`);
  }

  #isKeyword(token: Token, keyword: string): boolean {
    return token.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  #error(token: Token, expected: string): Error {
    return syntaxErrorAt(this.#text, token.offset, expected, describeFound(token.kind === 'end' ? undefined : token.text));
  }
}
