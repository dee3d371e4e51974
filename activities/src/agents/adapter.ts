/**
 * One adapter per agent kind, behind one interface. runAgentStep owns what every step needs
 * (heartbeats, cancellation, orphan cleanup, log shipping, the commit); an adapter owns how its
 * agent is started, how its output becomes events, and how its ending becomes a result or a
 * typed failure (agent-errors.ts).
 */
import type { AgentStepInput, AgentUsage } from '../contracts.js';
import type { LogStream } from '../logs/types.js';
import type { AgentEvent } from './events.js';
import type { AgentConfig, AgentKind } from './types.js';

export type AgentAvailability =
  | { available: true; binary: string | null; version: string | null }
  /** `reason` says what is missing and what to install or set. */
  | { available: false; reason: string };

export interface AgentRunContext {
  /** Raw output lines (agents without an event model, and anything an adapter cannot parse). */
  write(stream: LogStream, line: string): void;
  /** A normalised event, written to the log as readable lines. */
  emit(event: AgentEvent): void;
  /**
   * Aborted when the step is cancelled or the agent stalled (no output for its stallTimeoutMs):
   * the adapter stops its whole process group. runAgentStep decides what the step reports.
   */
  signal: AbortSignal;
  /**
   * The agent printed something that did not become a line or an event (`write` and `emit`
   * count already): keeps the stall watchdog from firing. Adapters that consume raw output
   * (a stream parser) call it for every line they read.
   */
  onOutput(): void;
  /** The agent process is running as leader of process group `pgid` (heartbeated). */
  onSpawn(pgid: number): void;
  /**
   * What the attempt has spent so far, as a running total, for agents that report usage other
   * than as `usage` events (a `command` agent's ORCHESTRATOR_USAGE lines): an attempt that
   * then fails is still counted in the ledger and the session's budget.
   */
  onUsage(usage: AgentUsage): void;
  /** The agent's own session id is known (heartbeated, so a retry can resume it). */
  onAgentSession(agentSessionId: string): void;
  /**
   * Set when a previous attempt of this step died (worker crash, kill, a retryable failure)
   * after its agent session started: the adapter resumes it if it can.
   */
  resume: { agentSessionId: string } | null;
  /** What checkAvailability found on this worker (the binary to run, its version). */
  installation: { binary: string | null; version: string | null };
  /** The worker's environment: where secrets named by env var (apiKeyEnv) are read from. */
  env: NodeJS.ProcessEnv;
  killGraceMs?: number;
}

export interface AgentRunResult {
  exitCode: number;
  summary: string;
  durationMs: number;
  usage: AgentUsage | null;
  agentSessionId: string | null;
}

export interface AgentAdapter<C extends AgentConfig = AgentConfig> {
  kind: C['kind'];
  /**
   * Validates one entry of this kind from AGENTS_FILE (name and kind already checked) and
   * returns it typed; throws an Error naming `where` and the field at fault.
   */
  parseConfig(entry: Record<string, unknown>, where: string): C;
  /** Whether this worker can run the agent (binary present, key set) and, if not, why. */
  checkAvailability(config: C, env: NodeJS.ProcessEnv): Promise<AgentAvailability>;
  /** Values that must never reach a log line, a result or an error (API keys). */
  secrets(config: C, env: NodeJS.ProcessEnv): string[];
  /**
   * Runs one step. Resolves when the agent succeeded; throws a typed ApplicationFailure
   * otherwise. When `signal` aborted, it may resolve or throw: the caller rethrows the
   * cancellation either way.
   */
  run(config: C, input: AgentStepInput, context: AgentRunContext): Promise<AgentRunResult>;
}

/** Exactly one adapter per kind: adding a kind to AgentConfig without an adapter fails to compile. */
export type AgentAdapters = {
  [K in AgentKind]: AgentAdapter<Extract<AgentConfig, { kind: K }>>;
};
