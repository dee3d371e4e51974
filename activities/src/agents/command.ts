/**
 * The `command` agent: runs the configured argv in the workspace (no shell unless argv asks for
 * one; the goal arrives in ORCHESTRATOR_GOAL, never spliced into argv), streams its output to
 * the log writer with a start and an end line, and turns how it ended into a step result or a
 * typed failure.
 */
import type { AgentStepInput } from '../contracts.js';
import type { LogWriter } from '../logs/log-writer.js';
import { agentConfigError, agentExitError, agentKilledError } from './agent-errors.js';
import { oneLineSummary, stripAnsi } from './plain-text.js';
import { runInProcessGroup } from './run-in-process-group.js';
import type { CommandAgentConfig } from './types.js';

export const SUMMARY_MAX_LENGTH = 200;

export interface CommandRunOptions {
  writer: LogWriter;
  /** Cancellation: kills the agent's whole process group. */
  signal?: AbortSignal;
  onSpawn?(pgid: number): void;
  killGraceMs?: number;
}

export interface CommandRunResult {
  exitCode: number;
  summary: string;
  /** Lines the agent printed (stdout and stderr). */
  lines: number;
  durationMs: number;
}

/** What the agent process sees besides the worker's environment and its configured `env`. */
export function agentEnvironment(config: CommandAgentConfig, input: AgentStepInput) {
  return {
    ...config.env,
    ORCHESTRATOR_GOAL: input.goal,
    ORCHESTRATOR_SESSION_ID: input.sessionId,
    ORCHESTRATOR_STEP: String(input.step),
    ORCHESTRATOR_AGENT: config.name,
    ORCHESTRATOR_WORKSPACE: input.workspace,
  };
}

/**
 * Runs one step. Resolves for exit 0; throws AgentExitError / AgentConfigError /
 * AgentKilledError otherwise. When `signal` aborted, it resolves or throws like any other run
 * and the caller, who owns the cancellation, rethrows it.
 */
export async function runCommandAgent(
  config: CommandAgentConfig,
  input: AgentStepInput,
  options: CommandRunOptions,
): Promise<CommandRunResult> {
  const { writer } = options;
  let lines = 0;
  let lastStdout: string | null = null;
  let lastStderr: string | null = null;
  writer.write(
    'system',
    `▶ step ${input.step}: running ${config.name} (${config.command.join(' ')})`,
  );
  const outcome = await runInProcessGroup({
    argv: config.command,
    cwd: input.workspace,
    env: agentEnvironment(config, input),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
    ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
    onLine(stream, line) {
      lines += 1;
      writer.write(stream, line);
      if (stripAnsi(line).trim() === '') return;
      if (stream === 'stdout') lastStdout = line;
      else lastStderr = line;
    },
  });
  const seconds = `${(outcome.durationMs / 1000).toFixed(1)}s`;

  if (outcome.kind === 'spawn-failed') {
    const what =
      outcome.code === 'ENOENT' ? 'was not found' : `could not be started (${outcome.code})`;
    const message =
      `Agent "${config.name}": command "${config.command[0]}" ${what}. Install it on the worker ` +
      `or fix the agent's command (${config.command.join(' ')}). ${outcome.message}`;
    writer.write('system', `■ ${message}`);
    throw agentConfigError(message);
  }
  if (outcome.kind === 'signaled') {
    writer.write('system', `■ killed by ${outcome.signal} after ${seconds}`);
    if (options.signal?.aborted)
      return { exitCode: -1, summary: 'cancelled', lines, durationMs: outcome.durationMs };
    throw agentKilledError(config.name, outcome.signal);
  }
  writer.write('system', `■ exit ${outcome.exitCode} in ${seconds}`);
  if (outcome.exitCode !== 0 && !options.signal?.aborted) {
    throw agentExitError(
      {
        agent: config.name,
        exitCode: outcome.exitCode,
        lastStderrLine: lastStderr === null ? null : oneLineSummary(lastStderr, SUMMARY_MAX_LENGTH),
      },
      config.retryOnNonZeroExit ?? false,
    );
  }
  const last = lastStdout ?? lastStderr;
  return {
    exitCode: outcome.exitCode,
    summary:
      last === null
        ? `${config.name} finished without output`
        : oneLineSummary(last, SUMMARY_MAX_LENGTH),
    lines,
    durationMs: outcome.durationMs,
  };
}
