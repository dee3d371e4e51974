/**
 * The story of a task, one node of a session's tree: its own worktree and branch (starting at
 * its parent's plan commit, with the branches of the tasks it depends on merged in), then
 * either one agent step, or — when the plan asks it to decompose and depth allows — a plan of
 * its own, run as child tasks and merged back. Its steps run under permits from the session,
 * which also numbers their checkpoints and counts their usage.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { NO_USAGE } from './budget.js';
import { describeFailure } from './failure.js';
import {
  gateDecisionSignal,
  gateRequestSignal,
  stateQuery,
  stepGrantSignal,
  stepReleaseSignal,
  stepRequestSignal,
  taskUpdateSignal,
} from './messages.js';
import { AgentNameKey, SessionStatusKey } from './search-attributes.js';
import { chooseAgent, mergeStep, planStep, runStep, workspaceActivities } from './steps.js';
import type { StepHost } from './steps.js';
import { runPlan } from './tree-runner.js';
import type {
  ApprovalDecision,
  SessionState,
  TaskInput,
  TaskNode,
  TaskResult,
  TaskStatus,
} from './types.js';

export async function task(input: TaskInput): Promise<TaskResult> {
  const workflowId = workflowInfo().workflowId;
  const session = getExternalWorkflowHandle(input.rootWorkflowId);
  const node: TaskNode = {
    path: input.path,
    planId: input.task.id,
    workflowId,
    title: input.task.title,
    status: 'running',
    agent: input.task.agent ?? null,
    dependsOn: input.task.dependsOn,
    usage: NO_USAGE,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    error: null,
  };
  const state: SessionState = {
    status: 'running',
    workspace: null,
    checkpoints: [],
    error: null,
    tokensUsed: 0,
    agent: node.agent,
  };
  setHandler(stateQuery, () => state);
  const grants = new Set<string>();
  setHandler(stepGrantSignal, ({ requestId }) => {
    grants.add(requestId);
  });
  let decision: ApprovalDecision | null = null;
  setHandler(gateDecisionSignal, (received) => {
    decision = received;
  });
  let requests = 0;
  let steps = 0;
  let lastSha = input.baseSha;

  const host: StepHost = {
    sessionId: input.sessionId,
    workflowId,
    taskPath: input.path,
    options: input.options,
    async acquire() {
      const requestId = `${workflowId}#${++requests}`;
      await session.signal(stepRequestSignal, { requestId, workflowId });
      await condition(() => grants.has(requestId));
      grants.delete(requestId);
      return requestId;
    },
    async release(permit, checkpoint, usage) {
      if (checkpoint?.commitSha) lastSha = checkpoint.commitSha;
      if (checkpoint) state.checkpoints.push({ ...checkpoint, seq: 0, prevHash: '', hash: '' });
      state.tokensUsed += usage.tokens;
      // '' : a step that held no permit (a merge).
      await session.signal(stepReleaseSignal, { requestId: permit ?? '', checkpoint, usage });
    },
    nextStep: () => ++steps,
    async waitForOperator(gate, reason) {
      decision = null;
      await report('awaiting_approval');
      await session.signal(gateRequestSignal, { gate, taskPath: input.path, reason, workflowId });
      await condition(() => decision !== null);
      await report('running');
      return decision as unknown as ApprovalDecision;
    },
  };

  async function report(status: TaskStatus, error: string | null = null): Promise<void> {
    node.status = status;
    node.error = error;
    if (status !== 'running') node.finishedAt = new Date().toISOString();
    if (status !== 'skipped') {
      state.status = status;
      upsertSearchAttributes([{ key: SessionStatusKey, value: status }]);
    }
    await session.signal(taskUpdateSignal, { nodes: [node] });
  }

  const { prepareTaskWorkspace, resetWorkspace } = workspaceActivities(input.options);
  try {
    await report('running');
    const workspace = await prepareTaskWorkspace({
      sessionId: input.sessionId,
      taskPath: input.path,
      parentWorkspace: input.parentWorkspace,
      baseSha: input.baseSha,
    });
    state.workspace = workspace.path;
    // After a reset of the session, the worktree may hold a newer attempt's commits.
    if (input.baseSha) await resetWorkspace({ workspace: workspace.path, sha: input.baseSha });
    const resolver = () => chooseAgent(input.sessionId, input.task.agent, input.task.capabilities);

    if (input.dependencyBranches.length > 0) {
      lastSha = await mergeStep(host, {
        workspace: workspace.path,
        branches: input.dependencyBranches,
        baseSha: input.baseSha,
        resolver,
      });
    }

    const decompose = input.task.decompose && input.depth < input.plan.maxDepth;
    if (!decompose) {
      const choice = await chooseAgent(input.sessionId, input.task.agent, input.task.capabilities);
      node.agent = choice.agent;
      state.agent = choice.agent;
      upsertSearchAttributes([{ key: AgentNameKey, value: choice.agent }]);
      await report('running');
      await runStep(host, {
        choice,
        role: 'work',
        goal: input.task.goal,
        taskGoal: input.task.goal,
        workspace: workspace.path,
        baseSha: lastSha,
      });
      await report('completed');
      return {
        path: input.path,
        status: 'completed',
        branch: workspace.branch,
        headSha: lastSha,
        error: null,
      };
    }

    const planner = await chooseAgent(input.sessionId, input.plan.planner, ['plan']);
    node.agent = planner.agent;
    const { plan, headSha } = await planStep(host, {
      choice: planner,
      goal: input.task.goal,
      workspace: workspace.path,
      baseSha: lastSha,
      maxChildren: input.plan.maxChildren,
    });
    const result = await runPlan(
      {
        sessionId: input.sessionId,
        rootWorkflowId: input.rootWorkflowId,
        parentPath: input.path,
        depth: input.depth + 1,
        repository: input.repository,
        workspace: workspace.path,
        baseSha: headSha,
        settings: input.plan,
        options: input.options,
        report: (nodes) => session.signal(taskUpdateSignal, { nodes }),
      },
      plan,
    );
    // Only the session yields (to continue as new); a task's plan always runs to its end.
    if (result.yielded) throw new Error('a task plan yielded without being asked to');
    const outcome = result;
    lastSha = headSha;
    if (outcome.completedBranches.length > 0) {
      lastSha = await mergeStep(host, {
        workspace: workspace.path,
        branches: outcome.completedBranches,
        baseSha: headSha,
        resolver,
      });
    }
    const partial = outcome.failed + outcome.skipped > 0;
    const error = partial
      ? `partial: ${outcome.completed} of ${plan.tasks.length} sub-task(s) completed; ${outcome.problems.join('; ')}`
      : null;
    await report(partial ? 'failed' : 'completed', error);
    return {
      path: input.path,
      status: partial ? 'partial' : 'completed',
      branch: workspace.branch,
      headSha: lastSha,
      error,
    };
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() => report('cancelled'));
      throw error;
    }
    const reason = describeFailure(error);
    state.error = reason;
    await report('failed', reason);
    throw ApplicationFailure.create({
      type: 'TaskFailed',
      message: `Task ${input.path} (${input.task.id}) failed: ${reason}`,
      nonRetryable: true,
      cause: error instanceof Error ? error : undefined,
    });
  }
}
