/**
 * The `opencode` agent: OpenCode as a headless server, driven over its HTTP API,
 *
 *   opencode serve --hostname 127.0.0.1 --port 0   (one per step, in the workspace)
 *   POST /session · POST /session/:id/prompt_async · GET /event · POST /session/:id/abort
 *
 * with `@opencode-ai/sdk` (pinned to the CLI's version). The server runs as the leader of its
 * own process group, stdin from /dev/null, with an environment of its own
 * (opencode-environment.ts): HOME in the step's state dir, where OpenCode keeps its sessions,
 * the configuration inline (provider, model, no sharing or updates), a random password on its
 * API, the key under a variable the configuration names.
 *
 * Why a server rather than `opencode run`: the event stream shows OpenCode's own model
 * retries (which `run` keeps silent for minutes), a run is aborted through the API (OpenCode
 * records the abort in the session, so a later resume reads a clean history), and the session
 * exists, with its id, before the prompt is sent: it is heartbeated, and a step retried after
 * a worker crash sends its "continue" prompt to the same session from the database the dead
 * attempt left in the state dir. How a run ends: the session goes idle; a `session.error`
 * before that decides between a retryable model error (HTTP 429/5xx, after OpenCode's own
 * retries) and a failure in the agent's words.
 */
import { randomBytes } from 'node:crypto';
import { createOpencodeClient, type OpencodeClient } from '@opencode-ai/sdk/v2/client';
import { ApplicationFailure } from '@temporalio/common';
import type { AgentStepInput } from '../contracts.js';
import type { AgentAdapter, AgentRunContext, AgentRunResult } from './adapter.js';
import {
  agentConfigError,
  agentExitError,
  agentKilledError,
  agentModelError,
  agentReportedError,
  isRetryableModelStatus,
} from './agent-errors.js';
import { agentStateDir, type AgentStateDir } from './agent-state-dir.js';
import { checkCliAvailability } from './cli-availability.js';
import {
  OPENCODE_PACKAGE,
  opencodeApiKeyEnv,
  parseOpenCodeConfig,
  splitModel,
} from './opencode-config.js';
import { opencodeEnvironment, prepareOpenCodeHome } from './opencode-environment.js';
import {
  createOpenCodeEventParser,
  type OpenCodeEventParser,
  type OpenCodePermissionRequest,
  type OpenCodeSessionError,
} from './opencode-events.js';
import { startOpenCodeServer } from './opencode-server.js';
import { opencodeVersion } from './opencode-version.js';
import { oneLineSummary } from './plain-text.js';
import type { ProcessOutcome } from './run-in-process-group.js';
import { withStateKeptForRetry } from './state-kept-for-retry.js';
import type { OpenCodeAgentConfig } from './types.js';

const SUMMARY_MAX_LENGTH = 200;
/** How long an abort through the API may take before the server is stopped regardless. */
const API_ABORT_TIMEOUT_MS = 2_000;
/** The basic-auth user `opencode serve` expects (OPENCODE_SERVER_USERNAME's default). */
const SERVER_USER = 'opencode';

function installHint(config: OpenCodeAgentConfig): string {
  return (
    `Install OpenCode on the worker (npm install -g ${OPENCODE_PACKAGE}) or set "binary" in ` +
    `the agent "${config.name}" to the path of its \`opencode\` executable.`
  );
}

/** The prompt of a step retried after its agent died: the same session, asked to go on. */
export function opencodeResumePrompt(goal: string): string {
  return (
    'This step was interrupted before it finished, and the orchestrator has started it again ' +
    'in the same session. Look at what is already done in the workspace, then Continue the ' +
    'task where you left off and complete it. The task:\n\n' +
    goal
  );
}

