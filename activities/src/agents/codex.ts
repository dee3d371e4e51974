/**
 * The `codex` agent: OpenAI's Codex CLI, non-interactive,
 *
 *   codex exec --json --strict-config -- <goal>
 *   codex exec resume --json --strict-config <thread id> -- <continue prompt>
 *
 * run in the workspace as the leader of its own process group, stdin from /dev/null, with an
 * environment of its own (cli-environment.ts): HOME, CODEX_HOME and temp files in the agent's
 * state dir, the worker's PATH and locale, the key, and nothing else of the worker's. Everything
 * else comes from the `config.toml` written into that CODEX_HOME before each run
 * (codex-config-toml.ts): the model, the Responses API endpoint, the sandbox, no approvals.
 *
 * Sandbox: the model's commands run under Codex's Linux sandbox, `workspace-write` by default
 * (writes only inside the workspace, `.git` read-only, no network). It works on this project's
 * machines as root in a container; where a kernel refuses it, the agent's `sandbox` can be
 * `danger-full-access`, for workers that are themselves the sandbox.
 *
 * Codex picks the thread id; it arrives in the first event (`thread.started`) and is
 * heartbeated from then on, so a step retried after a worker crash resumes the same thread
 * from the rollout Codex keeps in the state dir. How a run ends: `turn.completed` is success;
 * `turn.failed` carries Codex's error text, from which the model API's HTTP status is read
 * (429/5xx: a retryable model error, after Codex's own retries).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentStepInput } from '../contracts.js';
import type { AgentAdapter, AgentRunContext, AgentRunResult } from './adapter.js';
import {
  agentConfigError,
  agentKilledError,
  agentModelError,
  agentReportedError,
  isRetryableModelStatus,
} from './agent-errors.js';
import { agentStateDir, type AgentStateDir } from './agent-state-dir.js';
import { checkCliAvailability } from './cli-availability.js';
import { passedThroughEnvironment, stateDirEnvironment } from './cli-environment.js';
import { DEFAULT_CODEX_API_KEY_ENV, parseCodexConfig } from './codex-config.js';
import { CODEX_KEY_VARIABLE, codexConfigToml } from './codex-config-toml.js';
import {
  createCodexStreamParser,
  modelStatusOf,
  usageSince,
  type CodexStreamParser,
  type CodexTokenCounts,
} from './codex-stream.js';
import { findRollout, rolloutTotals } from './codex-thread.js';
import { orchestratorEnvironment } from './orchestrator-environment.js';
import { oneLineSummary, stripAnsi } from './plain-text.js';
import { runInProcessGroup, type ProcessOutcome } from './run-in-process-group.js';
import { withStateKeptForRetry } from './state-kept-for-retry.js';
import type { CodexAgentConfig } from './types.js';

export const CODEX_PACKAGE = '@openai/codex';
const SUMMARY_MAX_LENGTH = 200;
/** Stderr lines kept to explain a run that failed without saying why on stdout. */
const STDERR_TAIL = 8;

export function codexApiKeyEnv(config: CodexAgentConfig): string {
  return config.apiKeyEnv ?? DEFAULT_CODEX_API_KEY_ENV;
}

/** Where Codex keeps its configuration and threads for this agent in this workspace. */
export function codexHome(state: AgentStateDir): string {
  return join(state.home, '.codex');
}

/** The argv after the binary: a new thread, or the thread to resume, and the prompt. */
export function codexArguments(resumeThreadId: string | null, prompt: string): string[] {
  return [
    'exec',
    ...(resumeThreadId ? ['resume'] : []),
    '--json',
    // An unknown key in the config.toml written here is an error, not silently ignored.
    '--strict-config',
    ...(resumeThreadId ? [resumeThreadId] : []),
    // The prompt is a positional argument after `--`: a goal starting with "-" (or reading
    // "resume") stays a goal.
    '--',
    prompt,
  ];
}

export function codexEnvironment(
  config: CodexAgentConfig,
  input: AgentStepInput,
  state: AgentStateDir,
  workerEnv: NodeJS.ProcessEnv,
): Record<string, string> {
  const key = workerEnv[codexApiKeyEnv(config)];
  return {
    ...passedThroughEnvironment(workerEnv),
    NO_COLOR: '1',
    ...config.env,
    ...stateDirEnvironment(state),
    CODEX_HOME: codexHome(state),
    ...(key ? { [CODEX_KEY_VARIABLE]: key } : {}),
    ...orchestratorEnvironment(config.name, input),
  };
}

