import { describe, expect, it } from 'vitest';
import {
  budgetBars,
  budgetDraftOf,
  formatSpan,
  hasLimits,
  parseBudgetDraft,
  wallTimeMs,
} from './budget';

describe('budget bars', () => {
  it('measures tokens, cost and wall time against their limits, toned by how close they are', () => {
    const bars = budgetBars(
      { tokens: 1500, costUsd: 0.8 },
      { maxTokens: 2000, maxCostUsd: 0.5, maxWallTimeMs: 600_000 },
      60_000,
    );
    expect(bars.map(({ key, ratio, over, tone }) => ({ key, ratio, over, tone }))).toEqual([
      { key: 'tokens', ratio: 0.75, over: false, tone: 'high' },
      { key: 'cost', ratio: 1, over: true, tone: 'full' },
      { key: 'wall', ratio: 0.1, over: false, tone: 'ok' },
    ]);
    expect(bars.map((bar) => `${bar.usedText} / ${bar.limitText}`)).toEqual([
      '1.5k / 2.0k',
      '$0.8000 / $0.5000',
      '1m 00s / 10m 00s',
    ]);
  });

  it('shows what was spent without a ratio where there is no limit', () => {
    const [tokens, cost, wall] = budgetBars({ tokens: 42, costUsd: 0 }, {}, 5_000);
    expect(tokens).toMatchObject({ limit: null, ratio: null, over: false, tone: 'unlimited' });
    expect(tokens?.limitText).toBe('no limit');
    expect(cost?.usedText).toBe('$0.0000');
    expect(wall?.usedText).toBe('5s');
    expect(hasLimits({})).toBe(false);
    expect(hasLimits({ maxCostUsd: 1 })).toBe(true);
  });

  it('counts wall time from the start, to now while open', () => {
    const start = '2025-01-01T00:00:00Z';
    expect(wallTimeMs(start, '2025-01-01T00:02:00Z')).toBe(120_000);
    expect(wallTimeMs(start, null, Date.parse('2025-01-01T01:00:00Z'))).toBe(3_600_000);
    expect(wallTimeMs('nonsense', null)).toBe(0);
    expect(formatSpan(3_725_000)).toBe('1h 02m');
  });
});

describe('budget drafts', () => {
  it('reads limits as typed: empty is no limit, minutes become milliseconds', () => {
    expect(
      parseBudgetDraft({ maxTokens: '200_000', maxCostUsd: '$2.5', wallMinutes: '1.5' }),
    ).toEqual({
      budget: { maxTokens: 200_000, maxCostUsd: 2.5, maxWallTimeMs: 90_000 },
      errors: {},
    });
    expect(parseBudgetDraft({ maxTokens: '', maxCostUsd: ' ', wallMinutes: '' })).toEqual({
      budget: {},
      errors: {},
    });
  });

  it('refuses what the gateway would', () => {
    const { budget, errors } = parseBudgetDraft({
      maxTokens: '1.5',
      maxCostUsd: '0',
      wallMinutes: '0.001',
    });
    expect(budget).toEqual({});
    expect(Object.keys(errors).sort()).toEqual(['maxCostUsd', 'maxTokens', 'wallMinutes']);
  });

  it('starts a form from the limits in force', () => {
    expect(budgetDraftOf({ maxTokens: 10, maxWallTimeMs: 90_000 })).toEqual({
      maxTokens: '10',
      maxCostUsd: '',
      wallMinutes: '1.5',
    });
    expect(budgetDraftOf(null)).toEqual({ maxTokens: '', maxCostUsd: '', wallMinutes: '' });
  });
});