export const opencodeAdapter: AgentAdapter<OpenCodeAgentConfig> = {
  kind: 'opencode',

  parseConfig: parseOpenCodeConfig,

  checkAvailability: (config, env) =>
    checkCliAvailability(
      {
        agent: config.name,
        kind: 'opencode',
        product: 'OpenCode',
        binary: config.binary ?? 'opencode',
        installHint: installHint(config),
        keyEnv: opencodeApiKeyEnv(config),
        readVersion: opencodeVersion,
      },
      env,
    ),

  secrets(config, env) {
    const key = env[opencodeApiKeyEnv(config)];
    return key ? [key] : [];
  },

  async run(config, input, context): Promise<AgentRunResult> {
    const state = agentStateDir(input.workspace, config.name);
    // The previous attempt's session lives in the database it left in the state dir: kept
    // for a resumed step, emptied for a fresh one.
    if (context.resume) await state.ensure();
    else await state.reset();
    await prepareOpenCodeHome(state);

    // Kept only when a retry could resume it (a kill, a model error, a stall).
    return withStateKeptForRetry(state, context.signal, () =>
      runOpenCode(config, input, context, state),
    );
  },
};

/** One line of plain text: the agent's answers and errors may span paragraphs. */
function summarize(text: string): string {
  return oneLineSummary(text.replace(/\s+/g, ' '), SUMMARY_MAX_LENGTH);
}

/** How waiting for the prompt to finish ended. */
type Ending =
  | { kind: 'idle' }
  | { kind: 'aborted' }
  | { kind: 'server-ended'; outcome: ProcessOutcome }
  | { kind: 'stream-lost'; message: string };

async function runOpenCode(
  config: OpenCodeAgentConfig,
  input: AgentStepInput,
  context: AgentRunContext,
  state: AgentStateDir,
): Promise<AgentRunResult> {
  const { write } = context;
  const binary = context.installation.binary ?? config.binary ?? 'opencode';
  const version = context.installation.version;
  const password = randomBytes(24).toString('base64url');
  const started = Date.now();
  write(
    'system',
    `▶ step ${input.step}: running ${config.name} (opencode${version ? ` ${version}` : ''}, ` +
      `model ${config.model})`,
  );

  // Until the prompt is sent, the server's routine log shows it is booting, not stuck.
  let booting = true;
  const server = startOpenCodeServer({
    binary,
    cwd: input.workspace,
    env: opencodeEnvironment(config, input, state, context.env, password),
    onSpawn: context.onSpawn,
    onLine: (stream, line) => write(stream, line),
    onActivity: () => {
      if (booting) context.onOutput();
    },
    ...(context.killGraceMs === undefined ? {} : { killGraceMs: context.killGraceMs }),
  });

  let client: OpencodeClient | null = null;
  let sessionID: string | null = null;
  // Cancelled or stalled: the prompt is aborted through the API first (OpenCode records it in
  // the session), then the server's whole process group is stopped.
  const aborting = new Promise<Ending>((resolve) => {
    const abort = () => {
      const stopped = () => void server.stop().then(() => resolve({ kind: 'aborted' }));
      if (client && sessionID) {
        void client.session
          .abort({ sessionID }, { signal: AbortSignal.timeout(API_ABORT_TIMEOUT_MS) })
          .catch(() => undefined)
          .finally(stopped);
      } else {
        stopped();
      }
    };
    if (context.signal.aborted) abort();
    else context.signal.addEventListener('abort', abort, { once: true });
  });
  const serverEnded = server.exited.then((outcome): Ending => ({ kind: 'server-ended', outcome }));

  const interrupted = Promise.race([aborting, serverEnded]);
  const finish = (ending: Ending, parser: OpenCodeEventParser | null) =>
    ended(config, context, ending, {
      parser,
      agentSessionId: sessionID ?? context.resume?.agentSessionId ?? null,
      durationMs: Date.now() - started,
    });
  try {
    const url = await server.url;
    if (url === null) return finish(await interrupted, null);
    client = createOpencodeClient({
      baseUrl: url,
      directory: input.workspace,
      headers: {
        authorization: `Basic ${Buffer.from(`${SERVER_USER}:${password}`).toString('base64')}`,
      },
    });
    let run: Conversation;
    try {
      run = await converse(config, input, context, client, {
        onSession: (id) => {
          sessionID = id;
        },
        onPrompted: () => {
          booting = false;
        },
        interrupted,
      });
    } catch (error) {
      if (error instanceof ApplicationFailure) throw error;
      // A request to the server failed: it died or is being stopped (then that is the
      // ending), or it broke its API (then the step may be retried).
      const ending = await Promise.race([interrupted, delay(API_ABORT_TIMEOUT_MS)]);
      if (!ending) {
        throw agentExitError(
          { agent: config.name, exitCode: -1, lastStderrLine: (error as Error).message },
          true,
        );
      }
      run = { ending, parser: null };
    }
    return finish(run.ending, run.parser);
  } finally {
    // OpenCode runs the model's commands detached, outside the server's process group:
    // runAgentStep stops those once this returns (step-processes.ts).
    await server.stop();
  }
}

