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
}

/** What a step's model use cost; null on a checkpoint whose agent reports none. */
export interface StepUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number | null;
}

export interface Checkpoint {
  seq: number;
  agent: string;
  commitSha: string | null;
  changed: boolean;
  exitCode: number | null;
  summary: string;
  usage: StepUsage | null;
  startedAt: string;
  finishedAt: string;
}

export interface SessionDetail extends SessionSummary {
  goal: string;
  checkpoints: Checkpoint[];
  error: string | null;
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
  agent: string;
}

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
