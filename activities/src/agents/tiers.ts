/**
 * Tiers are measured, not declared: an agent's success rate over its recent finished attempts,
 * with the thresholds of the original system. Too few attempts to judge → `unrated`.
 */
export const TIER_LEVELS = ['elite', 'advanced', 'competent', 'trainee', 'degraded'] as const;
export type TierLevel = (typeof TIER_LEVELS)[number];
export type MeasuredTier = TierLevel | 'unrated';

/** Lowest success rate of each tier; below trainee's is degraded. */
export const TIER_THRESHOLDS: Record<Exclude<TierLevel, 'degraded'>, number> = {
  elite: 0.95,
  advanced: 0.85,
  competent: 0.7,
  trainee: 0.5,
};

/** How many recent finished attempts the rate is taken over, and how many it needs. */
export const TIER_WINDOW = 50;
export const TIER_MIN_STEPS = 5;

export interface AgentTier {
  level: MeasuredTier;
  /** Succeeded / judged attempts over the window; null when there are none. */
  successRate: number | null;
  /** Judged attempts in the window (cancelled and lost ones are not the agent's doing). */
  steps: number;
}

export function measureTier(succeeded: number, steps: number): AgentTier {
  const successRate = steps === 0 ? null : succeeded / steps;
  if (successRate === null || steps < TIER_MIN_STEPS) {
    return { level: 'unrated', successRate, steps };
  }
  const level =
    (Object.entries(TIER_THRESHOLDS) as Array<[TierLevel, number]>).find(
      ([, threshold]) => successRate >= threshold,
    )?.[0] ?? 'degraded';
  return { level, successRate, steps };
}

/**
 * The rank routing compares (higher is better). An unrated agent counts as competent: new
 * agents get work, and their measured tier takes over after TIER_MIN_STEPS attempts.
 */
export function tierRank(level: MeasuredTier): number {
  const effective = level === 'unrated' ? 'competent' : level;
  return TIER_LEVELS.length - TIER_LEVELS.indexOf(effective);
}

export function isTierLevel(value: unknown): value is TierLevel {
  return typeof value === 'string' && (TIER_LEVELS as readonly string[]).includes(value);
}
