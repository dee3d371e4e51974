import { describe, expect, it } from 'vitest';
import { compareEntryIds, formatEntryId, isEntryId, parseEntryId } from './entry-id.js';

describe('entry ids', () => {
  it('compare numerically, milliseconds first, then sequence', () => {
    expect(compareEntryIds('9-0', '10-0')).toBeLessThan(0);
    expect(compareEntryIds('10-2', '10-10')).toBeLessThan(0);
    expect(compareEntryIds('10-10', '10-2')).toBeGreaterThan(0);
    expect(compareEntryIds('1700000000000-5', '1700000000000-5')).toBe(0);
    expect(['10-0', '9-1', '9-0', '10-10', '10-2'].sort(compareEntryIds)).toEqual([
      '9-0',
      '9-1',
      '10-0',
      '10-2',
      '10-10',
    ]);
  });

  it('parse and format round-trip', () => {
    expect(parseEntryId('1700000000000-12')).toEqual({ ms: 1700000000000, seq: 12 });
    expect(formatEntryId({ ms: 1700000000000, seq: 12 })).toBe('1700000000000-12');
  });

  it('reject anything else with the expected form', () => {
    for (const bad of ['', '12', '12-', '-1', 'a-b', '1-2-3', ' 1-2', '99999999999999999999-0']) {
      expect(isEntryId(bad)).toBe(false);
      expect(() => parseEntryId(bad)).toThrow(/expected "<milliseconds>-<sequence>"/);
    }
    expect(isEntryId('0-0')).toBe(true);
  });
});
