/**
 * The `runAgentStep` activity: one agent run in a session's workspace, ending in a commit whose
 * sha is the step's checkpoint. Around the agent's adapter (adapters.ts) it adds what Temporal
 * needs: heartbeats (which carry the process group, so a retry after a worker crash can find
 * and stop the orphan, and the agent's own session id, so the retry can resume it), cancellation
 * (which kills the whole group), the stall watchdog (an agent silent for its stallTimeoutMs is
 * stopped the same way and the attempt fails with a retryable AgentStalledError), secrets kept
 * out of every line and message, and logs flushed before the result is reported.
 */
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, TemporalFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import type {
  AgentStepInput,
  AgentStepResult,
  AgentUsage,
  SpentUsageDetail,
} from '../contracts.js';
import type { LogArchive } from '../db/log-archive.js';
import { archiveBusTail } from '../logs/archive-bus-tail.js';
import { createLogWriter } from '../logs/log-writer.js';
import type { LogBus, LogStream } from '../logs/types.js';
import { commitWorkspace } from '../workspace/commit.js';
import { headSha } from '../workspace/git.js';
import { resetWorkspaceTo } from '../workspace/reset.js';
import { workspaceError } from '../workspace/workspace-error.js';
import type { AgentRunContext } from './adapter.js';
import { adapterFor } from './adapters.js';
import { agentConfigError, agentStalledError } from './agent-errors.js';
import { traceAgentRun } from './agent-trace.js';
import { addAgentUsage } from './command-usage.js';
import { eventLines } from './events.js';
import { parseStepHeartbeat, reclaimOrphanedStep, type StepHeartbeat } from './orphans.js';
import { createRedactor, type Redactor } from './redact.js';
import type { AgentRegistry } from './registry.js';
import { stepOutcome } from './step-outcome.js';
import { stepIdentityOf, stopStepProcesses, type StepIdentity } from './step-processes.js';
import { attemptId, type LostAttemptUsage, type StepLedger } from './step-ledger.js';
import {
  DEFAULT_STALL_TIMEOUT_MS,
  formatSeconds,
  startStallWatchdog,
  type AgentStall,
  type StallWatchdog,
} from './stall-watchdog.js';

export interface RunAgentStepDeps {
  bus: LogBus;
  archive: LogArchive;
  agents: AgentRegistry;
  /** The usage ledger (one row per attempt); steps are not recorded without it. */
  ledger?: StepLedger;
  /** This worker's id in the ledger and in its availability reports. */
  workerId?: string;
  logger?: Logger;
  /** Between heartbeats; the SDK throttles them further to its heartbeat timeout. */
  heartbeatIntervalMs?: number;
  /** SIGTERM-to-SIGKILL grace when a step is cancelled. */
  killGraceMs?: number;
  /** Where agents' secrets (apiKeyEnv) and PATH are read from; default process.env. */
  env?: NodeJS.ProcessEnv;
}

const COMMIT_SUBJECT_MAX = 72;