function resumePrompt(goal: string): string {
  return (
    'This step was interrupted before it finished, and the orchestrator has started it again ' +
    'in the same thread. Look at what is already done in the workspace, then Continue the task ' +
    'where you left off and complete it. The task:\n\n' +
    goal
  );
}

function installHint(config: CodexAgentConfig): string {
  return (
    `Install Codex on the worker (npm install -g ${CODEX_PACKAGE}) or set "binary" in the ` +
    `agent "${config.name}" to the path of its \`codex\` executable.`
  );
}

export const codexAdapter: AgentAdapter<CodexAgentConfig> = {
  kind: 'codex',

  parseConfig: parseCodexConfig,

  checkAvailability: (config, env) =>
    checkCliAvailability(
      {
        agent: config.name,
        kind: 'codex',
        product: 'Codex',
        binary: config.binary ?? 'codex',
        installHint: installHint(config),
        keyEnv: codexApiKeyEnv(config),
      },
      env,
    ),

  secrets(config, env) {
    const key = env[codexApiKeyEnv(config)];
    return key ? [key] : [];
  },

  async run(config, input, context): Promise<AgentRunResult> {
    const binary = context.installation.binary ?? config.binary ?? 'codex';
    const state = agentStateDir(input.workspace, config.name);
    const previous = context.resume?.agentSessionId ?? null;
    const rollout = previous ? await findRollout(codexHome(state), previous) : null;
    if (rollout) await state.ensure();
    else await state.reset();
    if (previous && !rollout) {
      context.write(
        'system',
        `▶ Codex thread ${previous} of the previous attempt left no rollout; starting over`,
      );
    }
    await mkdir(codexHome(state), { recursive: true, mode: 0o700 });
    await writeFile(join(codexHome(state), 'config.toml'), codexConfigToml(config), {
      mode: 0o600,
    });
    const resume = rollout ? previous : null;
    if (resume) context.onAgentSession(resume);
    const baseline = rollout ? await rolloutTotals(rollout) : null;

    return withStateKeptForRetry(state, context.signal, () =>
      runCodex(config, input, context, { binary, state, resume, baseline }),
    );
  },
};

/** One line of plain text: the agent's answers and errors may span paragraphs. */
function summarize(text: string): string {
  return oneLineSummary(text.replace(/\s+/g, ' '), SUMMARY_MAX_LENGTH);
}

interface CodexRun {
  binary: string;
  state: AgentStateDir;
  /** The thread to resume, or null for a new one. */
  resume: string | null;
  /** The thread's totals before this run (resumed threads). */
  baseline: CodexTokenCounts | null;
}

