/**
 * The tree a session filter parses into. The parser reduces every spelling to these few nodes (`eq` and `is` are
 * one `equals`; `ne`, `is not` and `not in` are a `not` around `equals` or `in`), so the evaluator has one rule per
 * meaning and the laws between spellings hold by construction.
 */

/** The property holding a session's roles, which `hasRoles` reads. */
export const ROLES_PROPERTY = '$Roles';

/** The numeric comparisons, a Tributary extension: Diffusion documents only string comparisons. */
export type NumericOperator = '<' | '<=' | '>' | '>=';

/** One node of a parsed session filter. */
export type FilterNode =
  /** `all`: every session. */
  | { readonly kind: 'all' }
  | { readonly kind: 'not'; readonly operand: FilterNode }
  /** Two or more operands, flattened so a long chain of `and`s costs no recursion depth. */
  | { readonly kind: 'and'; readonly operands: readonly FilterNode[] }
  | { readonly kind: 'or'; readonly operands: readonly FilterNode[] }
  /** `key is 'v'`, `key eq 'v'`: the property is present and equal to `value`. */
  | { readonly kind: 'equals'; readonly property: string; readonly value: string }
  /** `key in ['a', 'b']`: the property is present and one of `values`. */
  | { readonly kind: 'in'; readonly property: string; readonly values: ReadonlySet<string> }
  /** `has key`: the property is present (Diffusion's unary `has`). */
  | { readonly kind: 'present'; readonly property: string }
  /** `key has 'v'`: the property holds a list (like `$Roles`) with `value` among its items. */
  | { readonly kind: 'contains'; readonly property: string; readonly value: string }
  /** `hasRoles ['a' 'b']`: `$Roles` holds every one of `roles`. */
  | { readonly kind: 'hasRoles'; readonly roles: readonly string[] }
  /** `key matches 're'`: the whole property value matches `pattern` (already anchored). */
  | { readonly kind: 'matches'; readonly property: string; readonly pattern: RegExp }
  /** `key < 5`: the property reads as a decimal number and compares so with `value`. */
  | { readonly kind: 'compare'; readonly property: string; readonly operator: NumericOperator; readonly value: number };
