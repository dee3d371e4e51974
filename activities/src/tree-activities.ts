/**
 * The activities of task trees and time travel, on the `orchestrator` queue: task worktrees,
 * reading a plan, merging branches, checking conflicts, and putting a workspace back at a
 * checkpoint's commit. Each is a thin wrapper around one git or file operation; the git ones
 * heartbeat, so a dead worker is noticed by the heartbeat timeout, not the start-to-close one.
 */
import { Context } from '@temporalio/activity';
import type { OrchestratorActivities } from './contracts.js';
import { readPlan } from './plan/read-plan.js';
import { commitWorkspace } from './workspace/commit.js';
import { checkConflicts, mergeBranches } from './workspace/merge.js';
import { resetWorkspaceTo } from './workspace/reset.js';
import { prepareTaskWorkspace } from './workspace/task-workspace.js';
import type { WorkspaceSettings } from './workspace/prepare.js';

type TreeActivities = Pick<
  OrchestratorActivities,
  | 'prepareTaskWorkspace'
  | 'readPlan'
  | 'mergeBranches'
  | 'checkConflicts'
  | 'commitResolution'
  | 'resetWorkspace'
>;

/** Heartbeats several times per heartbeat timeout while `work` runs. */
async function heartbeating<T>(work: () => Promise<T>, intervalMs = 5_000): Promise<T> {
  const context = Context.current();
  const timeoutMs = context.info.heartbeatTimeoutMs;
  const every = timeoutMs ? Math.min(intervalMs, timeoutMs / 3) : intervalMs;
  const timer = setInterval(() => context.heartbeat(), every);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

export function createTreeActivities(settings: WorkspaceSettings): TreeActivities {
  return {
    prepareTaskWorkspace: (input) => heartbeating(() => prepareTaskWorkspace(input, settings)),
    readPlan: (input) => readPlan(input),
    mergeBranches: (input) => heartbeating(() => mergeBranches(input)),
    checkConflicts: (input) => checkConflicts(input),
    commitResolution: ({ workspace, message }) =>
      heartbeating(() => commitWorkspace(workspace, message)),
    resetWorkspace: async ({ workspace, sha }) => {
      const { reset } = await heartbeating(() => resetWorkspaceTo(workspace, sha));
      return { reset };
    },
  };
}
