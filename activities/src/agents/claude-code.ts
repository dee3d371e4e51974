/**
 * The `claude-code` agent: Claude Code's CLI in print mode,
 *
 *   claude -p --output-format stream-json --verbose --model <model>
 *          --permission-mode acceptEdits --permission-prompts none
 *          (--session-id <new uuid> | --resume <id>) [--max-turns n] [--allowedTools …] -- <goal>
 *
 * run in the workspace as the leader of its own process group, stdin from /dev/null, with an
 * environment of its own: HOME and temp files in the agent's state dir (agent-state-dir.ts),
 * the worker's PATH and locale, the endpoint and the key, and nothing else of the worker's (its
 * database URLs and tokens stay out of reach of the model's shell commands). Nothing ever waits
 * for a person: tools outside the permission mode and `allowedTools` are denied and reported.
 *
 * The session id is chosen here and heartbeated before the CLI starts, so a step retried after
 * a worker crash resumes the same conversation (`--resume`) from the transcript the CLI keeps in
 * the state dir. How a run ends: the `result` message's `is_error` and API status decide between
 * success, a retryable model error (HTTP 429/5xx after the CLI's own retries) and a failure
 * that fails the step with the agent's own words.
 */
import { randomUUID } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentStepInput } from '../contracts.js';
import type {
  AgentAdapter,
  AgentAvailability,
  AgentRunContext,
  AgentRunResult,
} from './adapter.js';
import {
  agentConfigError,
  agentKilledError,
  agentModelError,
  agentReportedError,
  isRetryableModelStatus,
} from './agent-errors.js';
import { agentStateDir, type AgentStateDir } from './agent-state-dir.js';
import { DEFAULT_CLAUDE_API_KEY_ENV, parseClaudeCodeConfig } from './claude-code-config.js';
import { createClaudeStreamParser } from './claude-code-stream.js';
import { passedThroughEnvironment, stateDirEnvironment } from './cli-environment.js';
import { cliVersion } from './cli-version.js';
import { findExecutable } from './find-executable.js';
import { orchestratorEnvironment } from './orchestrator-environment.js';
import { oneLineSummary, stripAnsi } from './plain-text.js';
import { runInProcessGroup } from './run-in-process-group.js';
import { isAgentStall } from './stall-watchdog.js';
import type { ClaudeCodeAgentConfig } from './types.js';

export const CLAUDE_CODE_PACKAGE = '@anthropic-ai/claude-code';
const SUMMARY_MAX_LENGTH = 200;

/** Telemetry, error reports, update checks and other traffic a worker has no use for. */
const QUIET = {
  DISABLE_TELEMETRY: '1',
  DISABLE_ERROR_REPORTING: '1',
  DISABLE_AUTOUPDATER: '1',
  DISABLE_BUG_COMMAND: '1',
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
};

export function claudeApiKeyEnv(config: ClaudeCodeAgentConfig): string {
  return config.apiKeyEnv ?? DEFAULT_CLAUDE_API_KEY_ENV;
}

/** The argv after the binary: print mode, stream-json, the session to start or resume. */
export function claudeArguments(
  config: ClaudeCodeAgentConfig,
  session: { id: string; resume: boolean },
  prompt: string,
): string[] {
  return [
    '-p',
    '--output-format',
    'stream-json',
    '--verbose',
    '--model',
    config.model,
    '--permission-mode',
    config.permissionMode ?? 'acceptEdits',
    '--permission-prompts',
    'none',
    ...(session.resume ? ['--resume', session.id] : ['--session-id', session.id]),
    ...(config.maxTurns ? ['--max-turns', String(config.maxTurns)] : []),
    ...(config.allowedTools?.length ? ['--allowedTools', ...config.allowedTools] : []),
    // The goal is a positional argument after `--`: a goal starting with "-" stays a goal.
    '--',
    prompt,
  ];
}

export function claudeEnvironment(
  config: ClaudeCodeAgentConfig,
  input: AgentStepInput,
  state: AgentStateDir,
  workerEnv: NodeJS.ProcessEnv,
): Record<string, string> {
  const key = workerEnv[claudeApiKeyEnv(config)];
  return {
    ...passedThroughEnvironment(workerEnv),
    ...QUIET,
    ...config.env,
    ...stateDirEnvironment(state),
    CLAUDE_CONFIG_DIR: join(state.home, '.claude'),
    CLAUDE_CODE_TMPDIR: state.tmp,
    ...(config.baseUrl ? { ANTHROPIC_BASE_URL: config.baseUrl } : {}),
    ...(key ? { ANTHROPIC_API_KEY: key } : {}),
    ...orchestratorEnvironment(config.name, input),
  };
}

