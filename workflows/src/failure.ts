import { ActivityFailure, ApplicationFailure, TemporalFailure } from '@temporalio/workflow';

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
