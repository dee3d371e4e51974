/**
 * Agent configuration lives on the server: the API only names an agent, and this decides what
 * actually runs. Issue #4 moves it into a Postgres registry; the shape stays.
 */
export interface CommandAgentConfig {
  name: string;
  kind: 'command';
  description?: string;
  /** argv of the process; run in the workspace without a shell unless argv says so. */
  command: string[];
  /** Extra environment; the goal arrives as ORCHESTRATOR_GOAL, never interpolated into argv. */
  env?: Record<string, string>;
  /** Whether a non-zero exit may be retried by Temporal (default false: fails the step). */
  retryOnNonZeroExit?: boolean;
  /** How many steps of this agent one worker runs at once (its task queue slots). */
  maxConcurrency?: number;
}

export type AgentConfig = CommandAgentConfig;

/** Agent names are task queue suffixes (`agent-<name>`): keep them simple. */
export const AGENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,62}$/;
