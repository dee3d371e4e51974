/**
 * The story of a session: prepare a workspace, run one agent step, record its result as a
 * checkpoint. Status lives in the SessionStatus search attribute (for lists and filters) and is
 * answered by the `state` query; log lines never enter history, the activities stream them.
 */
import {
  ApplicationFailure,
  CancellationScope,
  CancelledFailure,
  ActivityCancellationType,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { AgentActivities, OrchestratorActivities } from '@orchestrator/activities/contracts';
import { stateQuery } from './messages.js';
import { AgentNameKey, SessionStatusKey, TokensUsedKey } from './search-attributes.js';
import { agentTaskQueue } from './task-queues.js';
import type { RoutingRecord, SessionInput, SessionState, SessionStatus } from './types.js';
import { describeFailure } from './failure.js';

/** Agent errors that retrying cannot fix (kept in sync with activities' contract). */
const NON_RETRYABLE_AGENT_ERRORS = ['AgentExitError', 'AgentConfigError', 'WorkspaceError'];

const DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;
const DEFAULT_STEP_TIMEOUT_MS = 2 * 60 * 60 * 1000;

/**
 * The activity heartbeats through a clone of any length; the heartbeat timeout is what notices
 * a worker that died mid-prepare. Without one, the retry waited out the whole start-to-close
 * timeout: the chaos run (bench/chaos) saw a session stall 10 minutes after a worker kill.
 */
const workspaceActivities = (heartbeatTimeoutMs: number) =>
  proxyActivities<OrchestratorActivities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: heartbeatTimeoutMs,
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

/**
 * Retried for about half a minute when no agent qualifies: a worker that can run one may be
 * starting. After that the session fails with every candidate's reason.
 */
const { routeAgent } = proxyActivities<OrchestratorActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 4 },
});

export async function session(input: SessionInput): Promise<SessionState> {
  const state: SessionState = {
    status: 'pending',
    workspace: null,
    checkpoints: [],
    error: null,
    tokensUsed: 0,
    agent: input.agent || null,
  };
  setHandler(stateQuery, () => state);
  const { prepareWorkspace } = workspaceActivities(
    input.options?.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
  );

  async function setStatus(status: SessionStatus, detail?: string): Promise<void> {
    state.status = status;
    // upsertSearchAttributes with the typed key form keeps the attribute's type checked.
    upsertSearchAttributes([{ key: SessionStatusKey, value: status }]);
    await publishStatus({ sessionId: input.sessionId, status, ...(detail ? { detail } : {}) });
  }

  /** The named agent, or the one routing picks for the step's capabilities. */
  async function chooseAgent(): Promise<{ agent: string; routing: RoutingRecord | null }> {
    if (input.agent) return { agent: input.agent, routing: null };
    const decision = await routeAgent({
      sessionId: input.sessionId,
      capabilities: input.route?.capabilities ?? [],
      ...(input.route?.minTier ? { minTier: input.route.minTier } : {}),
    });
    upsertSearchAttributes([{ key: AgentNameKey, value: decision.agent }]);
    upsertMemo({ agent: decision.agent });
    return { agent: decision.agent, routing: { agent: decision.agent, reason: decision.reason } };
  }

  const agentActivities = (agent: string) =>
    proxyActivities<AgentActivities>({
      taskQueue: agentTaskQueue(agent),
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

    const { agent, routing } = await chooseAgent();
    state.agent = agent;
    const step = state.checkpoints.length + 1;
    const startedAt = new Date().toISOString();
    const result = await agentActivities(agent).runAgentStep({
      sessionId: input.sessionId,
      agent,
      goal: input.goal,
      workspace: workspace.path,
      step,
    });
    state.checkpoints.push({
      seq: step,
      agent,
      commitSha: result.commitSha,
      changed: result.changed,
      exitCode: result.exitCode,
      summary: result.summary,
      usage: result.usage ?? null,
      ...(routing ? { routing } : {}),
      startedAt,
      finishedAt: new Date().toISOString(),
    });
    // Tokens spent by attempts that failed or were killed count too: they were paid for.
    const spent = [result.usage, result.earlierAttemptsUsage];
    const tokens = spent.reduce(
      (sum, usage) =>
        sum +
        (usage
          ? usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens
          : 0),
      0,
    );
    if (tokens > 0) {
      state.tokensUsed += tokens;
      upsertSearchAttributes([{ key: TokensUsedKey, value: state.tokensUsed }]);
    }
    await setStatus('completed', result.summary);
    return state;
  } catch (error) {
    // A stop is a stop even when the step it interrupted ended otherwise (its agent timed out
    // while being stopped, say): in the cancelled scope, publishing "failed" would throw before
    // anyone heard, and the session would close cancelled while SessionStatus says failed
    // (found by the chaos run, bench/chaos).
    if (isCancellation(error) || CancellationScope.current().consideredCancelled) {
      await CancellationScope.nonCancellable(() => setStatus('cancelled'));
      throw isCancellation(error)
        ? error
        : new CancelledFailure(
            'The session was stopped while its step ended',
            [],
            error instanceof Error ? error : undefined,
          );
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
