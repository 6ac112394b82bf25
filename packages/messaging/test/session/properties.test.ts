import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@tributary/core';
import { ALL_FIXED_PROPERTIES, ALL_USER_PROPERTIES, FixedProperties } from '@tributary/messaging';
import { fixedProperties, selectProperties, validateUserProperties } from '../../src/session/properties.js';

describe('session properties', () => {
  const all: Record<string, string> = { ...fixedProperties('s-1', 1700000000000), Country: 'UK', Team: 'ops' };

  it('sets every fixed property, each starting with $', () => {
    expect(Object.keys(fixedProperties('s-1', 1)).sort()).toEqual(Object.values(FixedProperties).sort());
    expect(all.$SessionId).toBe('s-1');
    expect(all.$ProcessId).toBe(String(process.pid));
    expect(all.$StartTime).toBe('1700000000000');
  });

  it('selects named keys, all fixed ones, all user ones, as Diffusion does', () => {
    expect(selectProperties(all, [])).toEqual({});
    expect(selectProperties(all, ['Country', '$Host', 'Missing'])).toEqual({ Country: 'UK', $Host: all.$Host });
    expect(Object.keys(selectProperties(all, [ALL_FIXED_PROPERTIES])).every((k) => k.startsWith('$'))).toBe(true);
    expect(selectProperties(all, [ALL_USER_PROPERTIES])).toEqual({ Country: 'UK', Team: 'ops' });
    expect(selectProperties(all, [ALL_FIXED_PROPERTIES, ALL_USER_PROPERTIES])).toEqual(all);
  });

  it('refuses user properties that are not strings or use a reserved name', () => {
    expect(validateUserProperties(undefined)).toEqual({});
    expect(validateUserProperties({ A: 'x', b_c: '' })).toEqual({ A: 'x', b_c: '' });
    for (const bad of [{ $Host: 'x' }, { 'a b': 'x' }, { n: 5 }, [], 'text', null]) {
      expect(() => validateUserProperties(bad), JSON.stringify(bad)).toThrow(InvalidArgumentError);
    }
    expect(() => validateUserProperties({ n: 5 })).toThrow(/properties\.n must be a string/);
  });
});
