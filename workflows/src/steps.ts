/**
 * The steps a session or a task takes, shared by both stories: choose an agent, run an agent
 * step under a permit, plan (with one second chance for an invalid plan), and merge branches
 * (handing a conflict to an agent). Every completed step becomes a checkpoint draft that the
 * host (the session itself, or a task through its session) numbers and chains.
 */
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  patched,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  AgentActivities,
  AgentStepResult,
  OrchestratorActivities,
  Plan,
  StepRole,
} from '@orchestrator/activities/contracts';
import { digest } from './checkpoint.js';
import { usageOf, NO_USAGE } from './budget.js';
import { spentUsageOf } from './failure.js';
import { PLAN_FILE, planningGoal, resolveGoal } from './planning-prompt.js';
import { agentTaskQueue } from './task-queues.js';
import type {
  ApprovalDecision,
  CheckpointDetail,
  CheckpointDraft,
  PendingApproval,
  RoutingRecord,
  SessionOptions,
  TierLevel,
  Usage,
} from './types.js';

/** Agent errors that retrying cannot fix (kept in sync with activities' contract). */
export const NON_RETRYABLE_AGENT_ERRORS = ['AgentExitError', 'AgentConfigError', 'WorkspaceError'];

const DEFAULT_HEARTBEAT_TIMEOUT_MS = 30_000;

/** Failed steps' usage is counted (a release with usage may upsert TokensUsed: a new command). */
const FAILED_STEP_USAGE_PATCH = 'failed-step-usage';
const DEFAULT_STEP_TIMEOUT_MS = 2 * 60 * 60 * 1000;

/** What runs steps: the session workflow, or a task workflow that asks its session. */
export interface StepHost {
  sessionId: string;
  workflowId: string;
  /** '' for the session. */
  taskPath: string;
  options: SessionOptions | undefined;
  /** Waits until the tree may start a step (concurrency, budget, pause); returns a permit. */
  acquire(): Promise<string>;
  /** Gives the permit back (null: a step without one, e.g. a merge) with what the step did. */
  release(permit: string | null, checkpoint: CheckpointDraft | null, usage: Usage): Promise<void>;
  /** 1-based, per workflow: numbers commits and log lines. */
  nextStep(): number;
  /** Waits for an operator's decision at a gate (through the session, for a task). */
  waitForOperator(gate: PendingApproval['gate'], reason: string): Promise<ApprovalDecision>;
}

/**
 * The activity heartbeats through a clone of any length; the heartbeat timeout is what notices
 * a worker that died mid-prepare. Without one, the retry waited out the whole start-to-close
 * timeout: the chaos run (bench/chaos) saw a session stall 10 minutes after a worker kill.
 */
export const workspaceActivities = (options: SessionOptions | undefined) =>
  proxyActivities<OrchestratorActivities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: options?.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
    retry: { maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE_AGENT_ERRORS },
  });

/**
 * Retried for about half a minute when no agent qualifies: a worker that can run one may be
 * starting. After that the step fails with every candidate's reason.
 */
const { routeAgent } = proxyActivities<OrchestratorActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumAttempts: 4 },
});

const agentActivities = (agent: string, options: SessionOptions | undefined) =>
  proxyActivities<AgentActivities>({
    taskQueue: agentTaskQueue(agent),
    heartbeatTimeout: options?.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS,
    startToCloseTimeout: options?.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS,
    // Wait for the agent to confirm it killed its process group before reporting cancelled.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      initialInterval: '1 second',
      maximumAttempts: 5,
      nonRetryableErrorTypes: NON_RETRYABLE_AGENT_ERRORS,
    },
  });

export interface AgentChoice {
  agent: string;
  routing: RoutingRecord | null;
}

/** The named agent, or the one routing picks for the capabilities. */
export async function chooseAgent(
  sessionId: string,
  named: string | undefined,
  capabilities: string[],
  minTier?: TierLevel,
): Promise<AgentChoice> {
  if (named) return { agent: named, routing: null };
  const decision = await routeAgent({
    sessionId,
    capabilities,
    ...(minTier ? { minTier } : {}),
  });
  return { agent: decision.agent, routing: { agent: decision.agent, reason: decision.reason } };
}

export interface StepRequest {
  choice: AgentChoice;
  role: StepRole;
  /** What the agent is told. */
  goal: string;
  /** The task's own goal. */
  taskGoal: string;
  workspace: string;
  /** The commit the step starts from (the workspace is put back there if HEAD moved on). */
  baseSha: string | null;
  planErrors?: string[];
  /** Adds detail to the checkpoint once the result is known (a plan's tasks, say). */
  detail?: (result: AgentStepResult) => Promise<CheckpointDetail | null>;
}

export interface StepOutcome {
  result: AgentStepResult;
  usage: Usage;
}

