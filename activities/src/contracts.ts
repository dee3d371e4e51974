/**
 * The activity surface the workflows call, as types only. Workflows import from here with
 * `import type`, so nothing with side effects ever reaches the workflow bundle.
 */
import type { SessionStatus } from '@orchestrator/workflows/types';
import type { TierLevel } from './agents/tiers.js';

export type { TierLevel };

export interface PrepareWorkspaceInput {
  sessionId: string;
  repository: string;
  /**
   * A fork: clone the origin session's workspace (not the repository) and start the branch at
   * this commit of it, so the fork sees exactly what the checkpoint saw.
   */
  from?: { sessionId: string; commitSha: string };
}

export interface PrepareWorkspaceResult {
  /** Absolute path of the session's own checkout. */
  path: string;
  /** The branch the session works on (`session/<id>`). */
  branch: string;
  /** HEAD when the workspace was prepared (null for an empty repository). */
  baseSha: string | null;
}

/** What a step is for: doing the work, writing a plan, or resolving a merge conflict. */
export type StepRole = 'work' | 'plan' | 'resolve';

export interface AgentStepInput {
  sessionId: string;
  agent: string;
  /** What the agent is told (for a planning step: the goal with the planning instructions). */
  goal: string;
  workspace: string;
  /** 1-based step number inside the session, used in commit messages and logs. */
  step: number;
  /** Absent: `work`. */
  role?: StepRole;
  /** The task's own goal without instructions (ORCHESTRATOR_TASK_GOAL); absent: `goal`. */
  taskGoal?: string;
  /** The task's path in the tree ('' or absent for the session itself). */
  taskPath?: string;
  /** Where a planning step writes its plan, relative to the workspace. */
  planFile?: string;
  /** Why the previous plan was refused (a planning step's second chance), one per line. */
  planErrors?: string[];
  /**
   * The commit the step must start from: when HEAD is elsewhere (the workflow was reset to an
   * earlier checkpoint), the workspace is reset to it first. Absent or null: HEAD as it is.
   */
  baseSha?: string | null;
  /**
   * Set by runAgentStep for the adapters, never by a workflow: the attempt the agent's
   * processes belong to (ORCHESTRATOR_ATTEMPT_ID), so that an attempt's cleanup stops its own
   * leftovers and never a later attempt's (a rewound tree's, or one retried after a timeout).
   */
  attemptId?: string;
}

/** Tokens and cost of one agent step, as the agent reported them. */
export interface AgentUsage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the prompt cache. */
  cacheReadTokens: number;
  /** Input tokens written to the prompt cache. */
  cacheWriteTokens: number;
  /** What the agent says the step cost, in US dollars; null when it does not say. */
  costUsd: number | null;
}

export interface AgentStepResult {
  exitCode: number;
  /** A one-line human summary (last output lines, or the agent's own summary). */
  summary: string;
  commitSha: string | null;
  changed: boolean;
  /** Number of log lines the step produced. */
  lines: number;
  durationMs: number;
  /**
   * When the step ended (its commit made). In the result, hence in history: a checkpoint's
   * times stay the same when the workflow is reset to it and its record is made again.
   */
  finishedAt?: string;
  /**
   * Token usage and cost; null for agents that report none (`command`). Optional because
   * results recorded before usage existed do not have it.
   */
  usage?: AgentUsage | null;
  /** The agent's own session/thread id (e.g. Claude Code's session), null if it has none. */
  agentSessionId?: string | null;
  /**
   * What earlier attempts of this step spent before they failed, stalled or were killed (from
   * the ledger); null when there were none or nothing is recorded. Counted in the session's
   * total; `usage` stays this attempt's.
   */
  earlierAttemptsUsage?: AgentUsage | null;
}

/**
 * A detail of a failed step's ApplicationFailure (after the adapter's own details): what this
 * attempt and the step's earlier ones spent (the ledger's figures). The last attempt's failure
 * is all the workflow sees of a step that failed for good, and those tokens were paid for: the
 * session counts them in its usage and budget.
 */
export interface SpentUsageDetail {
  spentUsage: AgentUsage;
}

