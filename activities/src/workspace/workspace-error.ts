import { ApplicationFailure } from '@temporalio/common';

/**
 * A workspace problem a retry cannot fix (a path outside the allowed roots, not a repository):
 * failing at once with the reason beats retrying for the activity's whole schedule.
 */
export function workspaceError(message: string, cause?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'WorkspaceError',
    message,
    nonRetryable: true,
    ...(cause instanceof Error ? { cause } : {}),
  });
}
