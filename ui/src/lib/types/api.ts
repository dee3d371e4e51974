// The gateway's HTTP and WebSocket contract, as the console sees it. The console imports nothing
// from other workspaces: these types mirror gateway/README.md and /api/openapi.json by hand.

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

export interface AppConfig {
  temporalWebUrl: string;
  namespace: string;
  authRequired: boolean;
  sampleRepository: string | null;
  version: string;
}

export const AGENT_TIERS = [
  'elite',
  'advanced',
  'competent',
  'trainee',
  'degraded',
  'unrated',
] as const;

export type AgentTierLevel = (typeof AGENT_TIERS)[number];

/** How well an agent has done, measured over its recent steps. */
export interface AgentTier {
  level: AgentTierLevel;
  /** 0..1; null until it has run a step. */
  successRate: number | null;
  steps: number;
}

/** Whether any worker can run the agent now, and why not. */
export interface AgentAvailability {
  available: boolean;
  reason: string | null;
  workers: number;
  version: string | null;
}

/** The agent's task queue right now. */
export interface AgentLoad {
  running: number;
  /** Steps waiting for a free slot. */
  backlog: number;
  pollers: number;
  /** Steps all its workers can run at once. */
  slots: number;
}

/**
 * An agent's flat configuration, as AGENTS_FILE holds it and PUT /api/agents/:name takes it:
 * the common fields plus the fields of its kind. Secrets appear as environment variable names.
 */
export interface AgentConfig {
  name: string;
  kind: string;
  description?: string;
  capabilities?: string[];
  maxConcurrency?: number;
  stallTimeoutMs?: number;
  [field: string]: unknown;
}

export interface Agent {
  name: string;
  kind: string;
  description: string;
  model: string | null;
  capabilities: string[];
  maxConcurrency: number;
  config: AgentConfig;
  /** Null when the gateway does not report it (an older gateway lists names only). */
  tier: AgentTier | null;
  availability: AgentAvailability | null;
  load: AgentLoad | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export interface AgentList {
  items: Agent[];
}

export interface SessionSummary {
  id: string;
  title: string;
  agent: string;
  repository: string;
  status: SessionStatus;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601, null while the session is open. */
  closedAt: string | null;
  workflowId: string;
  runId: string;
  temporalUrl: string;
  /** Every token of every step so far (the TokensUsed search attribute). */
  tokensUsed: number;
  /** It decomposes its goal into a task tree (absent from gateways before the field). */
  planned?: boolean;
}

/** What a step's model use cost; null on a checkpoint whose agent reports none. */
export interface StepUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number | null;
}

/** What a step is: the session's or a task's work, a plan, a conflict resolution, a merge. */
export type CheckpointRole = 'work' | 'plan' | 'resolve' | 'merge';

export interface Checkpoint {
  seq: number;
  /** The workflow that ran the step: the session's or a task's (`session-<id>.2.1`). */
  workflowId: string;
  /** The workflow task of that workflow's history that received the step's result. */
  eventId: number;
  /** '' for the session's own steps, else the task's path (`2.1`). */
  taskPath: string;
  role: CheckpointRole;
  /** '' for a merge. */
  agent: string;
  commitSha: string | null;
  changed: boolean;
  exitCode: number | null;
  summary: string;
  usage: StepUsage | null;
  /** Why this agent, when the step was routed by capability. */
  routing?: { agent: string; reason: string } | null;
  /** A plan's tasks, a conflict's files, or the merged branches. */
  detail?: ({ kind: 'plan' | 'conflict' | 'merge' } & Record<string, unknown>) | null;
  startedAt: string;
  finishedAt: string;
  /** sha256 of the step's result as workflow history holds it. */
  resultDigest: string;
  prevHash: string;
  /** sha256(prevHash + canonical JSON of the rest). */
  hash: string;
}

/** Spent so far: every token (input, output, cache) and dollars. */
export interface Usage {
  tokens: number;
  costUsd: number;
}

/** Limits on what the whole tree may spend; absent fields are unlimited. */
export interface Budget {
  maxTokens?: number;
  maxCostUsd?: number;
  /** From the session's start. */
  maxWallTimeMs?: number;
}

/** How a session decomposes its goal into a tree of tasks. */
export interface PlanSettings {
  /** The agent that writes plans; absent: routed by the `plan` capability. */
  planner?: string;
  maxDepth?: number;
  maxChildren?: number;
  maxParallel?: number;
}

export const PLAN_DEFAULTS = { maxDepth: 3, maxChildren: 8, maxParallel: 4 } as const;
export const PLAN_LIMITS = { maxDepth: 10, maxChildren: 50, maxParallel: 32 } as const;

/** Where an operator must approve before the session goes on. */
export interface ApprovalGates {
  afterPlan?: boolean;
  beforeMerge?: boolean;
}

export type ApprovalGate = 'plan' | 'merge' | 'budget' | 'conflict';

/** Something the session waits for. */
export interface PendingApproval {
  gate: ApprovalGate;
  /** '' for the session, else the task's path. */
  taskPath: string;
  reason: string;
  since: string;
}

export interface ApprovalDecision {
  gate: ApprovalGate;
  taskPath: string;
  decision: 'approved' | 'rejected';
  /** The caller's token name (`local` without authentication). */
  by: string;
  comment: string;
  at: string;
}

/** The session and checkpoint a fork started from. */
export interface ForkOrigin {
  sessionId: string;
  checkpoint: number;
  commitSha: string;
}

