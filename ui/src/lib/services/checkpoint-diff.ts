/**
 * Where a checkpoint's diff comes from. The gateway does not serve diffs yet (issue #5 adds
 * checkpoint hashes and their diffs); until it does, the source says so and the timeline shows
 * why. When an endpoint lands, `gatewayDiffSource` is the one place to change.
 */
import type { Checkpoint } from '$lib/types/api';

export type DiffResult =
  { state: 'ready'; diff: string } | { state: 'unavailable'; reason: string };

export type DiffSource = (
  sessionId: string,
  checkpoint: Checkpoint,
  signal?: AbortSignal,
) => Promise<DiffResult>;

export const gatewayDiffSource: DiffSource = async (_sessionId, checkpoint) => {
  if (!checkpoint.commitSha) {
    return { state: 'unavailable', reason: 'This step made no commit, so there is no diff.' };
  }
  if (!checkpoint.changed) {
    return { state: 'unavailable', reason: 'This step changed no file.' };
  }
  return {
    state: 'unavailable',
    reason:
      'The gateway does not serve checkpoint diffs yet. Inspect the commit in the session ' +
      `workspace: git show ${checkpoint.commitSha}`,
  };
};
