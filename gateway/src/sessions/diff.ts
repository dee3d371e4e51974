/**
 * What a checkpoint's commit changed, read from the session's workspace with git. Task commits
 * are there too: a task's worktree shares the session clone's object store. The gateway reads
 * the workspace directly, so this works only where the workspaces directory is mounted (the
 * embedded stack, or a gateway sharing the workers' volume).
 */
import { isCheckout } from '@orchestrator/activities/workspace/checkout';
import { commitDiff, type CommitDiff } from '@orchestrator/activities/workspace/diff';
import { ApplicationFailure } from '@temporalio/client';
import { conflict, unavailable } from '../problem.js';
import type { SessionService } from './service.js';
import { findCheckpoint } from './time-travel.js';

export interface CheckpointDiff extends Omit<CommitDiff, 'sha'> {
  checkpoint: number;
  sha: string | null;
}

/** The patch an API answer may carry; the console shows a truncated one as such. */
const MAX_PATCH_BYTES = 1024 * 1024;

export async function checkpointDiff(
  sessions: SessionService,
  sessionId: string,
  seq: number,
): Promise<CheckpointDiff> {
  const { state } = await sessions.requireState(sessionId);
  const checkpoint = findCheckpoint(sessionId, state, seq, 'query.checkpoint');
  if (!checkpoint.commitSha || !checkpoint.changed) {
    return {
      checkpoint: seq,
      sha: checkpoint.commitSha,
      parentSha: null,
      patch: '',
      truncated: false,
      files: [],
    };
  }
  const workspace = state.workspace;
  if (!workspace || !(await isCheckout(workspace))) {
    throw unavailable(
      `The diff of checkpoint ${seq} needs the workspaces directory, and this gateway cannot ` +
        `read session "${sessionId}"'s workspace${workspace ? ` (${workspace})` : ''}: it ` +
        'runs on another machine, or the workspace was removed. Serve the diff from a gateway ' +
        "that mounts the workers' WORKSPACES_DIR.",
    );
  }
  try {
    const diff = await commitDiff(workspace, checkpoint.commitSha, { maxBytes: MAX_PATCH_BYTES });
    return { checkpoint: seq, ...diff };
  } catch (error) {
    // The workspace no longer holds the commit (recreated, or its history rewritten by hand).
    if (error instanceof ApplicationFailure && error.type === 'WorkspaceError') {
      throw conflict(`The diff of checkpoint ${seq} cannot be read: ${error.message}`);
    }
    throw error;
  }
}