/** Tasks that ended, once the plan ran. */
export interface TaskOutcome {
  completed: number;
  failed: number;
  skipped: number;
}

export interface SessionDetail extends SessionSummary {
  goal: string;
  /**
   * False when the run did not answer its state query in time (no worker): checkpoints,
   * error, gates and outcome are unknown, not empty. Absent from older gateways.
   */
  stateAvailable?: boolean;
  checkpoints: Checkpoint[];
  error: string | null;
  /** Spent across the whole tree. */
  usage: Usage;
  budget: Budget;
  /** What the session waits for. */
  pending: PendingApproval[];
  decisions: ApprovalDecision[];
  paused: boolean;
  /** Null before the plan ran, or without a plan. */
  outcome: TaskOutcome | null;
  plan: PlanSettings | null;
  approvals: ApprovalGates | null;
  forkedFrom: ForkOrigin | null;
  /**
   * Agent steps of the tree running now and waiting for a permit, when the gateway says;
   * `queued`: the workflow ids whose step waits, oldest first.
   */
  steps?: { running: number; waiting: number; queued?: string[] };
}

/** What `POST …/retry {checkpoint}` answers: the rewound run, and where it was reset to. */
export interface RetriedSession extends SessionDetail {
  resetTo?: { checkpoint: number; eventId: number };
}

export const TASK_STATUSES = [...SESSION_STATUSES, 'skipped'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** One node of a session's task tree (the session itself is not a node). */
export interface TaskNode {
  /** `1`, `2.1`, … (1-based positions in their plans). */
  path: string;
  planId: string;
  workflowId: string;
  title: string;
  status: TaskStatus;
  agent: string | null;
  /** Plan ids of sibling tasks. */
  dependsOn: string[];
  /** The node's own steps. */
  usage: Usage;
  /** Its own usage plus its descendants'. */
  subtreeUsage: Usage;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why it failed or was skipped. */
  error: string | null;
  temporalUrl: string | null;
  /**
   * Its agent step waits for a permit (session paused or over budget, or `maxParallel` steps
   * running): the task is `running`, but no step of it is.
   */
  waitingForStep?: boolean;
  children: TaskNode[];
}

export interface SessionTree {
  sessionId: string;
  status: SessionStatus;
  usage: Usage;
  budget: Budget;
  outcome: TaskOutcome | null;
  nodes: TaskNode[];
}

/** One link of the checkpoint chain as the gateway checked it. */
export interface CheckpointLink {
  seq: number;
  ok: boolean;
  problem: string | null;
}

export interface CheckpointVerification {
  verified: boolean;
  checked: number;
  links: CheckpointLink[];
  firstBroken: number | null;
}

export interface CheckpointList {
  items: Checkpoint[];
  verification: CheckpointVerification;
}

/** What a checkpoint's commit changed. */
export interface CheckpointDiffAnswer {
  checkpoint: number;
  sha: string | null;
  parentSha: string | null;
  /** Unified diff against the parent commit. */
  patch: string;
  truncated: boolean;
  files: Array<{ path: string } & Record<string, unknown>>;
}

/** `POST …/approve` / `…/reject`; absent gate: the only one waiting. */
export interface DecisionRequest {
  gate?: ApprovalGate;
  taskPath?: string;
  comment?: string;
}

export interface ForkRequest {
  checkpoint: number;
  agent?: string;
  title?: string;
}

export interface SessionPage {
  items: SessionSummary[];
  nextCursor: string | null;
  /**
   * Workflow runs matching the filter (a retried session's earlier runs included); null from a
   * gateway that does not count.
   */
  total: number | null;
}

export interface NewSession {
  title: string;
  goal: string;
  repository: string;
  /** Optional with a plan: then it resolves merge conflicts. */
  agent?: string;
  plan?: PlanSettings;
  budget?: Budget;
  approvals?: ApprovalGates;
}

/** What stop, pause and resume answer. */
export interface StopResult {
  id: string;
  status: SessionStatus;
}

export type LogStream = 'stdout' | 'stderr' | 'system';

export interface LogLine {
  id: string;
  stream: LogStream;
  line: string;
  /** Epoch milliseconds. */
  ts: number;
}

export interface LogPage {
  items: LogLine[];
  nextAfter: string | null;
}

/** RFC 9457 problem details, with field-level errors. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

export interface FieldError {
  path: string;
  message: string;
}

// WebSocket /ws, JSON text frames.

export type ClientMessage =
  | { type: 'subscribe'; sessionId: string; after?: string }
  | { type: 'unsubscribe'; sessionId: string }
  | { type: 'ping' };

export type ServerMessage =
  | { type: 'subscribed'; sessionId: string; status: SessionStatus }
  | ({ type: 'log'; sessionId: string } & LogLine)
  | { type: 'status'; sessionId: string; id: string; status: SessionStatus; detail?: string }
  | { type: 'unsubscribed'; sessionId: string }
  | { type: 'error'; code: string; message: string; sessionId?: string }
  | { type: 'pong' };

export function isSessionStatus(value: unknown): value is SessionStatus {
  return typeof value === 'string' && (SESSION_STATUSES as readonly string[]).includes(value);
}

export function isTaskStatus(value: unknown): value is TaskStatus {
  return typeof value === 'string' && (TASK_STATUSES as readonly string[]).includes(value);
}
