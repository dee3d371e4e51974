/**
 * Types shared by the session workflow, the worker and the gateway. Pure types and constants
 * only: this file is bundled into the workflow sandbox.
 */
import type {
  AgentUsage,
  Plan,
  PlanTask,
  StepRole,
  TierLevel,
} from '@orchestrator/activities/contracts';

export type { AgentUsage, Plan, PlanTask, StepRole, TierLevel };

/** Every status a session or task can be in; the `SessionStatus` search attribute holds one. */
export const SESSION_STATUSES = [
  'pending',
  'running',
  'paused',
  'awaiting_approval',
  'completed',
  'failed',
  'cancelled',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/** Statuses after which a session run will not change any more. */
export const TERMINAL_STATUSES: readonly SessionStatus[] = ['completed', 'failed', 'cancelled'];

/** Tuning the gateway passes down from its configuration (never free text from the API). */
export interface SessionOptions {
  /** Heartbeat timeout of an agent step; a crashed worker's step is retried after this. */
  heartbeatTimeoutMs?: number;
  /** Upper bound on one agent step's run time. */
  stepTimeoutMs?: number;
  /**
   * Continue as new once the session's history reaches this many events (besides Temporal's own
   * suggestion, at about 4,000); small values make tests exercise it.
   */
  continueAsNewAfterEvents?: number;
}

/** Input of the `session` workflow. */
export interface SessionInput {
  sessionId: string;
  title: string;
  goal: string;
  /** A git URL, or a local path under a root the server allows. */
  repository: string;
  /**
   * Name of a registered agent; it decides what actually runs. Empty: the agent is routed by
   * `route` (capabilities and minimum tier) when the step starts.
   */
  agent: string;
  route?: RouteRequest;
  options?: SessionOptions;
  /** Decompose the goal: a planning step first, then the plan's tasks as child workflows. */
  plan?: PlanSettings;
  budget?: Budget;
  approvals?: ApprovalGates;
  /** A fork: the workspace starts at another session's checkpoint commit. */
  forkedFrom?: ForkOrigin;
  /**
   * What a run that continued as new hands the next one (never set by clients): the chain, the
   * tree, usage, decisions and where the plan stands.
   */
  resume?: ResumeState;
}

/** A session's state across continue-as-new. */
export interface ResumeState {
  /** The first run's start: the wall-time budget counts from it. */
  startedAt: string;
  runs: number;
  steps: number;
  checkpoints: Checkpoint[];
  tree: TaskNode[];
  usage: Usage;
  budget: Budget;
  decisions: ApprovalDecision[];
  paused: boolean;
  agent: string | null;
  plan: Plan;
  /** The plan's commit: the tasks' base. */
  planHeadSha: string | null;
  /** Results of the plan's tasks that ended, by plan id. */
  results: Record<string, TaskResult>;
  /** Completed branches in completion order (the merge order). */
  completedBranches: string[];
}

/** How a session decomposes its goal. */
export interface PlanSettings {
  /** Agent that writes plans; empty/absent: routed by the `plan` capability. */
  planner?: string;
  /** Levels of tasks below the session (default 3, at most 10). */
  maxDepth?: number;
  /** Tasks per plan (default 8, at most 50). */
  maxChildren?: number;
  /** Agent steps running at once across the whole tree (default 4). */
  maxParallel?: number;
}

export const PLAN_DEFAULTS = { maxDepth: 3, maxChildren: 8, maxParallel: 4 } as const;
export const PLAN_LIMITS = { maxDepth: 10, maxChildren: 50, maxParallel: 32 } as const;

/** Limits on what the whole tree may spend; absent fields are unlimited. */
export interface Budget {
  /** All tokens (input, output, cache read and write). */
  maxTokens?: number;
  maxCostUsd?: number;
  /** Wall time from the session's start, in milliseconds. */
  maxWallTimeMs?: number;
}

/** Where an operator must approve before the session goes on. */
export interface ApprovalGates {
  afterPlan?: boolean;
  beforeMerge?: boolean;
}

export interface ForkOrigin {
  sessionId: string;
  /** The origin's checkpoint sequence number. */
  checkpoint: number;
  commitSha: string;
}

/** Spent so far, across the whole tree. */
export interface Usage {
  tokens: number;
  costUsd: number;
}

/** What a step asks of its agent when it does not name one. */
export interface RouteRequest {
  capabilities: string[];
  minTier?: TierLevel;
}

/** How a routed step's agent was chosen. */
export interface RoutingRecord {
  agent: string;
  reason: string;
}

/**
 * One completed step, anywhere in the tree. The session numbers them in the order they
 * complete and chains them: `hash = sha256(prevHash + canonical JSON of every other field)`
 * (checkpoint.ts).
 */
export interface Checkpoint {
  seq: number;
  /** The workflow that ran the step: the session's or a task's id. */
  workflowId: string;
  /** Its run (a session that continued as new has several; absent in older checkpoints). */
  runId?: string;
  /**
   * The workflow task in that workflow's history that received the step's result: resetting
   * the workflow there reruns everything after this checkpoint.
   */
  eventId: number;
  /** '' for the session's own steps, else the task's path (`2.1`). */
  taskPath: string;
  /** `merge`: the workflow merged its tasks' branches (no agent ran). */
  role: StepRole | 'merge';
  /** '' for a merge. */
  agent: string;
  /** HEAD of the workspace after the step's commit (null if the step never committed). */
  commitSha: string | null;
  /** Whether the step's commit changed any file. */
  changed: boolean;
  exitCode: number;
  summary: string;
  /** Tokens and cost the agent reported for the step (null: the agent reports none). */
  usage: AgentUsage | null;
  /** Why this agent, when the step was routed by capability (absent when named). */
  routing?: RoutingRecord | null;
  /** For a plan step: the plan's tasks; for a merge conflict: the conflicting files. */
  detail?: CheckpointDetail | null;
  startedAt: string;
  finishedAt: string;
  /** sha256 of the canonical JSON of the activity's result, as history holds it. */
  resultDigest: string;
  prevHash: string;
  hash: string;
}

export type CheckpointDetail =
  | { kind: 'plan'; tasks: Array<{ id: string; title: string; dependsOn: string[] }> }
  | { kind: 'conflict'; branch: string; files: string[] }
  | { kind: 'merge'; branches: string[] };

/** A checkpoint before the session numbers and chains it. */
export type CheckpointDraft = Omit<Checkpoint, 'seq' | 'prevHash' | 'hash'>;

export type TaskStatus = SessionStatus | 'skipped';

/** One node of the session's task tree (the session itself is not a node). */
export interface TaskNode {
  /** `1`, `2.1`, … (1-based positions in their plans). */
  path: string;
  /** The plan's id for it. */
  planId: string;
  workflowId: string;
  title: string;
  status: TaskStatus;
  agent: string | null;
  dependsOn: string[];
  usage: Usage;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why it failed or was skipped. */
  error: string | null;
}

/** What a task workflow is given. */
export interface TaskInput {
  sessionId: string;
  /** The session workflow's id: tasks ask it for step permits and report to it. */
  rootWorkflowId: string;
  path: string;
  depth: number;
  task: PlanTask;
  repository: string;
  /** The workspace the task's worktree branches from, at `baseSha`. */
  parentWorkspace: string;
  baseSha: string | null;
  /** Branches of the tasks it depends on, merged into its worktree before it starts. */
  dependencyBranches: string[];
  plan: Required<Pick<PlanSettings, 'maxDepth' | 'maxChildren'>> & { planner?: string };
  approvals?: ApprovalGates;
  options?: SessionOptions;
}

/** What a task workflow returns to its parent. */
export interface TaskResult {
  path: string;
  status: 'completed' | 'failed' | 'partial';
  branch: string;
  headSha: string | null;
  error: string | null;
}

/** An approval the session waits for. */
export interface PendingApproval {
  /** What is waiting: the plan, the merge, or the budget. */
  gate: 'plan' | 'merge' | 'budget' | 'conflict';
  /** '' for the session, else the task's path. */
  taskPath: string;
  reason: string;
  since: string;
}

/** A recorded decision. */
export interface ApprovalDecision {
  gate: PendingApproval['gate'];
  taskPath: string;
  decision: 'approved' | 'rejected';
  by: string;
  comment: string;
  at: string;
}

/** What the `state` query answers. */
export interface SessionState {
  status: SessionStatus;
  workspace: string | null;
  checkpoints: Checkpoint[];
  /** Why the session failed, when it did. */
  error: string | null;
  /** The agent running the session's step (routed ones once chosen; null until then). */
  agent?: string | null;
  /** All tokens of all steps (input, output, cache read and write); also in `TokensUsed`. */
  tokensUsed: number;
  /** Spent across the whole tree (tokens as tokensUsed, plus cost). */
  usage?: Usage;
  budget?: Budget;
  /** What the session waits for, when it waits. */
  pending?: PendingApproval[];
  decisions?: ApprovalDecision[];
  paused?: boolean;
  /**
   * Agent steps of the tree running now, and waiting for a permit (paused, over budget, or
   * `maxParallel` steps already running); `queued` names the workflows whose step waits (a
   * task's id, or the session's own), oldest request first. Absent from states recorded before
   * it existed.
   */
  steps?: { running: number; waiting: number; queued?: string[] };
  /** The task tree (empty for a session that did not plan). */
  tree?: TaskNode[];
  /** Tasks that ended: completed / failed / skipped counts (a partial session has failures). */
  outcome?: { completed: number; failed: number; skipped: number } | null;
  forkedFrom?: ForkOrigin | null;
  /** Runs so far (1 + how often the session continued as new). */
  runs?: number;
}

/** Memo attached to every session workflow: lets list/describe show a session without a query. */
export interface SessionMemo {
  title: string;
  goal: string;
  repository: string;
  /** The named agent; for a routed session, empty until routing chose one (then upserted). */
  agent: string;
  /** What a routed session asked for: a retry routes again rather than reusing the choice. */
  route?: RouteRequest;
}
