/**
 * Whether a session's properties satisfy a parsed filter: a walk of the {@link FilterNode} tree.
 *
 * A missing property satisfies no positive test (`is`, `in`, `has`, `matches`, `<`...), so its negations (`ne`,
 * `is not`, `not in`) hold for it: `ne` is exactly `not is`. A value that is not a decimal number compares with
 * nothing. The walk never throws: its depth is bounded by the parser's nesting cap, and every property read
 * tolerates anything a caller may pass.
 */
import { ROLES_PROPERTY, type FilterNode, type NumericOperator } from './ast.js';
import { parseDecimal, parseList, readProperty } from './property-values.js';

/** Whether `properties` (a session's property map) satisfy the filter `node`. */
export function evaluateFilter(node: FilterNode, properties: Readonly<Record<string, string>>): boolean {
  switch (node.kind) {
    case 'all':
      return true;
    case 'not':
      return !evaluateFilter(node.operand, properties);
    case 'and':
      return node.operands.every((operand) => evaluateFilter(operand, properties));
    case 'or':
      return node.operands.some((operand) => evaluateFilter(operand, properties));
    case 'equals':
      return readProperty(properties, node.property) === node.value;
    case 'in': {
      const value = readProperty(properties, node.property);
      return value !== undefined && node.values.has(value);
    }
    case 'present':
      return readProperty(properties, node.property) !== undefined;
    case 'contains': {
      const value = readProperty(properties, node.property);
      return value !== undefined && parseList(value).includes(node.value);
    }
    case 'hasRoles':
      return holdsAll(readProperty(properties, ROLES_PROPERTY), node.roles);
    case 'matches': {
      const value = readProperty(properties, node.property);
      return value !== undefined && node.pattern.test(value);
    }
    case 'compare':
      return compare(parseDecimal(readProperty(properties, node.property)), node.operator, node.value);
  }
}

function holdsAll(list: string | undefined, wanted: readonly string[]): boolean {
  if (list === undefined) return false;
  const held = new Set(parseList(list));
  return wanted.every((item) => held.has(item));
}

function compare(left: number | undefined, operator: NumericOperator, right: number): boolean {
  if (left === undefined) return false;
  switch (operator) {
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
  }
}
