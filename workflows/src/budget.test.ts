import { describe, expect, it } from 'vitest';
import { addUsage, budgetExceeded, tokensOf, usageOf, wallTimeLeft } from './budget.js';

const usage = (input: number, output: number, costUsd: number | null = null) => ({
  inputTokens: input,
  outputTokens: output,
  cacheReadTokens: 10,
  cacheWriteTokens: 5,
  costUsd,
});

describe('budget arithmetic', () => {
  it('counts every token, cached ones too, and sums cost where reported', () => {
    expect(tokensOf(usage(100, 50))).toBe(165);
    expect(tokensOf(null)).toBe(0);
    expect(usageOf(usage(100, 50, 0.25), null, usage(1, 1))).toEqual({
      tokens: 182,
      costUsd: 0.25,
    });
    expect(addUsage({ tokens: 1, costUsd: 0.5 }, { tokens: 2, costUsd: 0.25 })).toEqual({
      tokens: 3,
      costUsd: 0.75,
    });
  });

  it('stops new steps once a limit is reached, saying which', () => {
    const spent = { tokens: 1000, costUsd: 2 };
    expect(budgetExceeded({}, spent, 10_000_000)).toBeNull();
    expect(budgetExceeded({ maxTokens: 1001 }, spent, 0)).toBeNull();
    expect(budgetExceeded({ maxTokens: 1000 }, spent, 0)).toMatch(
      /token budget reached: 1000 of 1000/,
    );
    expect(budgetExceeded({ maxCostUsd: 2 }, spent, 0)).toMatch(/cost budget reached/);
    expect(budgetExceeded({ maxCostUsd: 2.01 }, spent, 0)).toBeNull();
    expect(budgetExceeded({ maxWallTimeMs: 60_000 }, spent, 60_000)).toMatch(
      /wall-time budget reached: 60 s of 60 s/,
    );
  });

  it('tells how long until the wall-time limit', () => {
    expect(wallTimeLeft({}, 5)).toBeUndefined();
    expect(wallTimeLeft({ maxWallTimeMs: 1000 }, 400)).toBe(600);
  });
});
