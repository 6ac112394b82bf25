import { describe, expect, it } from 'vitest';
import { normalizeUuidText, UUID_PATTERN, uuidV7, uuidV7Time } from '../../src/internal/uuid-v7.js';

describe('uuidV7', () => {
  it('has version 7, the RFC variant and the given millisecond timestamp', () => {
    const now = Date.UTC(2024, 4, 1, 12, 0, 0, 123);
    const id = uuidV7(now);
    expect(id).toMatch(UUID_PATTERN);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(uuidV7Time(id)).toBe(now);
  });

  it('is strictly increasing within one millisecond', () => {
    const now = Date.UTC(2030, 0, 1);
    const ids = Array.from({ length: 5000 }, () => uuidV7(now));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!, `${ids[i - 1]} then ${ids[i]}`).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('never goes backwards when the clock does', () => {
    const later = uuidV7(Date.UTC(2031, 0, 1));
    const earlier = uuidV7(Date.UTC(2020, 0, 1));
    expect(earlier > later).toBe(true);
    expect(uuidV7Time(earlier)).toBe(Date.UTC(2031, 0, 1));
  });

  it('orders ids of later milliseconds after earlier ones', () => {
    const a = uuidV7(Date.UTC(2032, 0, 1));
    const b = uuidV7(Date.UTC(2032, 0, 1) + 1);
    expect(b > a).toBe(true);
    expect(uuidV7Time(b) - uuidV7Time(a)).toBe(1);
  });
});

describe('normalizeUuidText', () => {
  it('agrees with UUID_PATTERN on ids, their mutations and odd strings', () => {
    const alphabet = '0123456789abcdefABCDEF-gG_ :z';
    const samples = ['', '-'.repeat(36), uuidV7().toUpperCase(), `${uuidV7()}0`, uuidV7().slice(1)];
    for (let i = 0; i < 2000; i++) {
      const chars = [...uuidV7()];
      const at = Math.floor(Math.random() * chars.length);
      chars[at] = alphabet[Math.floor(Math.random() * alphabet.length)]!;
      samples.push(chars.join(''));
    }
    for (const s of samples) expect(normalizeUuidText(s), JSON.stringify(s)).toBe(UUID_PATTERN.test(s) ? s.toLowerCase() : undefined);
  });
});
