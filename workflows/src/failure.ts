import { ActivityFailure, ApplicationFailure, TemporalFailure } from '@temporalio/workflow';
import type { AgentUsage, SpentUsageDetail } from '@orchestrator/activities/contracts';

/**
 * The most useful one-line reason for a failure: the innermost application message (an agent's
 * "exit code 2: …") rather than the generic "Activity task failed" wrapper.
 */
export function describeFailure(error: unknown): string {
  let current: unknown = error;
  let best = error instanceof Error ? error.message : String(error);
  while (current instanceof TemporalFailure) {
    if (current instanceof ApplicationFailure && current.message) best = current.message;
    else if (!(current instanceof ActivityFailure) && current.message) best = current.message;
    current = current.cause;
  }
  return best;
}

/**
 * What a step that failed for good spent (its attempts' usage, which runAgentStep puts in its
 * failure's details as a SpentUsageDetail); null when the failure says nothing (a cancellation,
 * a timed-out attempt, a failure recorded before it carried usage).
 */
export function spentUsageOf(error: unknown): AgentUsage | null {
  const failure = error instanceof ActivityFailure ? error.cause : error;
  if (!(failure instanceof ApplicationFailure)) return null;
  for (const detail of failure.details ?? []) {
    const spent = (detail as Partial<SpentUsageDetail> | null)?.spentUsage;
    if (isAgentUsage(spent)) return spent;
  }
  return null;
}

function isAgentUsage(value: unknown): value is AgentUsage {
  if (typeof value !== 'object' || value === null) return false;
  const usage = value as Record<string, unknown>;
  const counts = ['inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens'];
  return (
    counts.every((key) => typeof usage[key] === 'number' && Number.isFinite(usage[key])) &&
    (usage.costUsd === null || typeof usage.costUsd === 'number')
  );
}