function delay(ms: number): Promise<null> {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms));
}

interface Conversation {
  ending: Ending;
  parser: OpenCodeEventParser | null;
}

/**
 * Subscribes to the server's events, opens (or reopens) the session, sends the prompt and
 * waits until the session is idle again, or the run is interrupted.
 */
async function converse(
  config: OpenCodeAgentConfig,
  input: AgentStepInput,
  context: AgentRunContext,
  client: OpencodeClient,
  hooks: {
    onSession(id: string): void;
    onPrompted(): void;
    interrupted: Promise<Ending>;
  },
): Promise<Conversation> {
  const { write, emit } = context;
  const streamStop = new AbortController();
  let parser: OpenCodeEventParser | null = null;
  let connected: () => void = () => undefined;
  const isConnected = new Promise<void>((resolve) => {
    connected = resolve;
  });
  let finished: (ending: Ending) => void = () => undefined;
  const done = new Promise<Ending>((resolve) => {
    finished = resolve;
  });

  const deny = (request: OpenCodePermissionRequest) => {
    emit({
      type: 'tool-failed',
      tool: request.permission,
      reason: `needs approval (${request.patterns.join(', ') || 'no pattern'}); denied, nobody is there to give it`,
    });
    void client.permission.reply({ requestID: request.id, reply: 'reject' }).catch(() => undefined);
  };

  const consume = async () => {
    try {
      const { stream } = await client.event.subscribe(undefined, {
        signal: streamStop.signal,
        sseMaxRetryAttempts: 3,
        sseDefaultRetryDelay: 500,
      });
      for await (const event of stream as AsyncIterable<unknown>) {
        if ((event as { type?: unknown }).type === 'server.connected') connected();
        if (parser?.push(event)) {
          context.onOutput();
          if (parser.idle) return finished({ kind: 'idle' });
        }
      }
      finished({ kind: 'stream-lost', message: 'the server closed its event stream' });
    } catch (error) {
      if (!streamStop.signal.aborted) {
        finished({ kind: 'stream-lost', message: (error as Error).message });
      }
    }
  };
  void consume();

  try {
    const interrupted = await Promise.race([isConnected.then(() => null), hooks.interrupted, done]);
    if (interrupted) return { ending: interrupted, parser };
    const session = await openSession(config, input, context, client);
    hooks.onSession(session.id);
    context.onAgentSession(session.id);
    emit({
      type: 'session',
      agentSessionId: session.id,
      model: config.model,
      resumed: session.resumed,
    });
    parser = createOpenCodeEventParser({
      sessionID: session.id,
      workspace: input.workspace,
      priced: config.pricing !== undefined || config.baseUrl === undefined,
      emit,
      onPermission: deny,
    });
    const prompt = await client.session.promptAsync({
      sessionID: session.id,
      model: splitModel(config.model),
      ...(config.agent ? { agent: config.agent } : {}),
      parts: [
        {
          type: 'text',
          text: session.resumed ? opencodeResumePrompt(input.goal) : input.goal,
        },
      ],
    });
    if (prompt.error !== undefined) {
      throw agentReportedError({
        agent: config.name,
        exitCode: null,
        reason: `HTTP ${prompt.response.status}`,
        message: `OpenCode refused the prompt: ${summarize(JSON.stringify(prompt.error))}`,
      });
    }
    hooks.onPrompted();
    write('system', `▶ prompt sent to OpenCode session ${session.id}`);
    return { ending: await Promise.race([done, hooks.interrupted]), parser };
  } finally {
    streamStop.abort();
  }
}

