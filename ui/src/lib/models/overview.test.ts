import { describe, expect, it } from 'vitest';
import { addTokens, formatPercent, startOfDay, successRate } from './overview';
import { formatCost, totalCost } from './session-usage';
import { checkpoint } from '$lib/testing/fixtures';

describe('overview figures', () => {
  it('starts the day at local midnight', () => {
    const now = new Date(2025, 4, 17, 15, 42, 7).getTime();
    expect(startOfDay(now).getTime()).toBe(new Date(2025, 4, 17).getTime());
  });

  it('rates success over finished sessions only', () => {
    expect(successRate(0, 0)).toBeNull();
    expect(successRate(3, 1)).toBe(0.75);
    expect(formatPercent(null)).toBe('—');
    expect(formatPercent(1)).toBe('100%');
    // Never rounds up to a perfect score that was not reached.
    expect(formatPercent(0.9996)).toBe('99.9%');
    expect(formatPercent(0.75)).toBe('75.0%');
  });

  it('sums tokens page by page and says when it stopped early', () => {
    let sum = addTokens({ tokens: 0, sessions: 0, partial: false }, [{ tokensUsed: 5 }], true);
    sum = addTokens(sum, [{ tokensUsed: 7 }, { tokensUsed: 0 }], false);
    expect(sum).toEqual({ tokens: 12, sessions: 3, partial: false });
  });

  it('adds up the cost of the steps that report one', () => {
    const usage = {
      inputTokens: 1,
      outputTokens: 1,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.25,
    };
    expect(totalCost([checkpoint(1), checkpoint(2, { usage: { ...usage, costUsd: null } })])).toBe(
      null,
    );
    expect(totalCost([checkpoint(1, { usage }), checkpoint(2, { usage })])).toBe(0.5);
    expect(formatCost(0.5)).toBe('$0.5000');
    expect(formatCost(12.345)).toBe('$12.35');
    expect(formatCost(null)).toBe('—');
  });
});