export function createRunAgentStep(deps: RunAgentStepDeps) {
  const heartbeatIntervalMs = deps.heartbeatIntervalMs ?? 2_000;

  return async function runAgentStep(input: AgentStepInput): Promise<AgentStepResult> {
    const context = Context.current();
    const endSetupHeartbeats = heartbeatDuringSetup(context);
    try {
      return await runStep(input, context, endSetupHeartbeats);
    } finally {
      endSetupHeartbeats();
    }
  };

  async function runStep(
    input: AgentStepInput,
    context: Context,
    endSetupHeartbeats: () => void,
  ): Promise<AgentStepResult> {
    const agent = await deps.agents.get(input.agent);
    if (!agent) {
      const known = (await deps.agents.list()).map((entry) => entry.name);
      throw agentConfigError(
        `Unknown agent "${input.agent}" (it may have been deleted while the step waited). ` +
          `Registered: ${known.join(', ') || 'none'}. Register it (POST /api/agents) or start ` +
          'the session with a registered agent.',
      );
    }
    await assertWorkspace(input.workspace);
    // A first attempt starts where the workflow says: after a reset to an earlier checkpoint,
    // HEAD holds the abandoned future (kept under refs/orchestrator/abandoned). A retried
    // attempt keeps the workspace as the crashed one left it, so the agent can resume.
    if (input.baseSha && context.info.attempt === 1) {
      await resetWorkspaceTo(input.workspace, input.baseSha);
    }
    const env = deps.env ?? process.env;
    const adapter = adapterFor(agent);
    const logger = deps.logger?.child({
      sessionId: input.sessionId,
      step: input.step,
      agent: agent.name,
    });
    const previous = parseStepHeartbeat(context.info.heartbeatDetails);
    await reclaimOrphanedStep(previous, input.sessionId, logger, deps.killGraceMs);
    // What a killed attempt put on the bus but never archived, before this attempt logs more.
    if (context.info.attempt > 1) await archiveBusTail(deps.bus, deps.archive, input.sessionId);
    const { info } = context;
    const attemptKey = {
      // Always set for a step: it is scheduled by a session workflow.
      workflowId: info.workflowExecution?.workflowId ?? input.sessionId,
      runId: info.workflowExecution?.runId ?? '',
      activityId: info.activityId,
      attempt: info.attempt,
    };
    const ledgerId = await deps.ledger?.started(
      {
        ...attemptKey,
        sessionId: input.sessionId,
        agent: agent.name,
        workerId: deps.workerId ?? hostname(),
      },
      lostAttemptUsage(previous, input, info.attempt),
    );
    // The last usage the agent reported: what an attempt that never finishes still cost.
    let lastUsage: AgentUsage | null = null;
    const record = async (error: unknown, usage: AgentUsage | null) => {
      if (!ledgerId || !deps.ledger) return;
      const { outcome, errorType } = stepOutcome(error);
      await deps.ledger
        .finished(ledgerId, outcome, usage, errorType)
        .catch((failure: unknown) =>
          logger?.error({ err: failure }, 'could not record the step in the usage ledger'),
        );
    };

    /** What the earlier attempts of this step spent (ledger); null when nothing is recorded. */
    const earlierAttemptsUsage = async (): Promise<AgentUsage | null> => {
      if (info.attempt === 1 || !deps.ledger) return null;
      const earlier = await deps.ledger.earlierAttempts(attemptKey);
      return earlier.steps > 0
        ? {
            inputTokens: earlier.inputTokens,
            outputTokens: earlier.outputTokens,
            cacheReadTokens: earlier.cacheReadTokens,
            cacheWriteTokens: earlier.cacheWriteTokens,
            costUsd: earlier.costUsd,
          }
        : null;
    };

    const redact = createRedactor(adapter.secrets(agent, env));
    const progress: StepHeartbeat = {
      sessionId: input.sessionId,
      step: input.step,
      attempt: info.attempt,
      host: hostname(),
      workspaceHead: await headSha(input.workspace).catch(() => null),
    };
    const writer = createLogWriter({
      bus: deps.bus,
      archive: deps.archive,
      sessionId: input.sessionId,
      ...(logger ? { logger } : {}),
    });
    let lines = 0;
    const write = (stream: LogStream, line: string) => {
      if (stream !== 'system') lines += 1;
      writer.write(stream, redact(line));
    };
    const beat = () => context.heartbeat({ ...progress, lines: writer.stats().written });
    let heartbeats: NodeJS.Timeout | undefined;
    let watchdog: StallWatchdog | undefined;
    const stopWatchdog = () => watchdog?.stop();
    const stalledFailure = (stall: AgentStall) =>
      agentStalledError({
        agent: agent.name,
        stallTimeoutMs: stall.timeoutMs,
        silentMs: stall.silentMs,
        attempt: context.info.attempt,
      });
    // Processes outside the agent's process group that carry the step's identity: a detached
    // server the agent (or the model's shell) started, which stopping the group cannot reach.
    // This attempt's processes also carry its own id, which its final sweep goes by.
    const attemptInput: AgentStepInput = { ...input, attemptId: attemptId(attemptKey) };
    const stopLeftovers = async (what: string, identity: StepIdentity) => {
      const stopped = await stopStepProcesses(identity, deps.killGraceMs);
      if (stopped > 0) write('system', `■ stopped ${stopped} processes ${what}`);
    };
    try {
      // A crashed attempt's leftovers (its own group was reclaimed above) must not share the
      // workspace with this one.
      await stopLeftovers('a previous attempt left running', stepIdentityOf(agent.name, input));
      const availability = await adapter.checkAvailability(agent, env);
      if (!availability.available) {
        write('system', `■ ${availability.reason}`);
        throw agentConfigError(availability.reason);
      }
      const resumable =
        previous?.sessionId === input.sessionId &&
        previous.step === input.step &&
        typeof previous.agentSessionId === 'string'
          ? { agentSessionId: previous.agentSessionId }
          : null;
      const stallTimeoutMs = agent.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
      const stalls = startStallWatchdog({
        timeoutMs: stallTimeoutMs,
        onStall: () =>
          write(
            'system',
            `■ stalled: no output for ${formatSeconds(stallTimeoutMs)}; aborting ` +
              `(attempt ${context.info.attempt})`,
          ),
      });
      watchdog = stalls;
      // A cancellation owns the ending from then on: the watchdog must not add a stall to it.
      context.cancellationSignal.addEventListener('abort', stopWatchdog, { once: true });
      const runContext: AgentRunContext = {
        // The adapter's own system lines (start, exit) are not the agent's output.
        write: (stream, line) => {
          if (stream !== 'system') stalls.touch();
          write(stream, line);
        },
        emit: (event) => {
          stalls.touch();
          if (event.type === 'usage') lastUsage = progress.usage = event.usage;
          for (const { stream, line } of eventLines(event)) write(stream, line);
        },
        onOutput: () => stalls.touch(),
        signal: AbortSignal.any([context.cancellationSignal, stalls.signal]),
        onSpawn: (pgid) => {
          endSetupHeartbeats();
          progress.pid = pgid;
          progress.pgid = pgid;
          // The SDK sends the first heartbeat at once and throttles later ones, so the first
          // one carries the process group (and the agent's session id): a worker killed a
          // second later still left enough behind for the retry to find the orphan and resume.
          beat();
          heartbeats = setInterval(beat, heartbeatIntervalMs);
        },
        onUsage: (usage) => {
          lastUsage = progress.usage = usage;
        },
        onAgentSession: (agentSessionId) => {
          progress.agentSessionId = agentSessionId;
        },
        resume: resumable,
        installation: { binary: availability.binary, version: availability.version },
        env,
        ...(deps.killGraceMs === undefined ? {} : { killGraceMs: deps.killGraceMs }),
      };
      let run;
      try {
        run = await traceAgentRun({ agent, input, attempt: context.info.attempt }, () =>
          adapter.run(agent, attemptInput, runContext),
        );
      } finally {
        // However the agent ended (success, failure, cancellation, stall), nothing of the
        // attempt outlives it, and nothing writes to the workspace while it is committed.
        await stopLeftovers(
          'the agent left running outside its group',
          stepIdentityOf(agent.name, attemptInput),
        );
      }
      stalls.stop();
      // Cancelled or stalled: no commit, whatever the agent's exit; the catch below reports it.
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
      if (stalls.stall) throw stalledFailure(stalls.stall);
      const commit = await commitWorkspace(
        input.workspace,
        redact(commitMessage(agent.name, input)),
      );
      write(
        'system',
        commit.changed
          ? `✔ committed ${commit.sha?.slice(0, 12)}`
          : `✔ no changes to commit${commit.sha ? ` (HEAD ${commit.sha.slice(0, 12)})` : ''}`,
      );
      await record(null, run.usage ?? lastUsage);
      return {
        earlierAttemptsUsage: await earlierAttemptsUsage(),
        exitCode: run.exitCode,
        summary: redact(run.summary),
        commitSha: commit.sha,
        changed: commit.changed,
        lines,
        durationMs: run.durationMs,
        finishedAt: new Date().toISOString(),
        usage: run.usage,
        agentSessionId: run.agentSessionId,
      };
    } catch (error) {
      // Failures the adapters raised are already typed; but once the step is cancelled,
      // whatever the killed agent did on its way out, the outcome is the cancellation; once it
      // stalled, the outcome is the stall.
      stopWatchdog();
      const failure: unknown = context.cancellationSignal.aborted
        ? context.cancellationSignal.reason
        : watchdog?.stall
          ? stalledFailure(watchdog.stall)
          : redactFailure(error, redact);
      if (context.cancellationSignal.aborted) {
        write('system', '■ step cancelled; the agent and its processes were stopped');
      }
      await record(failure, lastUsage);
      throw await withSpentUsage(failure, lastUsage, earlierAttemptsUsage);
    } finally {
      stopWatchdog();
      context.cancellationSignal.removeEventListener('abort', stopWatchdog);
      // Heartbeats go on until the log is flushed: after an agent that printed a flood, the
      // flush can outlast the heartbeat timeout (the bench saw a 200,000-line step time out).
      try {
        await writer.flush();
      } finally {
        clearInterval(heartbeats);
      }
    }
  }
}