/** One agent step under a permit; its checkpoint goes to the host when it completes. */
export async function runStep(host: StepHost, request: StepRequest): Promise<StepOutcome> {
  const permit = await host.acquire();
  const startedAt = new Date().toISOString();
  let result: AgentStepResult;
  try {
    result = await agentActivities(request.choice.agent, host.options).runAgentStep({
      sessionId: host.sessionId,
      agent: request.choice.agent,
      goal: request.goal,
      taskGoal: request.taskGoal,
      workspace: request.workspace,
      step: host.nextStep(),
      role: request.role,
      baseSha: request.baseSha,
      ...(host.taskPath ? { taskPath: host.taskPath } : {}),
      ...(request.role === 'plan' ? { planFile: PLAN_FILE } : {}),
      ...(request.planErrors ? { planErrors: request.planErrors } : {}),
    });
  } catch (error) {
    // A step that failed for good was paid for all the same: its attempts' tokens count against
    // the tree's budget and in TokensUsed. (Histories from before this change released nothing.)
    const spent = patched(FAILED_STEP_USAGE_PATCH) ? usageOf(spentUsageOf(error)) : NO_USAGE;
    await CancellationScope.nonCancellable(() => host.release(permit, null, spent));
    throw error;
  }
  // Tokens spent by attempts that failed or were killed count too: they were paid for.
  const usage = usageOf(result.usage, result.earlierAttemptsUsage);
  let detail: CheckpointDetail | null = null;
  try {
    detail = request.detail ? await request.detail(result) : null;
  } finally {
    const checkpoint = draft(host, {
      role: request.role,
      agent: request.choice.agent,
      commitSha: result.commitSha,
      changed: result.changed,
      exitCode: result.exitCode,
      summary: result.summary,
      usage: result.usage ?? null,
      ...(request.choice.routing ? { routing: request.choice.routing } : {}),
      detail,
      ...stepTimes(result, startedAt),
      resultDigest: digest(result),
    });
    await CancellationScope.nonCancellable(() => host.release(permit, checkpoint, usage));
  }
  return { result, usage };
}

/**
 * The step's times from its result (history), not from the workflow task that records it: a
 * reset to this checkpoint records it again in a new workflow task, with the same times (only
 * its run and event are the new run's).
 */
function stepTimes(result: AgentStepResult, fallbackStart: string) {
  if (!result.finishedAt) return { startedAt: fallbackStart, finishedAt: new Date().toISOString() };
  const finished = Date.parse(result.finishedAt);
  return {
    startedAt: new Date(finished - result.durationMs).toISOString(),
    finishedAt: result.finishedAt,
  };
}

export interface PlanRequest {
  choice: AgentChoice;
  goal: string;
  workspace: string;
  baseSha: string | null;
  maxChildren: number;
}

/**
 * Asks the planner for a plan; an invalid one goes back once with the validation errors, and a
 * second invalid plan fails the step clearly (listing what was wrong).
 */
export async function planStep(
  host: StepHost,
  request: PlanRequest,
): Promise<{ plan: Plan; headSha: string | null }> {
  const { readPlan } = workspaceActivities(host.options);
  let errors: string[] | undefined;
  let baseSha = request.baseSha;
  for (let attempt = 1; attempt <= 2; attempt++) {
    let plan: Plan | null = null;
    let refused: string[] = [];
    const { result } = await runStep(host, {
      choice: request.choice,
      role: 'plan',
      goal: planningGoal(
        request.goal,
        request.maxChildren,
        (errors ?? []).map((line) => ({ path: '', message: line })),
      ),
      taskGoal: request.goal,
      workspace: request.workspace,
      baseSha,
      ...(errors ? { planErrors: errors } : {}),
      detail: async () => {
        const read = await readPlan({
          workspace: request.workspace,
          file: PLAN_FILE,
          maxChildren: request.maxChildren,
        });
        if (!read.ok) {
          refused = read.errors.map((error) => `${error.path || 'plan'}: ${error.message}`);
          return null;
        }
        plan = read.plan;
        return {
          kind: 'plan',
          tasks: read.plan.tasks.map((task) => ({
            id: task.id,
            title: task.title,
            dependsOn: task.dependsOn,
          })),
        };
      },
    });
    baseSha = result.commitSha;
    if (plan) return { plan, headSha: result.commitSha };
    errors = refused;
  }
  throw ApplicationFailure.create({
    type: 'PlanInvalid',
    message: `The planner's plan was invalid twice: ${(errors ?? []).join('; ')}`,
    nonRetryable: true,
  });
}

export interface MergeRequest {
  workspace: string;
  branches: string[];
  /** The commit the workspace must be at before merging (its last checkpoint). */
  baseSha: string | null;
  /** Who resolves a conflict. */
  resolver: () => Promise<AgentChoice>;
}

