import { describe, expect, it } from 'vitest';
import { compactNumber, formatDuration, formatTimestamp, formatUsage, shortSha } from './format';

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

  it('formats a step usage compactly, with the cost when the agent reports one', () => {
    const usage = {
      inputTokens: 1200,
      outputTokens: 340,
      cacheReadTokens: 50,
      cacheWriteTokens: 0,
      costUsd: 0.01234,
    };
    expect(formatUsage(usage)).toBe('1.3k in / 340 out · $0.0123');
    expect(formatUsage({ ...usage, costUsd: null })).toBe('1.3k in / 340 out');
    expect(formatUsage(null)).toBe('—');
    expect(compactNumber(999)).toBe('999');
    expect(compactNumber(25_000)).toBe('25k');
    expect(compactNumber(2_500_000)).toBe('2.5M');
  });

  it('shortens commit SHAs like git', () => {
    expect(shortSha('0123456789abcdef')).toBe('0123456');
    expect(shortSha(null)).toBe('—');
  });
});
