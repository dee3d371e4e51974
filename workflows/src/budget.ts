/**
 * Budget arithmetic (pure): what a step spent, and whether the tree may start another one.
 */
import type { AgentUsage, Budget, Usage } from './types.js';

export const NO_USAGE: Usage = { tokens: 0, costUsd: 0 };

/** Every token counts, cached ones too: they are billed, if at a lower rate. */
export function tokensOf(usage: AgentUsage | null | undefined): number {
  if (!usage) return 0;
  return usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
}

export function usageOf(...usages: Array<AgentUsage | null | undefined>): Usage {
  return usages.reduce<Usage>(
    (sum, usage) => ({
      tokens: sum.tokens + tokensOf(usage),
      costUsd: sum.costUsd + (usage?.costUsd ?? 0),
    }),
    NO_USAGE,
  );
}

export function addUsage(a: Usage, b: Usage): Usage {
  return { tokens: a.tokens + b.tokens, costUsd: a.costUsd + b.costUsd };
}

/** Why no new step may start (a limit reached), or null when the budget allows one. */
export function budgetExceeded(budget: Budget, usage: Usage, elapsedMs: number): string | null {
  if (budget.maxTokens !== undefined && usage.tokens >= budget.maxTokens) {
    return `token budget reached: ${usage.tokens} of ${budget.maxTokens} tokens used`;
  }
  if (budget.maxCostUsd !== undefined && usage.costUsd >= budget.maxCostUsd) {
    return `cost budget reached: $${usage.costUsd.toFixed(4)} of $${budget.maxCostUsd} spent`;
  }
  if (budget.maxWallTimeMs !== undefined && elapsedMs >= budget.maxWallTimeMs) {
    return `wall-time budget reached: ${Math.round(elapsedMs / 1000)} s of ${Math.round(budget.maxWallTimeMs / 1000)} s`;
  }
  return null;
}

/** Milliseconds until the wall-time limit, or undefined when there is none. */
export function wallTimeLeft(budget: Budget, elapsedMs: number): number | undefined {
  return budget.maxWallTimeMs === undefined ? undefined : budget.maxWallTimeMs - elapsedMs;
}
