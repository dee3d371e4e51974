import type { WorkflowExecutionInfo } from '@temporalio/client';
import {
  SessionStatusKey,
  TERMINAL_STATUSES,
  type SessionStatus,
} from '@orchestrator/workflows/client';

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
 * Closed, or about to: a session records its terminal status a moment before its run closes,
 * and in that moment a signal or cancel would still be accepted and do nothing.
 */
export function hasEnded(info: Pick<WorkflowExecutionInfo, 'status' | 'typedSearchAttributes'>) {
  return isClosed(info) || TERMINAL_STATUSES.includes(deriveStatus(info));
}

/**
 * Visibility query for one status, consistent with deriveStatus: open statuses come from the
 * search attribute of running workflows, closed ones from the execution status, and a terminal
 * status from either, since a session records it a moment before its run closes (someone who
 * saw "completed" on its page and filters by it must find it).
 */
export function statusQuery(status: SessionStatus): string {
  const recorded = `(ExecutionStatus = 'Running' AND SessionStatus = '${status}')`;
  switch (status) {
    case 'completed':
      return `(ExecutionStatus = 'Completed' OR ${recorded})`;
    case 'failed':
      return `(ExecutionStatus = 'Failed' OR ExecutionStatus = 'TimedOut' OR ${recorded})`;
    case 'cancelled':
      return `(ExecutionStatus = 'Canceled' OR ExecutionStatus = 'Terminated' OR ${recorded})`;
    default:
      return `ExecutionStatus = 'Running' AND SessionStatus = '${status}'`;
  }
}
