import { describe, expect, it } from 'vitest';
import { formatDuration, formatTimestamp, shortSha } from './format';

describe('format', () => {
  it('formats timestamps as local date and time, and a dash for none', () => {
    const local = new Date(2025, 0, 31, 4, 5, 9).toISOString();
    expect(formatTimestamp(local)).toBe('2025-01-31 04:05:09');
    expect(formatTimestamp(null)).toBe('—');
    expect(formatTimestamp('not a date')).toBe('—');
  });

  it('formats durations', () => {
    const start = '2025-01-01T00:00:00Z';
    expect(formatDuration(start, '2025-01-01T00:00:12Z')).toBe('12s');
    expect(formatDuration(start, '2025-01-01T00:03:07Z')).toBe('3m 07s');
    expect(formatDuration(start, '2025-01-01T01:02:30Z')).toBe('1h 02m');
    expect(formatDuration(start, null, Date.parse('2025-01-01T00:00:05Z'))).toBe('5s');
  });

  it('shortens commit SHAs like git', () => {
    expect(shortSha('0123456789abcdef')).toBe('0123456');
    expect(shortSha(null)).toBe('—');
  });
});
