/**
 * Reading a session property's value as something other than a string: a decimal number for `<` and its kin, a
 * list for `has` and `hasRoles`. Both are total: a value that does not read is `undefined` or an empty list, never
 * an exception, because a filter is matched against every session and one odd value must not stop the rest.
 */

/** The property `name` of `properties` when it is an own string property; anything else counts as missing. */
export function readProperty(properties: unknown, name: string): string | undefined {
  // `Object.hasOwn`, not `name in`: `constructor` or `__proto__` must not be found on a plain object's prototype.
  if (typeof properties !== 'object' || properties === null || !Object.hasOwn(properties, name)) return undefined;
  const value: unknown = (properties as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

// Plain decimal notation only: `Number()` would also read '' and ' ' as 0, '0x1F' as 31 and 'Infinity' as a
// number, none of which a session property means as one.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * `value` as a number when it is written in plain decimal notation (`42`, `-1.5`, `1e3`, `1700000000000`, as
 * `$StartTime` holds epoch milliseconds); otherwise `undefined`. No surrounding whitespace is allowed.
 */
export function parseDecimal(value: string | undefined): number | undefined {
  if (value === undefined || !DECIMAL.test(value)) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * The items of a list-valued property. Diffusion writes `$Roles` as quoted strings separated by commas or spaces
 * (`"admin","client"` or `"admin" "client"`); applications usually write plain comma-separated text
 * (`admin, client`). Both read here: a quoted item keeps its text exactly (a backslash escapes the next
 * character), an unquoted item runs to the next comma and is trimmed, and empty unquoted items are dropped.
 */
export function parseList(value: string): string[] {
  const items: string[] = [];
  let i = skipSpaces(value, 0);
  while (i < value.length) {
    const first = value[i];
    if (first === '"' || first === "'") {
      const quoted = readQuoted(value, i, first);
      items.push(quoted.item);
      i = quoted.end;
    } else {
      const comma = value.indexOf(',', i);
      const end = comma < 0 ? value.length : comma;
      const item = value.slice(i, end).trim();
      if (item !== '') items.push(item);
      i = end;
    }
    i = skipSpaces(value, i);
    if (value[i] === ',') i = skipSpaces(value, i + 1);
  }
  return items;
}

/** The quoted item starting at `start`; an unclosed quote runs to the end of the value. */
function readQuoted(value: string, start: number, quote: string): { item: string; end: number } {
  let item = '';
  let i = start + 1;
  while (i < value.length && value[i] !== quote) {
    if (value[i] === '\\' && i + 1 < value.length) i += 1;
    item += value[i];
    i += 1;
  }
  return { item, end: Math.min(i + 1, value.length) };
}

function skipSpaces(value: string, from: number): number {
  let i = from;
  while (i < value.length && /\s/.test(value[i] ?? '')) i += 1;
  return i;
}
