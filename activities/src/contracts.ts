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
}

export interface PrepareWorkspaceResult {
  /** Absolute path of the session's own checkout. */
  path: string;
  /** The branch the session works on (`session/<id>`). */
  branch: string;
  /** HEAD when the workspace was prepared (null for an empty repository). */
  baseSha: string | null;
}

export interface AgentStepInput {
  sessionId: string;
  agent: string;
  goal: string;
  workspace: string;
  /** 1-based step number inside the session, used in commit messages and logs. */
  step: number;
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

/** Error types the workflow must not retry (ApplicationFailure.type). */
export const NON_RETRYABLE_AGENT_ERRORS = [
  'AgentExitError',
  'AgentConfigError',
  'WorkspaceError',
] as const;

/** The activities as the workflow sees them. */
export interface OrchestratorActivities {
  prepareWorkspace(input: PrepareWorkspaceInput): Promise<PrepareWorkspaceResult>;
  publishStatus(input: PublishStatusInput): Promise<void>;
  routeAgent(input: RouteAgentInput): Promise<RouteAgentResult>;
}
export interface AgentActivities {
  runAgentStep(input: AgentStepInput): Promise<AgentStepResult>;
}
