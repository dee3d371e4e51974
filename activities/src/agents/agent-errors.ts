/**
 * The failures an agent step reports. Their `type`s are the contract with the workflow
 * (NON_RETRYABLE_AGENT_ERRORS in ../contracts.ts): configuration and exit errors fail the step
 * at once; a process killed from outside (out of memory, an operator) and a model API that
 * is rate limited or down (AgentModelError) may be retried.
 */
import { ApplicationFailure } from '@temporalio/common';

export function agentConfigError(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'AgentConfigError', message, nonRetryable: true });
}

export interface AgentExitDetails {
  agent: string;
  exitCode: number;
  lastStderrLine: string | null;
}

export function agentExitError(details: AgentExitDetails, retryable: boolean): ApplicationFailure {
  const said = details.lastStderrLine ? `: ${details.lastStderrLine}` : ' (nothing on stderr)';
  return ApplicationFailure.create({
    type: 'AgentExitError',
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

/** Whether a model API status is worth retrying the step for. */
export function isRetryableModelStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
