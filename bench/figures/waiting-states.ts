/**
 * The states a session can wait in for the worker memory figure. Issue #8 asks for sessions
 * "paused or awaiting approval"; those states do not exist yet, so the bench uses the closest
 * real one and says so. A new state plugs in here (an id, how to start a session that ends up
 * waiting in it, how to tell it got there) and is chosen with --waiting-state.
 */
import { sessionWorkflowId } from '@orchestrator/workflows/client';
import { startSession } from '../clients/sessions.js';
import { BENCH_AGENTS } from '../stack/agents.js';
import type { BenchStack } from '../stack/bench-stack.js';

export const WAITING_STATE_IDS = ['agent-backlog'] as const;
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
  'agent-backlog': {
    id: 'agent-backlog',
    description:
      'status running, workspace prepared, its agent step scheduled on a queue no worker polls ' +
      '(the closest real waiting state: paused and awaiting_approval do not exist yet; like them, ' +
      'the workflow is blocked on something outside it and costs the worker only its cached state)',
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
