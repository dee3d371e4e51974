/**
 * Workspaces do not grow forever: every `intervalMs` the janitor lists the sessions that closed
 * longer than `retentionMs` ago (Temporal visibility) and removes their clones, their tasks'
 * worktrees and their agents' state. A session whose latest run is open again (retried) keeps
 * its workspace. Until its workspace is removed a session can be forked, diffed and retried
 * from its checkpoints; after that a fork or diff says the workspace is gone.
 *
 * Every worker runs one; they share the workspaces directory, and removing twice is harmless.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { removeSessionWorkspaces } from '@orchestrator/activities/workspace/cleanup';

export interface JanitorSettings {
  /** Null: never remove workspaces. */
  retentionMs: number | null;
  intervalMs: number;
}

const HOUR = 3_600_000;

/** WORKSPACE_RETENTION_HOURS (default 168 = a week; `off` keeps everything), JANITOR_INTERVAL_MS. */
export function readJanitorSettings(env: NodeJS.ProcessEnv): JanitorSettings {
  const raw = env.WORKSPACE_RETENTION_HOURS?.trim();
  let retentionMs: number | null = 168 * HOUR;
  if (raw === 'off') retentionMs = null;
  else if (raw) {
    const hours = Number(raw);
    if (!Number.isFinite(hours) || hours < 0) {
      throw new Error(
        `WORKSPACE_RETENTION_HOURS must be a number of hours (0 or more) or "off", not "${raw}".`,
      );
    }
    retentionMs = hours * HOUR;
  }
  const interval = Number(env.JANITOR_INTERVAL_MS ?? HOUR);
  if (!Number.isInteger(interval) || interval < 1000) {
    throw new Error(
      `JANITOR_INTERVAL_MS must be an integer of at least 1000, not "${env.JANITOR_INTERVAL_MS}".`,
    );
  }
  return { retentionMs, intervalMs: interval };
}

export interface JanitorOptions {
  client: Client;
  workspacesDir: string;
  settings: JanitorSettings;
  logger: Logger;
}

export interface SweepResult {
  /** Sessions whose workspaces were removed. */
  sessions: string[];
  paths: number;
}

export interface WorkspaceJanitor {
  /** One pass now (also what the timer runs). */
  sweep(): Promise<SweepResult>;
  stop(): void;
}

export function startWorkspaceJanitor(options: JanitorOptions): WorkspaceJanitor {
  const { client, settings, logger } = options;
  /** Close time already swept up to: later passes list only what closed since (plus overlap). */
  let sweptUntil: number | null = null;
  let running: Promise<SweepResult> | null = null;

  async function pass(): Promise<SweepResult> {
    const result: SweepResult = { sessions: [], paths: 0 };
    if (settings.retentionMs === null) return result;
    const cutoff = Date.now() - settings.retentionMs;
    const clauses = [
      `WorkflowType = 'session'`,
      `ExecutionStatus != 'Running'`,
      `CloseTime <= '${new Date(cutoff).toISOString()}'`,
    ];
    // An hour of overlap: visibility may record a close a little late.
    if (sweptUntil !== null)
      clauses.push(`CloseTime > '${new Date(sweptUntil - HOUR).toISOString()}'`);
    const seen = new Set<string>();
    for await (const info of client.workflow.list({ query: clauses.join(' AND ') })) {
      if (seen.has(info.workflowId)) continue;
      seen.add(info.workflowId);
      // A retried session's latest run may be open again: its workspace is in use.
      const latest = await client.workflow
        .getHandle(info.workflowId)
        .describe()
        .catch(() => null);
      if (!latest || latest.status.name === 'RUNNING') continue;
      const sessionId = info.workflowId.replace(/^session-/, '');
      const removed = await removeSessionWorkspaces(options.workspacesDir, sessionId).catch(
        (error: unknown) => {
          logger.warn({ err: error, sessionId }, 'could not remove a closed session’s workspace');
          return [];
        },
      );
      if (removed.length > 0) {
        result.sessions.push(sessionId);
        result.paths += removed.length;
      }
    }
    sweptUntil = cutoff;
    if (result.sessions.length > 0) {
      logger.info(
        { sessions: result.sessions.length, paths: result.paths },
        'removed the workspaces of sessions closed before the retention',
      );
    }
    return result;
  }

  const sweep = () => {
    running ??= pass().finally(() => {
      running = null;
    });
    return running;
  };
  const timer =
    settings.retentionMs === null
      ? null
      : setInterval(() => {
          sweep().catch((error: unknown) => logger.warn({ err: error }, 'workspace sweep failed'));
        }, settings.intervalMs);
  timer?.unref();
  return {
    sweep,
    stop: () => {
      if (timer) clearInterval(timer);
    },
  };
}