/**
 * The usage the previous attempt of this step heartbeated, when that attempt is the one this
 * retry follows: a worker that died took its attempt's ending (and usage) with it.
 */
function lostAttemptUsage(
  previous: StepHeartbeat | null,
  input: AgentStepInput,
  attempt: number,
): LostAttemptUsage | undefined {
  if (!previous?.usage || typeof previous.attempt !== 'number') return undefined;
  if (previous.sessionId !== input.sessionId || previous.step !== input.step) return undefined;
  if (previous.attempt >= attempt) return undefined;
  return { attempt: previous.attempt, usage: previous.usage };
}

/**
 * Heartbeats while the step sets up (registry, workspace, reclaiming an orphan, git, ledger):
 * on a busy machine that can outlast the heartbeat timeout, and an attempt whose first beat
 * comes after it was already timed out (the chaos run, bench/chaos, saw every retry of a step
 * after a worker kill die so). The first beat waits a third of the timeout, so a quick setup
 * still gets to send the process group first (the SDK throttles every beat after the first);
 * until then the previous attempt's details are repeated, so its orphan stays findable.
 */
function heartbeatDuringSetup(context: Context): () => void {
  const timeoutMs = context.info.heartbeatTimeoutMs;
  if (!timeoutMs) return () => {};
  const timer = setInterval(() => context.heartbeat(context.info.heartbeatDetails), timeoutMs / 3);
  return () => clearInterval(timer);
}

