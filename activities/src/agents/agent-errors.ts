/**
 * The failures an agent step reports. Their `type`s are the contract with the workflow
 * (NON_RETRYABLE_AGENT_ERRORS in ../contracts.ts): configuration and exit errors fail the step
 * at once; a process killed from outside (out of memory, an operator), a model API that
 * is rate limited or down (AgentModelError) and an agent that stopped printing anything
 * (AgentStalledError) may be retried.
 */
import { ApplicationFailure } from '@temporalio/common';
import { formatSeconds } from './stall-watchdog.js';

export function agentConfigError(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'AgentConfigError', message, nonRetryable: true });
}

export interface AgentExitDetails {
  agent: string;
  exitCode: number;
  lastStderrLine: string | null;
}

/**
 * A retryable exit has a type of its own: the workflow lists `AgentExitError` as non-retryable,
 * and Temporal's retry policy goes by type before it looks at the failure's own flag, so an
 * `AgentExitError` marked retryable was never retried.
 */
export function agentExitError(details: AgentExitDetails, retryable: boolean): ApplicationFailure {
  const said = details.lastStderrLine ? `: ${details.lastStderrLine}` : ' (nothing on stderr)';
  return ApplicationFailure.create({
    type: retryable ? 'AgentExitRetryableError' : 'AgentExitError',
    message: `Agent "${details.agent}" exited with code ${details.exitCode}${said}`,
    nonRetryable: !retryable,
    details: [details],
  });
}

export function agentKilledError(agent: string, signal: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'AgentKilledError',
    message:
      `Agent "${agent}" was killed by ${signal} without the step being cancelled (out of ` +
      'memory, or stopped from outside the orchestrator); the step may be retried.',
    nonRetryable: false,
    details: [{ agent, signal }],
  });
}

export interface AgentFailureDetails {
  agent: string;
  exitCode: number | null;
  /** The agent's own name for how it ended (e.g. Claude Code's result subtype). */
  reason: string | null;
  /** The agent's own error text. */
  message: string;
}

/**
 * The agent ran and reported that it failed (an error result, a turn limit, a denied resume):
 * retrying the same step would fail the same way, so the step fails with the agent's words.
 */
export function agentReportedError(details: AgentFailureDetails): ApplicationFailure {
  const how = details.reason ? ` (${details.reason})` : '';
  return ApplicationFailure.create({
    type: 'AgentExitError',
    message: `Agent "${details.agent}" failed${how}: ${details.message}`,
    nonRetryable: true,
    details: [details],
  });
}

export interface ModelErrorDetails {
  agent: string;
  /** HTTP status the model API answered (429, 5xx). */
  status: number;
  message: string;
}

/**
 * The model API was rate limited or failing (HTTP 429, 5xx) after the agent's own retries:
 * nothing is wrong with the step itself, so Temporal may retry it (with backoff).
 */
export function agentModelError(details: ModelErrorDetails): ApplicationFailure {
  const what =
    details.status === 429
      ? 'rate limited the request (HTTP 429)'
      : `failed with HTTP ${details.status}`;
  return ApplicationFailure.create({
    type: 'AgentModelError',
    message:
      `Agent "${details.agent}": the model API ${what}: ${details.message}. ` +
      'The step is retried with backoff; if it keeps failing, check the provider status and quota.',
    nonRetryable: false,
    details: [details],
  });
}

export interface StalledDetails {
  agent: string;
  /** The agent's stallTimeoutMs. */
  stallTimeoutMs: number;
  /** How long it had been silent when it was stopped (at least stallTimeoutMs). */
  silentMs: number;
  attempt: number;
}

/**
 * The agent printed nothing for its stallTimeoutMs and was stopped (its whole process group):
 * a hung model request or a wedged tool may go away on a fresh attempt, so Temporal retries the
 * step with backoff; after the last attempt the session fails with this message.
 */
export function agentStalledError(details: StalledDetails): ApplicationFailure {
  const silent = formatSeconds(details.stallTimeoutMs);
  return ApplicationFailure.create({
    type: 'AgentStalledError',
    message:
      `Agent "${details.agent}" produced no output for ${silent} (its stallTimeoutMs is ` +
      `${details.stallTimeoutMs}) and was stopped on attempt ${details.attempt}; the step is ` +
      'retried with backoff. If the agent legitimately works silently for longer, raise its ' +
      'stallTimeoutMs; otherwise check the agent (a prompt waiting for input, a model request ' +
      'that never answers, a hung tool).',
    nonRetryable: false,
    details: [details],
  });
}

/** Whether a model API status is worth retrying the step for. */
export function isRetryableModelStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
