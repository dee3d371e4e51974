import type { WorkflowExecutionInfo } from '@temporalio/client';
import { SessionStatusKey, type SessionStatus } from '@orchestrator/workflows/client';

/**
 * A session's status: the SessionStatus search attribute while the workflow runs, the execution
 * status once it closed (a terminated workflow could not record `cancelled` itself).
 */
export function deriveStatus(
  info: Pick<WorkflowExecutionInfo, 'status' | 'typedSearchAttributes'>,
): SessionStatus {
  const recorded = info.typedSearchAttributes.get(SessionStatusKey) as SessionStatus | undefined;
  switch (info.status.name) {
    case 'COMPLETED':
      return 'completed';
    case 'FAILED':
    case 'TIMED_OUT':
      return 'failed';
    case 'CANCELLED':
    case 'TERMINATED':
      return 'cancelled';
    default:
      return recorded ?? 'pending';
  }
}

export function isClosed(info: Pick<WorkflowExecutionInfo, 'status'>): boolean {
  return info.status.name !== 'RUNNING';
}

/**
 * Visibility query for one status, consistent with deriveStatus: open statuses come from the
 * search attribute of running workflows, closed ones from the execution status.
 */
export function statusQuery(status: SessionStatus): string {
  switch (status) {
    case 'completed':
      return `ExecutionStatus = 'Completed'`;
    case 'failed':
      return `(ExecutionStatus = 'Failed' OR ExecutionStatus = 'TimedOut')`;
    case 'cancelled':
      return `(ExecutionStatus = 'Canceled' OR ExecutionStatus = 'Terminated')`;
    default:
      return `ExecutionStatus = 'Running' AND SessionStatus = '${status}'`;
  }
}
