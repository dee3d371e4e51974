/**
 * The `command` agent: runs the configured argv in the workspace (no shell unless argv asks for
 * one; the goal arrives in ORCHESTRATOR_GOAL, never spliced into argv), streams its output to
 * the log line by line with a start and an end line, and turns how it ended into a step result
 * or a typed failure. It has no event model; it reports usage only when the command prints
 * `ORCHESTRATOR_USAGE {json}` lines (command-usage.ts).
 */
import type { AgentStepInput, AgentUsage } from '../contracts.js';
import type { LogStream } from '../logs/types.js';
import type { AgentAdapter, AgentAvailability } from './adapter.js';
import { agentConfigError, agentExitError, agentKilledError } from './agent-errors.js';
import { addAgentUsage, parseUsageLine } from './command-usage.js';
import { checkKnownFields } from './config-fields.js';
import { findExecutable } from './find-executable.js';
import { orchestratorEnvironment } from './orchestrator-environment.js';
import { oneLineSummary, stripAnsi } from './plain-text.js';
import { runInProcessGroup } from './run-in-process-group.js';
import type { CommandAgentConfig } from './types.js';

export const SUMMARY_MAX_LENGTH = 200;

export interface CommandRunOptions {
  write(stream: LogStream, line: string): void;
  /** Cancellation: kills the agent's whole process group. */
  signal?: AbortSignal;
  onSpawn?(pgid: number): void;
  /** The running total of what its ORCHESTRATOR_USAGE lines reported, after each one. */
  onUsage?(usage: AgentUsage): void;
  killGraceMs?: number;
}

export interface CommandRunResult {
  exitCode: number;
  summary: string;
  /** Lines the agent printed (stdout and stderr). */
  lines: number;
  durationMs: number;
  /** What its `ORCHESTRATOR_USAGE` lines reported, summed; null without any. */
  usage: AgentUsage | null;
}

/** What the agent process sees besides the worker's environment and its configured `env`. */
export function agentEnvironment(config: CommandAgentConfig, input: AgentStepInput) {
  return { ...config.env, ...orchestratorEnvironment(config.name, input) };
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
  const { write } = options;
  let lines = 0;
  let lastStdout: string | null = null;
  let lastStderr: string | null = null;
  let usage: AgentUsage | null = null;
  write('system', `▶ step ${input.step}: running ${config.name} (${config.command.join(' ')})`);
  const outcome = await runInProcessGroup({
    argv: config.command,
    cwd: input.workspace,
    env: agentEnvironment(config, input),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onSpawn ? { onSpawn: options.onSpawn } : {}),
    ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
    onLine(stream, line) {
      lines += 1;
      write(stream, line);
      if (stripAnsi(line).trim() === '') return;
      const reported = stream === 'stdout' ? parseUsageLine(line) : null;
      if (reported) {
        usage = addAgentUsage(usage, reported);
        options.onUsage?.(usage);
        return;
      }
      if (stream === 'stdout') lastStdout = line;
      else lastStderr = line;
    },
  });
  const seconds = `${(outcome.durationMs / 1000).toFixed(1)}s`;

  if (outcome.kind === 'spawn-failed') {
    const message = commandUnavailableMessage(config, outcome.code, outcome.message);
    write('system', `■ ${message}`);
    throw agentConfigError(message);
  }
  if (outcome.kind === 'signaled') {
    write('system', `■ killed by ${outcome.signal} after ${seconds}`);
    if (options.signal?.aborted)
      return { exitCode: -1, summary: 'cancelled', lines, durationMs: outcome.durationMs, usage };
    throw agentKilledError(config.name, outcome.signal);
  }
  write('system', `■ exit ${outcome.exitCode} in ${seconds}`);
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
    usage,
  };
}

function commandUnavailableMessage(
  config: CommandAgentConfig,
  code: string,
  detail?: string,
): string {
  const what =
    code === 'ENOENT'
      ? 'was not found'
      : code === 'EACCES'
        ? 'is not executable'
        : `could not be started (${code})`;
  return (
    `Agent "${config.name}": command "${config.command[0]}" ${what}. Install it on the worker ` +
    `or fix the agent's command (${config.command.join(' ')}).${detail ? ` ${detail}` : ''}`
  );
}

export const commandAdapter: AgentAdapter<CommandAgentConfig> = {
  kind: 'command',

  parseConfig(entry, where) {
    checkKnownFields(entry, ['command', 'env', 'retryOnNonZeroExit'], 'command', where);
    const env = entry.env;
    if (
      env !== undefined &&
      (typeof env !== 'object' ||
        env === null ||
        Array.isArray(env) ||
        !Object.values(env).every((value) => typeof value === 'string'))
    ) {
      throw new Error(`${where}.env: expected an object of environment variables (strings)`);
    }
    if (entry.retryOnNonZeroExit !== undefined && typeof entry.retryOnNonZeroExit !== 'boolean') {
      throw new Error(`${where}.retryOnNonZeroExit: expected true or false`);
    }
    const command = entry.command;
    if (
      !Array.isArray(command) ||
      command.length === 0 ||
      !command.every((part) => typeof part === 'string')
    ) {
      throw new Error(`${where}.command: expected a non-empty array of strings (argv)`);
    }
    return entry as unknown as CommandAgentConfig;
  },

  async checkAvailability(config, env): Promise<AgentAvailability> {
    const [file] = config.command;
    // A relative path is resolved against the workspace, which only exists once a step runs:
    // that case is checked when the process is spawned.
    if (!file || (file.includes('/') && !file.startsWith('/'))) {
      return { available: true, binary: null, version: null };
    }
    const lookup = await findExecutable(file, { ...env, ...config.env });
    if (lookup.found) return { available: true, binary: lookup.path, version: null };
    return {
      available: false,
      reason: commandUnavailableMessage(
        config,
        lookup.reason === 'not-found' ? 'ENOENT' : 'EACCES',
      ),
    };
  },

  secrets: () => [],

  async run(config, input, context) {
    const run = await runCommandAgent(config, input, {
      write: context.write,
      signal: context.signal,
      onSpawn: context.onSpawn,
      onUsage: context.onUsage,
      ...(context.killGraceMs === undefined ? {} : { killGraceMs: context.killGraceMs }),
    });
    return {
      exitCode: run.exitCode,
      summary: run.summary,
      durationMs: run.durationMs,
      usage: run.usage,
      agentSessionId: null,
    };
  },
};
