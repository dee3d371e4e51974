/**
 * The story of a session: prepare a workspace, run one agent step, record its result as a
 * checkpoint. Status lives in the SessionStatus search attribute (for lists and filters) and is
 * answered by the `state` query; log lines never enter history, the activities stream them.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ActivityCancellationType,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AgentActivities, OrchestratorActivities } from '@orchestrator/activities/contracts';
import { stateQuery } from './messages.js';
import { SessionStatusKey, TokensUsedKey } from './search-attributes.js';
import { agentTaskQueue } from './task-queues.js';
import type { SessionInput, SessionState, SessionStatus } from './types.js';
import { describeFailure } from './failure.js';

/** Agent errors that retrying cannot fix (kept in sync with activities' contract). */
const NON_RETRYABLE_AGENT_ERRORS = ['AgentExitError', 'AgentConfigError', 'WorkspaceError'];

const DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;
const DEFAULT_STEP_TIMEOUT_MS = 2 * 60 * 60 * 1000;

const { prepareWorkspace } = proxyActivities<OrchestratorActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE_AGENT_ERRORS },
});

/**
 * A regular (not local) activity on purpose: it is scheduled in the same workflow task
 * completion as the search attribute upsert, so by the time a client hears "completed" on the
 * log bus, Temporal already answers "completed" too.
 */
const { publishStatus } = proxyActivities<OrchestratorActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 5 },
});

export async function session(input: SessionInput): Promise<SessionState> {
  const state: SessionState = {
    status: 'pending',
    workspace: null,
    checkpoints: [],
    error: null,
    tokensUsed: 0,
  };
  setHandler(stateQuery, () => state);

  async function setStatus(status: SessionStatus, detail?: string): Promise<void> {
    state.status = status;
    // upsertSearchAttributes with the typed key form keeps the attribute's type checked.
    upsertSearchAttributes([{ key: SessionStatusKey, value: status }]);
    await publishStatus({ sessionId: input.sessionId, status, ...(detail ? { detail } : {}) });
  }

  const { runAgentStep } = proxyActivities<AgentActivities>({
    taskQueue: agentTaskQueue(input.agent),
    heartbeatTimeout: input.options?.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
    startToCloseTimeout: input.options?.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
    // Wait for the agent to confirm it killed its process group before reporting cancelled.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      initialInterval: '1 second',
      maximumAttempts: 5,
      nonRetryableErrorTypes: NON_RETRYABLE_AGENT_ERRORS,
    },
  });

  try {
    await setStatus('running');
    const workspace = await prepareWorkspace({
      sessionId: input.sessionId,
      repository: input.repository,
    });
    state.workspace = workspace.path;

    const step = state.checkpoints.length + 1;
    const startedAt = new Date().toISOString();
    const result = await runAgentStep({
      sessionId: input.sessionId,
      agent: input.agent,
      goal: input.goal,
      workspace: workspace.path,
      step,
    });
    state.checkpoints.push({
      seq: step,
      agent: input.agent,
      commitSha: result.commitSha,
      changed: result.changed,
      exitCode: result.exitCode,
      summary: result.summary,
      usage: result.usage ?? null,
      startedAt,
      finishedAt: new Date().toISOString(),
    });
    if (result.usage) {
      const { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens } = result.usage;
      state.tokensUsed += inputTokens + outputTokens + cacheReadTokens + cacheWriteTokens;
      upsertSearchAttributes([{ key: TokensUsedKey, value: state.tokensUsed }]);
    }
    await setStatus('completed', result.summary);
    return state;
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() => setStatus('cancelled'));
      throw error;
    }
    state.error = describeFailure(error);
    await setStatus('failed', state.error);
    throw ApplicationFailure.create({
      type: 'SessionFailed',
      message: `Session ${workflowInfo().workflowId} failed: ${state.error}`,
      nonRetryable: true,
      cause: error instanceof Error ? error : undefined,
    });
  }
}
