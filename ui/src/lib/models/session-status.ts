import type {
  ApprovalGate,
  Checkpoint,
  PendingApproval,
  SessionDetail,
  SessionStatus,
} from '$lib/types/api';

const OPEN: readonly SessionStatus[] = ['pending', 'running', 'paused', 'awaiting_approval'];

/** A finished session never changes status again (until it is retried or rewound). */
export function isTerminal(status: SessionStatus): boolean {
  return !OPEN.includes(status);
}

/** Stop and force stop apply to any open session: waiting, running, paused or at a gate. */
export function canStop(status: SessionStatus): boolean {
  return !isTerminal(status);
}

/** Retry applies to a session that failed or was cancelled. */
export function canRetry(status: SessionStatus): boolean {
  return status === 'failed' || status === 'cancelled';
}

/** "awaiting_approval" → "awaiting approval", for labels. */
export function statusLabel(status: SessionStatus): string {
  return status.replace(/_/g, ' ');
}

/**
 * A budget gate cannot be approved: the gateway refuses until the limits are raised
 * (PUT …/budget) or the session is rejected there.
 */
export function canApproveGate(gate: ApprovalGate): boolean {
  return gate !== 'budget';
}

/** Rewinding (Temporal reset) applies to the session's own checkpoints; a task's is forked. */
export function canRewindTo(checkpoint: Checkpoint): boolean {
  return checkpoint.taskPath === '';
}

/** A fork starts from a checkpoint's commit, so it needs one. */
export function canForkFrom(checkpoint: Checkpoint): boolean {
  return checkpoint.commitSha !== null;
}

/** What the header's buttons may do for a session in its current status. */
export interface SessionControls {
  stop: boolean;
  retry: boolean;
  pause: boolean;
  resume: boolean;
  /** Approve or reject a gate that waits (not the budget's: raise it instead). */
  decide: boolean;
  /** Change the limits (any open session; the form shows itself when the budget gate waits). */
  budget: boolean;
}

/**
 * Which controls the status allows. `paused` is the detail's flag: a paused session shows
 * `running` until its running steps end, and can be resumed from the moment it was paused.
 */
export function sessionControls(
  status: SessionStatus,
  detail: Pick<SessionDetail, 'paused' | 'pending'> | null,
): SessionControls {
  const open = !isTerminal(status);
  const paused = status === 'paused' || (detail?.paused ?? false);
  const pending: readonly PendingApproval[] = detail?.pending ?? [];
  return {
    stop: canStop(status),
    retry: canRetry(status),
    pause: open && !paused && (status === 'running' || status === 'pending'),
    resume: open && paused,
    decide: open && pending.length > 0,
    budget: open,
  };
}

/** Whether the budget gate is what the session waits for. */
export function waitsForBudget(pending: readonly PendingApproval[]): boolean {
  return pending.some((entry) => entry.gate === 'budget');
}

/** "the plan", "the merge of 2.1", … for dialog titles. */
export function gateLabel(entry: Pick<PendingApproval, 'gate' | 'taskPath'>): string {
  const names: Record<ApprovalGate, string> = {
    plan: 'plan',
    merge: 'merge',
    budget: 'budget',
    conflict: 'merge conflict',
  };
  const where = entry.taskPath === '' ? '' : ` of task ${entry.taskPath}`;
  return `the ${names[entry.gate]}${where}`;
}
