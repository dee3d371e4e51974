import { describe, expect, it } from 'vitest';
import { measureTier, tierRank } from './tiers.js';

describe('measureTier', () => {
  it('uses the original thresholds', () => {
    expect(measureTier(19, 20).level).toBe('elite'); // 95 %
    expect(measureTier(18, 20).level).toBe('advanced'); // 90 %
    expect(measureTier(17, 20).level).toBe('advanced'); // 85 %
    expect(measureTier(14, 20).level).toBe('competent'); // 70 %
    expect(measureTier(13, 20).level).toBe('trainee'); // 65 %
    expect(measureTier(10, 20).level).toBe('trainee'); // 50 %
    expect(measureTier(9, 20).level).toBe('degraded'); // 45 %
    expect(measureTier(0, 20)).toEqual({ level: 'degraded', successRate: 0, steps: 20 });
  });

  it('does not judge on too few attempts', () => {
    expect(measureTier(0, 0)).toEqual({ level: 'unrated', successRate: null, steps: 0 });
    expect(measureTier(4, 4)).toEqual({ level: 'unrated', successRate: 1, steps: 4 });
  });

  it('ranks unrated like competent, degraded last', () => {
    expect(tierRank('elite')).toBeGreaterThan(tierRank('advanced'));
    expect(tierRank('unrated')).toBe(tierRank('competent'));
    expect(tierRank('trainee')).toBeGreaterThan(tierRank('degraded'));
  });
});