/**
 * Merges the branches in order. A conflict becomes a checkpoint of the agent step that
 * resolves it; conflicts the agent leaves behind fail the merge, naming the files.
 */
export async function mergeStep(host: StepHost, request: MergeRequest): Promise<string | null> {
  const { mergeBranches, checkConflicts, resetWorkspace } = workspaceActivities(host.options);
  if (request.baseSha) await resetWorkspace({ workspace: request.workspace, sha: request.baseSha });
  for (let round = 0; round <= request.branches.length; round++) {
    const merge = await mergeBranches({ workspace: request.workspace, branches: request.branches });
    if (merge.status === 'merged') {
      await recordWithoutAgent(host, new Date().toISOString(), {
        role: 'merge',
        commitSha: merge.headSha,
        changed: merge.headSha !== request.baseSha,
        summary: `merged ${request.branches.length} branch(es): ${request.branches.join(', ')}`,
        detail: { kind: 'merge', branches: request.branches },
        resultDigest: digest(merge),
      });
      return merge.headSha;
    }
    const conflict = merge;
    await runStep(host, {
      choice: await request.resolver(),
      role: 'resolve',
      goal: resolveGoal(conflict.branch, conflict.files),
      taskGoal: `resolve the merge of ${conflict.branch}`,
      workspace: request.workspace,
      baseSha: null,
      detail: async () => ({ kind: 'conflict', branch: conflict.branch, files: conflict.files }),
    });
    const left = await checkConflicts({ workspace: request.workspace });
    if (left.unresolved.length > 0) {
      await operatorResolves(host, request.workspace, conflict.branch, left.unresolved);
    }
  }
  throw ApplicationFailure.create({
    type: 'MergeConflict',
    message: `Merging ${request.branches.join(', ')} did not finish after resolving conflicts.`,
    nonRetryable: true,
  });
}

/**
 * The resolving agent left conflicts: an operator resolves them by hand in the workspace and
 * approves (the session waits in awaiting_approval meanwhile), and the resolution is committed
 * as a checkpoint. A rejection, or conflicts still there after the approval, fail the merge.
 */
async function operatorResolves(
  host: StepHost,
  workspace: string,
  branch: string,
  files: string[],
): Promise<void> {
  const { checkConflicts, commitResolution } = workspaceActivities(host.options);
  const decision = await host.waitForOperator(
    'conflict',
    `merging ${branch} left conflicts the agent did not resolve in ${files.join(', ')}: resolve ` +
      `them in ${workspace} (no conflict markers left), then approve; or reject to fail the merge`,
  );
  const left =
    decision.decision === 'approved' ? await checkConflicts({ workspace }) : { unresolved: files };
  if (left.unresolved.length > 0) {
    throw ApplicationFailure.create({
      type: 'MergeConflict',
      message:
        decision.decision === 'rejected'
          ? `Merging ${branch} conflicts in ${files.join(', ')}; ${decision.by} rejected resolving it.`
          : `Merging ${branch} still conflicts in ${left.unresolved.join(', ')} after ${decision.by} approved.`,
      nonRetryable: true,
    });
  }
  const startedAt = new Date().toISOString();
  const commit = await commitResolution({
    workspace,
    message: `resolve the merge of ${branch} (by ${decision.by})`,
  });
  await recordWithoutAgent(host, startedAt, {
    role: 'resolve',
    commitSha: commit.sha,
    changed: commit.changed,
    summary: `${decision.by} resolved the conflicts of ${branch} by hand`,
    detail: { kind: 'conflict', branch, files },
    resultDigest: digest(commit),
  });
}

/**
 * A checkpoint draft of the host's workflow, made now: the workflow task in which it is
 * complete (after its detail, e.g. the plan was read) is its event, so resetting there keeps
 * it as it is and reruns what follows.
 */
function draft(
  host: StepHost,
  fields: Omit<CheckpointDraft, 'workflowId' | 'runId' | 'eventId' | 'taskPath'>,
): CheckpointDraft {
  const info = workflowInfo();
  return {
    workflowId: host.workflowId,
    runId: info.runId,
    eventId: info.historyLength,
    taskPath: host.taskPath,
    ...fields,
  };
}

/** A checkpoint no agent made (a merge, a hand resolution): no permit, no usage. */
function recordWithoutAgent(
  host: StepHost,
  startedAt: string,
  fields: Pick<
    CheckpointDraft,
    'role' | 'commitSha' | 'changed' | 'summary' | 'detail' | 'resultDigest'
  >,
): Promise<void> {
  const checkpoint = draft(host, {
    agent: '',
    exitCode: 0,
    usage: null,
    startedAt,
    finishedAt: new Date().toISOString(),
    ...fields,
  });
  return host.release(null, checkpoint, NO_USAGE);
}
