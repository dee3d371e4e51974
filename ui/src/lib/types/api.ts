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

export interface Agent {
  name: string;
  kind: string;
  description: string;
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