/**
 * The failure with what this attempt and the step's earlier ones spent as a last detail
 * (SpentUsageDetail): if it fails the step for good, the workflow counts those tokens. A
 * cancellation goes as it is: the session is stopping, its budget no longer decides anything.
 */
async function withSpentUsage(
  failure: unknown,
  usage: AgentUsage | null,
  earlierAttemptsUsage: () => Promise<AgentUsage | null>,
): Promise<unknown> {
  if (failure instanceof TemporalFailure && !(failure instanceof ApplicationFailure))
    return failure;
  if (!(failure instanceof Error)) return failure;
  const earlier = await earlierAttemptsUsage().catch(() => null);
  const spent = [earlier, usage].filter((part): part is AgentUsage => part !== null);
  if (spent.length === 0) return failure;
  const detail: SpentUsageDetail = { spentUsage: spent.reduce(addAgentUsage) };
  // A plain Error becomes what the SDK would have made of it: retryable, typed by its name.
  const typed = failure instanceof ApplicationFailure ? failure : null;
  return ApplicationFailure.create({
    type: typed ? (typed.type ?? 'AgentError') : failure.name,
    message: failure.message,
    nonRetryable: typed?.nonRetryable ?? false,
    details: [...(typed?.details ?? []), detail],
  });
}

/** An agent failure with every secret taken out of its message and details. */
function redactFailure(error: unknown, redact: Redactor): unknown {
  if (!(error instanceof ApplicationFailure)) return error;
  const message = redact(error.message);
  const details = error.details?.map(
    (detail) => JSON.parse(redact(JSON.stringify(detail ?? null))) as unknown,
  );
  if (message === error.message && JSON.stringify(details) === JSON.stringify(error.details)) {
    return error;
  }
  return ApplicationFailure.create({
    type: error.type ?? 'AgentError',
    message,
    nonRetryable: error.nonRetryable ?? false,
    details: details ?? [],
  });
}

/** `<agent>: step <n> — <first line of the goal>`, the subject short enough for `git log`. */
export function commitMessage(agent: string, input: Pick<AgentStepInput, 'step' | 'goal'>): string {
  const prefix = `${agent}: step ${input.step} — `;
  const goal = (input.goal.split('\n').find((line) => line.trim() !== '') ?? '').trim();
  const room = Math.max(COMMIT_SUBJECT_MAX - prefix.length, 20);
  return prefix + (goal.length <= room ? goal : `${goal.slice(0, room - 1)}…`);
}

async function assertWorkspace(path: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (!info?.isDirectory()) {
    throw workspaceError(
      `Workspace ${path} does not exist on this worker (${hostname()}). Workers running agent ` +
        'steps must share the workspaces directory with the worker that prepared it.',
    );
  }
}
