/**
 * Types shared by the session workflow, the worker and the gateway. Pure types and constants
 * only: this file is bundled into the workflow sandbox.
 */
import type { AgentUsage, TierLevel } from '@orchestrator/activities/contracts';

export type { AgentUsage, TierLevel };

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

/** One recorded step result. Later issues add hashes and history event ids. */
export interface Checkpoint {
  seq: number;
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
  startedAt: string;
  finishedAt: string;
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
