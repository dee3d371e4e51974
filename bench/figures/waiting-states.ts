/**
 * The states a session can wait in for the worker memory figure. Issue #8 asks for sessions
 * "paused or awaiting approval": the default is awaiting_approval after a plan, the state an
 * operator's approval gate leaves a session in. A new state plugs in here (an id, how to start
 * a session that ends up waiting in it, how to tell it got there) and is chosen with
 * --waiting-state.
 */
import { sessionWorkflowId } from '@orchestrator/workflows/client';
import { startSession } from '../clients/sessions.js';
import { BENCH_AGENTS } from '../stack/agents.js';
import type { BenchStack } from '../stack/bench-stack.js';

export const WAITING_STATE_IDS = ['awaiting-approval', 'agent-backlog'] as const;
export type WaitingStateId = (typeof WAITING_STATE_IDS)[number];

export interface WaitingState {
  id: WaitingStateId;
  /** What the sessions wait for, as the table and README say it. */
  description: string;
  /** Starts one session that will end up waiting in this state; returns its id. */
  start(stack: BenchStack): Promise<string>;
  /** Whether that session is now waiting. */
  isWaiting(stack: BenchStack, sessionId: string): Promise<boolean>;
}

export const WAITING_STATES: Record<WaitingStateId, WaitingState> = {
  'awaiting-approval': {
    id: 'awaiting-approval',
    description:
      'awaiting_approval: the session planned one task (a command planner) and waits for an ' +
      "operator's approval of the plan (approvals.afterPlan), durably, in Temporal",
    start: async (stack) =>
      (
        await startSession(stack, BENCH_AGENTS.noop.name, 'wait for approval', 'bench approval', {
          plan: { planner: BENCH_AGENTS.planner.name },
          approvals: { afterPlan: true },
        })
      ).id,
    isWaiting: async (stack, sessionId) => {
      const response = await stack.api(`/api/sessions/${sessionId}`);
      if (response.status !== 200) return false;
      const { status } = (await response.json()) as { status: string };
      if (status === 'failed' || status === 'cancelled' || status === 'completed') {
        throw new Error(`session ${sessionId} ended ${status} instead of awaiting approval`);
      }
      return status === 'awaiting_approval';
    },
  },
  'agent-backlog': {
    id: 'agent-backlog',
    description:
      'status running, workspace prepared, its agent step scheduled on a queue no worker polls ' +
      '(like an approval gate, the workflow is blocked on something outside it and costs the ' +
      'worker only its cached state)',
    start: async (stack) => (await startSession(stack, BENCH_AGENTS.waiting.name, 'wait')).id,
    isWaiting: async (stack, sessionId) => {
      const description = await stack.client.workflow
        .getHandle(sessionWorkflowId(sessionId))
        .describe();
      return (description.raw.pendingActivities ?? []).some(
        (activity) => activity.activityType?.name === 'runAgentStep',
      );
    },
  },
};
