/**
 * What operators tell a running session: approve or reject at a gate and change the budget
 * (Temporal updates: the workflow's validator answers at once whether there was anything to
 * decide), pause and resume (signals). Each goes to the session's latest run, and is refused
 * with a 409 once that run has closed or recorded a terminal status.
 */
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import {
  approveUpdate,
  pauseSignal,
  rejectUpdate,
  resumeSignal,
  setBudgetUpdate,
  type ApprovalDecision,
  type Budget,
  type DecisionRequest,
  type SessionStatus,
} from '@orchestrator/workflows/client';
import { conflict, unavailable } from '../problem.js';
import type { Info, SessionService } from './service.js';
import { deriveStatus, hasEnded } from './status.js';

/** How long an update may wait for the session's worker to take it. */
const UPDATE_TIMEOUT_MS = 8_000;

export class SessionControls {
  constructor(private readonly sessions: SessionService) {}

  private async open(sessionId: string, done: string): Promise<Info> {
    const info = await this.sessions.describe(sessionId);
    if (hasEnded(info)) throw closed(sessionId, deriveStatus(info), done);
    return info;
  }

  decide(
    sessionId: string,
    decision: 'approved' | 'rejected',
    request: DecisionRequest,
  ): Promise<ApprovalDecision> {
    const update = decision === 'approved' ? approveUpdate : rejectUpdate;
    return this.update(sessionId, decision, (handle) =>
      handle.executeUpdate(update, { args: [request] }),
    );
  }

  setBudget(sessionId: string, budget: Budget, by: string): Promise<Budget> {
    return this.update(sessionId, 'given a new budget', (handle) =>
      handle.executeUpdate(setBudgetUpdate, { args: [{ budget, by }] }),
    );
  }

  async signal(
    sessionId: string,
    kind: 'pause' | 'resume',
    by: string,
  ): Promise<{ id: string; status: SessionStatus }> {
    const done = kind === 'pause' ? 'paused' : 'resumed';
    const info = await this.open(sessionId, done);
    // The current run, whichever it is: a session may continue as new between describe and now.
    const handle = this.sessions.client.workflow.getHandle(info.workflowId);
    try {
      await handle.signal(kind === 'pause' ? pauseSignal : resumeSignal, { by });
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw closed(sessionId, 'closed', done);
      throw error;
    }
    return { id: sessionId, status: deriveStatus(info) };
  }

  private async update<T>(
    sessionId: string,
    done: string,
    send: (handle: ReturnType<SessionService['client']['workflow']['getHandle']>) => Promise<T>,
  ): Promise<T> {
    const info = await this.open(sessionId, done);
    const { client } = this.sessions;
    // The current run (not describe's): a session may continue as new in between.
    const handle = client.workflow.getHandle(info.workflowId);
    try {
      return await client.withDeadline(Date.now() + UPDATE_TIMEOUT_MS, () => send(handle));
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        // The workflow's validator (or handler) refused: nothing waiting, several gates, …
        const reason = error.cause?.message ?? error.message;
        throw conflict(`Session "${sessionId}" refused: ${reason}`);
      }
      if (error instanceof WorkflowNotFoundError) throw closed(sessionId, 'closed', done);
      if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
        throw unavailable(
          `Session "${sessionId}" did not take the request within ${UPDATE_TIMEOUT_MS / 1000} s: ` +
            'no worker is polling the orchestrator task queue. Try again once one runs.',
        );
      }
      throw error;
    }
  }
}

/** `done`: what the request would have done, e.g. `paused`, `given a new budget`. */
function closed(sessionId: string, status: string, done: string) {
  return conflict(
    `Session "${sessionId}" is ${status}; only a running session can be ${done} ` +
      '(retry it, or fork it from a checkpoint).',
  );
}