export interface PublishStatusInput {
  sessionId: string;
  status: SessionStatus;
  detail?: string;
}

/** A step that asks for capabilities instead of naming an agent. */
export interface RouteAgentInput {
  sessionId: string;
  /** Every one of them is required of the agent (empty: any agent). */
  capabilities: string[];
  minTier?: TierLevel;
}

export interface RouteAgentResult {
  agent: string;
  /** Why this agent, in one line (kept in the checkpoint and the log). */
  reason: string;
  candidates: Array<{ name: string; eligible: boolean; why: string }>;
}

/** One sub-task of a plan, as the planner wrote it (validated). */
export interface PlanTask {
  /** Unique in the plan; lowercase letters, digits and dashes. */
  id: string;
  title: string;
  goal: string;
  /** What the task's agent must be able to do (routing); empty: any agent. */
  capabilities: string[];
  /** A named agent instead of routing. */
  agent?: string;
  /** Ids of sibling tasks that must complete first. */
  dependsOn: string[];
  /** The task plans again (one level deeper), within the session's maxDepth. */
  decompose: boolean;
}

export interface Plan {
  tasks: PlanTask[];
}

export interface PlanError {
  /** Where in the plan, e.g. `tasks[2].dependsOn[0]`; '' for the plan as a whole. */
  path: string;
  message: string;
}

export interface ReadPlanInput {
  workspace: string;
  /** Relative to the workspace. */
  file: string;
  maxChildren: number;
}

export type ReadPlanResult = { ok: true; plan: Plan } | { ok: false; errors: PlanError[] };

export interface PrepareTaskWorkspaceInput {
  sessionId: string;
  /** e.g. `2.1`; the worktree is `<workspaces>/<sessionId>.<taskPath>`. */
  taskPath: string;
  /** The workspace (the session's clone or a parent task's worktree) whose commit it starts at. */
  parentWorkspace: string;
  /** The commit the task's branch starts at. */
  baseSha: string | null;
}

export interface MergeBranchesInput {
  workspace: string;
  /** Branches to merge into the workspace's HEAD, in this order. */
  branches: string[];
}

export type MergeBranchesResult =
  | { status: 'merged'; merged: string[]; headSha: string | null }
  | {
      status: 'conflict';
      merged: string[];
      /** The branch whose merge conflicts; the merge is left in progress for a resolver. */
      branch: string;
      files: string[];
      headSha: string | null;
    };

export interface ConflictCheckResult {
  /** Files that still hold conflict markers or are unmerged. */
  unresolved: string[];
}

/** Error types the workflow must not retry (ApplicationFailure.type). */
export const NON_RETRYABLE_AGENT_ERRORS = [
  'AgentExitError',
  'AgentConfigError',
  'WorkspaceError',
] as const;

/** The activities as the workflow sees them. */
export interface OrchestratorActivities {
  prepareWorkspace(input: PrepareWorkspaceInput): Promise<PrepareWorkspaceResult>;
  prepareTaskWorkspace(input: PrepareTaskWorkspaceInput): Promise<PrepareWorkspaceResult>;
  readPlan(input: ReadPlanInput): Promise<ReadPlanResult>;
  mergeBranches(input: MergeBranchesInput): Promise<MergeBranchesResult>;
  /** Puts the workspace back at a commit when HEAD is elsewhere (after a workflow reset). */
  resetWorkspace(input: { workspace: string; sha: string }): Promise<{ reset: boolean }>;
  /** Commits what an operator resolved by hand (concluding the merge in progress). */
  commitResolution(input: {
    workspace: string;
    message: string;
  }): Promise<{ sha: string | null; changed: boolean }>;
  /** After a resolve step: which conflicts are left (the merge commit is the step's commit). */
  checkConflicts(input: { workspace: string }): Promise<ConflictCheckResult>;
  publishStatus(input: PublishStatusInput): Promise<void>;
  routeAgent(input: RouteAgentInput): Promise<RouteAgentResult>;
}
export interface AgentActivities {
  runAgentStep(input: AgentStepInput): Promise<AgentStepResult>;
}
