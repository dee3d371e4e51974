/**
 * What happens to an agent's state dir (agent-state-dir.ts) when its run ends: it is kept only
 * when a retry could resume from it (a kill, a model error, a stall, any retryable failure; a
 * crashed worker runs nothing at all), and removed after success, a cancellation or a failure
 * that fails the step for good.
 */
import type { AgentStateDir } from './agent-state-dir.js';
import { isAgentStall } from './stall-watchdog.js';

export async function withStateKeptForRetry<T>(
  state: AgentStateDir,
  signal: AbortSignal,
  run: () => Promise<T>,
): Promise<T> {
  let keep = false;
  try {
    return await run();
  } catch (error) {
    keep = !signal.aborted && isRetryableFailure(error);
    throw error;
  } finally {
    if (isAgentStall(signal.reason)) keep = true;
    if (!keep) await state.remove().catch(() => undefined);
  }
}

/** An ApplicationFailure that Temporal may retry (`nonRetryable: false`). */
export function isRetryableFailure(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'nonRetryable' in error &&
    (error as { nonRetryable?: boolean }).nonRetryable === false
  );
}
