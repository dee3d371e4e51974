/**
 * Types shared by the session workflow, the worker and the gateway. Pure types and constants
 * only: this file is bundled into the workflow sandbox.
 */
import type { AgentUsage } from '@orchestrator/activities/contracts';

export type { AgentUsage };

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
  /** Name of a configured agent; it decides what actually runs. */
  agent: string;
  options?: SessionOptions;
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
  /** All tokens of all steps (input, output, cache read and write); also in `TokensUsed`. */
  tokensUsed: number;
}

/** Memo attached to every session workflow: lets list/describe show a session without a query. */
export interface SessionMemo {
  title: string;
  goal: string;
  repository: string;
  agent: string;
}