function resumePrompt(goal: string): string {
  return (
    'The previous run of this step was interrupted before it finished (the orchestrator ' +
    'restarted it). Continue the task where you left off and complete it. The task:\n\n' +
    goal
  );
}

/** Whether the CLI kept a transcript of session `id` in this HOME (so it can be resumed). */
async function hasTranscript(state: AgentStateDir, id: string): Promise<boolean> {
  const projects = join(state.home, '.claude', 'projects');
  const dirs = await readdir(projects).catch(() => [] as string[]);
  for (const dir of dirs) {
    const found = await stat(join(projects, dir, `${id}.jsonl`)).then(
      (info) => info.isFile() && info.size > 0,
      () => false,
    );
    if (found) return true;
  }
  return false;
}

function installHint(config: ClaudeCodeAgentConfig): string {
  return (
    `Install Claude Code on the worker (npm install -g ${CLAUDE_CODE_PACKAGE}) or set "binary" ` +
    `in the agent "${config.name}" to the path of its \`claude\` executable.`
  );
}

export const claudeCodeAdapter: AgentAdapter<ClaudeCodeAgentConfig> = {
  kind: 'claude-code',

  parseConfig: parseClaudeCodeConfig,

  async checkAvailability(config, env): Promise<AgentAvailability> {
    const binary = config.binary ?? 'claude';
    const lookup = await findExecutable(binary, env);
    if (!lookup.found) {
      const where = binary.includes('/') ? binary : `"${binary}" on the PATH (${env.PATH ?? ''})`;
      return {
        available: false,
        reason:
          `Agent "${config.name}" (claude-code): ${where} ` +
          `${lookup.reason === 'not-found' ? 'was not found' : 'is not executable'}. ` +
          installHint(config),
      };
    }
    const version = await cliVersion(lookup.path, QUIET);
    if (version === null) {
      return {
        available: false,
        reason:
          `Agent "${config.name}" (claude-code): ${lookup.path} did not answer --version like ` +
          `Claude Code does. ${installHint(config)}`,
      };
    }
    const keyEnv = claudeApiKeyEnv(config);
    if (!env[keyEnv]) {
      return {
        available: false,
        reason:
          `Agent "${config.name}" (claude-code): the environment variable ${keyEnv} (its ` +
          `apiKeyEnv) is not set on this worker. Set it to the API key in the worker's ` +
          'environment; the key is read from there at each step and never stored or logged.',
      };
    }
    return { available: true, binary: lookup.path, version };
  },

  secrets(config, env) {
    const key = env[claudeApiKeyEnv(config)];
    return key ? [key] : [];
  },

  async run(config, input, context): Promise<AgentRunResult> {
    const binary = context.installation.binary ?? config.binary ?? 'claude';
    const state = agentStateDir(input.workspace, config.name);
    const previous = context.resume?.agentSessionId ?? null;
    const resume = previous !== null && (await hasTranscript(state, previous));
    if (resume) await state.ensure();
    else await state.reset();
    if (previous && !resume) {
      context.write(
        'system',
        `▶ Claude session ${previous} of the previous attempt left no transcript; starting over`,
      );
    }
    const session = { id: resume && previous ? previous : randomUUID(), resume };
    context.onAgentSession(session.id);

    // Kept only when a retry could resume it: after a crash (nothing runs this), a kill, a
    // model error or a stall. Removed after success, a cancellation or a failure that fails
    // the step.
    let keepState = false;
    try {
      return await runClaude(config, input, context, binary, state, session);
    } catch (error) {
      keepState = !context.signal.aborted && isRetryable(error);
      throw error;
    } finally {
      if (isAgentStall(context.signal.reason)) keepState = true;
      if (!keepState) await state.remove().catch(() => undefined);
    }
  },
};

/** One line of plain text: the agent's answers and errors may span paragraphs. */
function summarize(text: string): string {
  return oneLineSummary(text.replace(/\s+/g, ' '), SUMMARY_MAX_LENGTH);
}

function isRetryable(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'nonRetryable' in error &&
    (error as { nonRetryable?: boolean }).nonRetryable === false
  );
}