/** The session to prompt: the previous attempt's, when it is still there, else a new one. */
async function openSession(
  config: OpenCodeAgentConfig,
  input: AgentStepInput,
  context: AgentRunContext,
  client: OpencodeClient,
): Promise<{ id: string; resumed: boolean }> {
  const previous = context.resume?.agentSessionId;
  if (previous) {
    const found = await client.session.get({ sessionID: previous });
    if (found.data) return { id: found.data.id, resumed: true };
    context.write(
      'system',
      `▶ OpenCode session ${previous} of the previous attempt is gone; starting over`,
    );
  }
  // A title of its own: OpenCode would otherwise ask the model for one.
  const created = await client.session.create({ title: `${config.name}: step ${input.step}` });
  if (!created.data) {
    throw agentReportedError({
      agent: config.name,
      exitCode: null,
      reason: `HTTP ${created.response.status}`,
      message: `OpenCode could not create a session: ${summarize(JSON.stringify(created.error))}`,
    });
  }
  return { id: created.data.id, resumed: false };
}

/** The step's result, or its typed failure, from how the run ended. */
function ended(
  config: OpenCodeAgentConfig,
  context: AgentRunContext,
  ending: Ending,
  run: {
    parser: OpenCodeEventParser | null;
    agentSessionId: string | null;
    durationMs: number;
  },
): AgentRunResult {
  const { write } = context;
  const seconds = `${(run.durationMs / 1000).toFixed(1)}s`;
  const usage = run.parser?.usage ?? null;
  // However the run ended, what it cost so far goes to the log (and the usage ledger).
  if (usage) context.emit({ type: 'usage', usage });
  const result = (summary: string, exitCode = 0): AgentRunResult => ({
    exitCode,
    summary,
    durationMs: run.durationMs,
    usage,
    agentSessionId: run.agentSessionId,
  });
  if (context.signal.aborted) {
    write('system', `■ aborted after ${seconds}; the OpenCode server was stopped`);
    return result('cancelled', ending.kind === 'server-ended' ? exitCodeOf(ending.outcome) : -1);
  }
  if (ending.kind === 'server-ended') {
    const outcome = ending.outcome;
    if (outcome.kind === 'spawn-failed') {
      const message =
        `Agent "${config.name}": ${context.installation.binary ?? config.binary ?? 'opencode'} ` +
        `could not be started (${outcome.code}). ${installHint(config)}`;
      write('system', `■ ${message}`);
      throw agentConfigError(message);
    }
    if (outcome.kind === 'signaled') {
      write('system', `■ killed by ${outcome.signal} after ${seconds}`);
      throw agentKilledError(config.name, outcome.signal);
    }
    write('system', `■ exit ${outcome.exitCode} in ${seconds}, before the session finished`);
    throw agentExitError(
      { agent: config.name, exitCode: outcome.exitCode, lastStderrLine: null },
      false,
    );
  }
  if (ending.kind === 'stream-lost') {
    write(
      'system',
      `■ lost the OpenCode server's event stream after ${seconds}: ${ending.message}`,
    );
    throw agentExitError(
      { agent: config.name, exitCode: -1, lastStderrLine: ending.message },
      true,
    );
  }
  write('system', `■ session idle after ${seconds}`);
  const error = run.parser?.error ?? null;
  if (error) throw sessionFailure(config, error);
  return result(
    summarize(run.parser?.lastText ?? '') || `${config.name} finished without a summary`,
  );
}

function exitCodeOf(outcome: ProcessOutcome): number {
  return outcome.kind === 'exited' ? outcome.exitCode : -1;
}

/** Why a session that went idle with an error did not succeed, as the step's typed failure. */
export function sessionFailure(
  config: OpenCodeAgentConfig,
  error: OpenCodeSessionError,
): ApplicationFailure {
  const message = summarize(error.message) || error.name;
  const status = error.statusCode;
  if (status !== null && isRetryableModelStatus(status)) {
    return agentModelError({ agent: config.name, status, message });
  }
  const credentials = error.name === 'ProviderAuthError' || status === 401 || status === 403;
  const hint = credentials
    ? ` (check the API key in ${opencodeApiKeyEnv(config)} on the worker` +
      `${config.baseUrl ? ` and the baseUrl ${config.baseUrl}` : ''})`
    : '';
  return agentReportedError({
    agent: config.name,
    exitCode: null,
    reason: status === null ? error.name : `${error.name}, HTTP ${status}`,
    message: message + hint,
  });
}
