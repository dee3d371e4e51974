/**
 * Messages the session and task workflows handle. Clients (the gateway) import them from here,
 * as in temporalio/samples-typescript, so both sides agree on names and types.
 *
 * Operators talk to the session workflow only: pause/resume (signals), approve/reject and
 * raising the budget (updates, so the caller hears at once whether there was anything to
 * decide). Tasks talk to their session with signals: a task asks for a step permit, the session
 * grants it when the tree's concurrency and budget allow, and the task gives it back with the
 * step's checkpoint; that makes the session the one place that numbers and chains checkpoints,
 * sums usage and enforces the budget for the whole tree.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ApprovalDecision,
  Budget,
  CheckpointDraft,
  PendingApproval,
  SessionState,
  TaskNode,
  Usage,
} from './types.js';

/** The session's status, workspace, checkpoints, tree, usage and what it waits for. */
export const stateQuery = defineQuery<SessionState>('state');

export const pauseSignal = defineSignal<[{ by: string }]>('pause');
export const resumeSignal = defineSignal<[{ by: string }]>('resume');

export interface DecisionRequest {
  /** Which gate; absent: the only one waiting (refused when several wait). */
  gate?: PendingApproval['gate'];
  taskPath?: string;
  by: string;
  comment?: string;
}
export const approveUpdate = defineUpdate<ApprovalDecision, [DecisionRequest]>('approve');
export const rejectUpdate = defineUpdate<ApprovalDecision, [DecisionRequest]>('reject');

export interface BudgetChange {
  budget: Budget;
  by: string;
}
/** Replaces the limits (absent fields: unlimited); answers the budget now in force. */
export const setBudgetUpdate = defineUpdate<Budget, [BudgetChange]>('setBudget');

/** Task → session: a task wants to run an agent step. */
export const stepRequestSignal =
  defineSignal<[{ requestId: string; workflowId: string }]>('stepRequest');
/** Session → task: the step may start. */
export const stepGrantSignal = defineSignal<[{ requestId: string }]>('stepGrant');
/** Task → session: the step ended (with its checkpoint when it completed) and what it spent. */
export const stepReleaseSignal =
  defineSignal<[{ requestId: string; checkpoint: CheckpointDraft | null; usage: Usage }]>(
    'stepRelease',
  );
/** Task → session: a node of the tree changed (or a plan added nodes). */
export const taskUpdateSignal = defineSignal<[{ nodes: TaskNode[] }]>('taskUpdate');
/** Task → session: the task waits for an operator (e.g. a conflict its agent left). */
export const gateRequestSignal =
  defineSignal<
    [{ gate: PendingApproval['gate']; taskPath: string; reason: string; workflowId: string }]
  >('gateRequest');
/** Session → task: the operator's decision at the task's gate. */
export const gateDecisionSignal = defineSignal<[ApprovalDecision]>('gateDecision');