async function runClaude(
  config: ClaudeCodeAgentConfig,
  input: AgentStepInput,
  context: AgentRunContext,
  binary: string,
  state: AgentStateDir,
  session: { id: string; resume: boolean },
): Promise<AgentRunResult> {
  const { write, emit } = context;
  const prompt = session.resume ? resumePrompt(input.goal) : input.goal;
  const version = context.installation.version;
  write(
    'system',
    `▶ step ${input.step}: running ${config.name} (claude-code${version ? ` ${version}` : ''}, ` +
      `model ${config.model}, ${session.resume ? 'resuming' : 'session'} ${session.id})`,
  );
  let lastStderr: string | null = null;
  const parser = createClaudeStreamParser({
    workspace: input.workspace,
    resumed: session.resume,
    emit,
  });
  // Stops the CLI from inside (credentials rejected), as opposed to a cancellation.
  const stop = new AbortController();
  const outcome = await runInProcessGroup({
    argv: [binary, ...claudeArguments(config, session, prompt)],
    cwd: input.workspace,
    env: claudeEnvironment(config, input, state, context.env),
    extendEnv: false,
    signal: AbortSignal.any([context.signal, stop.signal]),
    onSpawn: context.onSpawn,
    ...(context.killGraceMs === undefined ? {} : { killGraceMs: context.killGraceMs }),
    onLine(stream, line) {
      context.onOutput();
      if (stream === 'stdout' && parser.push(line)) {
        if (parser.rejectedCredentials && !stop.signal.aborted) stop.abort();
        return;
      }
      write(stream, line);
      if (stream === 'stderr' && stripAnsi(line).trim() !== '') lastStderr = line;
    },
  });
  const seconds = `${(outcome.durationMs / 1000).toFixed(1)}s`;
  const agentSessionId = parser.sessionId ?? session.id;
  const base = { durationMs: outcome.durationMs, agentSessionId };

  if (outcome.kind === 'spawn-failed') {
    const message =
      `Agent "${config.name}": ${binary} could not be started (${outcome.code}). ` +
      installHint(config);
    write('system', `■ ${message}`);
    throw agentConfigError(message);
  }
  const rejected = parser.rejectedCredentials;
  if (rejected && !context.signal.aborted) {
    write('system', `■ stopped: the model API rejected the credentials (HTTP ${rejected.status})`);
    throw agentReportedError({
      agent: config.name,
      exitCode: outcome.kind === 'exited' ? outcome.exitCode : null,
      reason: rejected.error,
      message:
        `the model API answered HTTP ${rejected.status}: check the API key in ` +
        `${claudeApiKeyEnv(config)} on the worker` +
        (config.baseUrl ? ` and the baseUrl ${config.baseUrl}` : ''),
    });
  }
  if (outcome.kind === 'signaled') {
    write('system', `■ killed by ${outcome.signal} after ${seconds}`);
    if (context.signal.aborted) {
      return { ...base, exitCode: -1, summary: 'cancelled', usage: parser.result?.usage ?? null };
    }
    throw agentKilledError(config.name, outcome.signal);
  }
  write('system', `■ exit ${outcome.exitCode} in ${seconds}`);
  const result = parser.result;
  if (context.signal.aborted) {
    return {
      ...base,
      exitCode: outcome.exitCode,
      summary: 'cancelled',
      usage: result?.usage ?? null,
    };
  }
  if (outcome.exitCode !== 0 || !result || result.isError) {
    const status = result?.apiErrorStatus ?? parser.lastApiError?.status ?? null;
    const message =
      summarize(result?.text || parser.lastApiError?.message || lastStderr || '') ||
      (result
        ? `Claude Code ended with ${result.subtype}`
        : `exited with code ${outcome.exitCode} without a result`);
    if (status !== null && isRetryableModelStatus(status)) {
      throw agentModelError({ agent: config.name, status, message });
    }
    const hint =
      status === 401 || status === 403
        ? ` (check the API key in ${claudeApiKeyEnv(config)} on the worker` +
          `${config.baseUrl ? ` and the baseUrl ${config.baseUrl}` : ''})`
        : result?.subtype === 'error_max_turns'
          ? ` (the agent reached its maxTurns of ${config.maxTurns ?? 'the CLI default'})`
          : '';
    throw agentReportedError({
      agent: config.name,
      exitCode: outcome.exitCode,
      reason: result?.subtype ?? null,
      message: message + hint,
    });
  }
  return {
    ...base,
    exitCode: outcome.exitCode,
    summary: summarize(result.text) || `${config.name} finished without a summary`,
    usage: result.usage,
    agentSessionId: result.sessionId ?? agentSessionId,
  };
}
