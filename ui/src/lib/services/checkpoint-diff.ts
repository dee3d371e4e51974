/**
 * Where a checkpoint's diff comes from: `GET /api/sessions/:id/diff?checkpoint=N`. The gateway
 * reads the commit from the session's workspace, so a gateway without the workspaces directory
 * answers 503, and a workspace that lost the commit 409: both are reasons to show, not errors.
 */
import type { Checkpoint, CheckpointDiffAnswer } from '$lib/types/api';
import { ApiError } from './problem';

export type DiffResult =
  { state: 'ready'; diff: string; truncated?: boolean } | { state: 'unavailable'; reason: string };

export type DiffSource = (
  sessionId: string,
  checkpoint: Checkpoint,
  signal?: AbortSignal,
) => Promise<DiffResult>;

export interface DiffClient {
  getCheckpointDiff(id: string, seq: number, signal?: AbortSignal): Promise<CheckpointDiffAnswer>;
}

/** Statuses whose problem explains why there is no diff, rather than that something broke. */
const REASONS = new Set([409, 503]);

export function gatewayDiffSource(client: DiffClient): DiffSource {
  return async (sessionId, checkpoint, signal) => {
    // No request for what the checkpoint already tells.
    if (!checkpoint.commitSha) {
      return { state: 'unavailable', reason: 'This step made no commit, so there is no diff.' };
    }
    if (!checkpoint.changed) {
      return { state: 'unavailable', reason: 'This step changed no file.' };
    }
    let answer: CheckpointDiffAnswer;
    try {
      answer = await client.getCheckpointDiff(sessionId, checkpoint.seq, signal);
    } catch (error) {
      if (error instanceof ApiError && REASONS.has(error.status)) {
        return { state: 'unavailable', reason: error.problem.detail ?? error.problem.title };
      }
      throw error;
    }
    if (answer.patch.trim() === '') {
      return { state: 'unavailable', reason: 'This step changed no file.' };
    }
    return { state: 'ready', diff: answer.patch, truncated: answer.truncated };
  };
}