async function runCodex(
  config: CodexAgentConfig,
  input: AgentStepInput,
  context: AgentRunContext,
  run: CodexRun,
): Promise<AgentRunResult> {
  const { write, emit } = context;
  const version = context.installation.version;
  write(
    'system',
    `▶ step ${input.step}: running ${config.name} (codex${version ? ` ${version}` : ''}, ` +
      `model ${config.model}, ${run.resume ? `resuming thread ${run.resume}` : 'new thread'})`,
  );
  const stderrTail: string[] = [];
  const parser = createCodexStreamParser({
    workspace: input.workspace,
    resumed: run.resume !== null,
    model: config.model,
    baseline: run.baseline,
    emit,
    notice: (message) => write('stderr', `[notice] ${message}`),
  });
  let announcedThread = run.resume;
  // Stops the CLI from inside (credentials rejected), as opposed to a cancellation.
  const stop = new AbortController();
  const outcome = await runInProcessGroup({
    argv: [
      run.binary,
      ...codexArguments(run.resume, run.resume ? resumePrompt(input.goal) : input.goal),
    ],
    cwd: input.workspace,
    env: codexEnvironment(config, input, run.state, context.env),
    extendEnv: false,
    signal: AbortSignal.any([context.signal, stop.signal]),
    onSpawn: context.onSpawn,
    ...(context.killGraceMs === undefined ? {} : { killGraceMs: context.killGraceMs }),
    onLine(stream, line) {
      context.onOutput();
      if (stream === 'stdout' && parser.push(line)) {
        if (parser.rejectedCredentials && !stop.signal.aborted) stop.abort();
        if (parser.threadId && parser.threadId !== announcedThread) {
          announcedThread = parser.threadId;
          context.onAgentSession(parser.threadId);
        }
        return;
      }
      write(stream, line);
      const plain = stripAnsi(line).trim();
      if (stream === 'stderr' && plain !== '') {
        stderrTail.push(plain);
        if (stderrTail.length > STDERR_TAIL) stderrTail.shift();
      }
    },
  });
  const threadId = parser.threadId ?? run.resume;
  const base = { durationMs: outcome.durationMs, agentSessionId: threadId };
  const seconds = `${(outcome.durationMs / 1000).toFixed(1)}s`;

  if (outcome.kind === 'spawn-failed') {
    const message =
      `Agent "${config.name}": ${run.binary} could not be started (${outcome.code}). ` +
      installHint(config);
    write('system', `■ ${message}`);
    throw agentConfigError(message);
  }
  write(
    'system',
    outcome.kind === 'signaled'
      ? `■ killed by ${outcome.signal} after ${seconds}`
      : `■ exit ${outcome.exitCode} in ${seconds}`,
  );
  const succeeded =
    outcome.kind === 'exited' &&
    outcome.exitCode === 0 &&
    parser.turnCompleted &&
    !parser.failure &&
    !context.signal.aborted;
  // Codex reports usage only when a turn completes; what an attempt that ended otherwise still
  // cost is in the rollout (and goes to the usage ledger through the event).
  const usage = succeeded ? usageOf(parser, run.baseline) : await attemptUsage(run, threadId);
  if (!succeeded && usage && !parser.totals) emit({ type: 'usage', usage });

  if (context.signal.aborted) {
    return { ...base, exitCode: exitCodeOf(outcome), summary: 'cancelled', usage };
  }
  const rejected = parser.rejectedCredentials;
  if (rejected) {
    write('system', `■ stopped: the model API rejected the credentials (HTTP ${rejected.status})`);
    throw agentReportedError({
      agent: config.name,
      exitCode: outcome.kind === 'exited' ? outcome.exitCode : null,
      reason: `HTTP ${rejected.status}`,
      message: summarize(rejected.message) + keyHint(config),
    });
  }
  if (outcome.kind === 'signaled') throw agentKilledError(config.name, outcome.signal);
  if (!succeeded) throw failureOf(config, parser, outcome.exitCode, stderrTail);
  return {
    ...base,
    exitCode: outcome.exitCode,
    summary: summarize(parser.lastMessage ?? '') || `${config.name} finished without a summary`,
    usage,
  };
}

function exitCodeOf(outcome: ProcessOutcome): number {
  return outcome.kind === 'exited' ? outcome.exitCode : -1;
}

function usageOf(parser: CodexStreamParser, baseline: CodexTokenCounts | null) {
  return parser.totals ? usageSince(parser.totals, baseline) : null;
}

async function attemptUsage(run: CodexRun, threadId: string | null) {
  if (!threadId) return null;
  const rollout = await findRollout(codexHome(run.state), threadId);
  const totals = rollout ? await rolloutTotals(rollout) : null;
  return totals ? usageSince(totals, run.baseline) : null;
}

/** Why a run that exited did not succeed, as the typed failure the step reports. */
function failureOf(
  config: CodexAgentConfig,
  parser: CodexStreamParser,
  exitCode: number,
  stderrTail: string[],
) {
  const said = parser.failure ?? parser.lastError;
  const status = said ? modelStatusOf(said) : null;
  if (status !== null && isRetryableModelStatus(status)) {
    return agentModelError({ agent: config.name, status, message: summarize(said ?? '') });
  }
  const hint = status === 401 || status === 403 ? keyHint(config) : '';
  const message = said
    ? summarize(said)
    : parser.turnCompleted
      ? `exited with code ${exitCode} after its turn completed`
      : `exited with code ${exitCode} without finishing its turn` +
        (stderrTail.length ? `: ${summarize(explanation(stderrTail))}` : ' (nothing on stderr)');
  return agentReportedError({
    agent: config.name,
    exitCode,
    reason: status === null ? null : `HTTP ${status}`,
    message: message + hint,
  });
}

function keyHint(config: CodexAgentConfig): string {
  return (
    ` (check the API key in ${codexApiKeyEnv(config)} on the worker` +
    `${config.baseUrl ? ` and the baseUrl ${config.baseUrl}` : ''})`
  );
}

/** The stderr lines from the last one that says "error" on (Codex's own error report). */
function explanation(tail: string[]): string {
  const from = tail.findLastIndex((line) => /\berror\b/i.test(line));
  return tail.slice(Math.max(from, 0)).join(' ');
}
