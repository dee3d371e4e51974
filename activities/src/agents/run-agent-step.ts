/**
 * The `runAgentStep` activity: one agent run in a session's workspace, ending in a commit whose
 * sha is the step's checkpoint. Around the command agent it adds what Temporal needs: heartbeats
 * (which carry the process group, so a retry after a worker crash can find and stop the orphan),
 * cancellation (which kills the whole group), and logs flushed before the result is reported.
 */
import { stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { AgentStepInput, AgentStepResult } from '../contracts.js';
import type { LogArchive } from '../db/log-archive.js';
import { createLogWriter } from '../logs/log-writer.js';
import type { LogBus } from '../logs/types.js';
import { commitWorkspace } from '../workspace/commit.js';
import { workspaceError } from '../workspace/workspace-error.js';
import { agentConfigError } from './agent-errors.js';
import { runCommandAgent } from './command.js';
import { reclaimOrphanedStep, type StepHeartbeat } from './orphans.js';
import type { AgentRegistry } from './registry.js';

export interface RunAgentStepDeps {
  bus: LogBus;
  archive: LogArchive;
  agents: AgentRegistry;
  logger?: Logger;
  /** Between heartbeats; the SDK throttles them further to its heartbeat timeout. */
  heartbeatIntervalMs?: number;
  /** SIGTERM-to-SIGKILL grace when a step is cancelled. */
  killGraceMs?: number;
}

const COMMIT_SUBJECT_MAX = 72;

export function createRunAgentStep(deps: RunAgentStepDeps) {
  const heartbeatIntervalMs = deps.heartbeatIntervalMs ?? 2_000;

  return async function runAgentStep(input: AgentStepInput): Promise<AgentStepResult> {
    const context = Context.current();
    const agent = deps.agents.get(input.agent);
    if (!agent) {
      throw agentConfigError(
        `Unknown agent "${input.agent}". This worker knows: ${deps.agents.names().join(', ') || 'none'}. ` +
          'Add it to AGENTS_FILE on the workers, or start the session with a known agent.',
      );
    }
    await assertWorkspace(input.workspace);
    const logger = deps.logger?.child({
      sessionId: input.sessionId,
      step: input.step,
      agent: agent.name,
    });
    await reclaimOrphanedStep(
      context.info.heartbeatDetails,
      input.sessionId,
      logger,
      deps.killGraceMs,
    );

    const progress: StepHeartbeat = {
      sessionId: input.sessionId,
      step: input.step,
      host: hostname(),
    };
    const writer = createLogWriter({
      bus: deps.bus,
      archive: deps.archive,
      sessionId: input.sessionId,
      ...(logger ? { logger } : {}),
    });
    const beat = () => context.heartbeat({ ...progress, lines: writer.stats().written });
    let heartbeats: NodeJS.Timeout | undefined;
    try {
      const run = await runCommandAgent(agent, input, {
        writer,
        signal: context.cancellationSignal,
        onSpawn: (pgid) => {
          progress.pid = pgid;
          progress.pgid = pgid;
          // The SDK sends the first heartbeat at once and throttles later ones, so the first
          // one carries the process group: a worker killed a second later still left enough
          // behind for the retry to find the orphan.
          beat();
          heartbeats = setInterval(beat, heartbeatIntervalMs);
        },
        ...(deps.killGraceMs === undefined ? {} : { killGraceMs: deps.killGraceMs }),
      });
      // Cancelled: no commit, whatever the agent's exit; the catch below reports it.
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
      const commit = await commitWorkspace(input.workspace, commitMessage(agent.name, input));
      writer.write(
        'system',
        commit.changed
          ? `✔ committed ${commit.sha?.slice(0, 12)}`
          : `✔ no changes to commit${commit.sha ? ` (HEAD ${commit.sha.slice(0, 12)})` : ''}`,
      );
      return {
        exitCode: run.exitCode,
        summary: run.summary,
        commitSha: commit.sha,
        changed: commit.changed,
        lines: run.lines,
        durationMs: run.durationMs,
      };
    } catch (error) {
      // Failures the command agent raised are already typed; but once the step is cancelled,
      // whatever the killed agent did on its way out, the outcome is the cancellation.
      if (!context.cancellationSignal.aborted) throw error;
      writer.write('system', '■ step cancelled; the agent and its processes were stopped');
      throw context.cancellationSignal.reason;
    } finally {
      clearInterval(heartbeats);
      await writer.flush();
    }
  };
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
