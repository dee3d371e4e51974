/**
 * The failures an agent step reports. Their `type`s are the contract with the workflow
 * (NON_RETRYABLE_AGENT_ERRORS in ../contracts.ts): configuration and exit errors fail the step
 * at once, a process killed from outside (out of memory, an operator) may be retried.
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
