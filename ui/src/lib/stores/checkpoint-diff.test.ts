import { describe, expect, it, vi } from 'vitest';
import type { CheckpointDiffAnswer } from '$lib/types/api';
import { gatewayDiffSource, type DiffSource } from '$lib/services/checkpoint-diff';
import { ApiError } from '$lib/services/problem';
import { checkpoint } from '$lib/testing/fixtures';
import { CheckpointDiff } from './checkpoint-diff.svelte';

function answer(patch: string, truncated = false): CheckpointDiffAnswer {
  return {
    checkpoint: 1,
    sha: 'a'.repeat(40),
    parentSha: 'b'.repeat(40),
    patch,
    truncated,
    files: [],
  };
}

describe('CheckpointDiff', () => {
  it('opens a checkpoint’s diff, and closes it when the same one is chosen again', async () => {
    const source = vi.fn<DiffSource>(async () => ({ state: 'ready', diff: 'diff --git a b' }));
    const diff = new CheckpointDiff('s1', source);
    await diff.toggle(checkpoint(2));
    expect(source).toHaveBeenCalledWith('s1', checkpoint(2), expect.any(AbortSignal));
    expect(diff.selected).toBe(2);
    expect(diff.result).toEqual({ state: 'ready', diff: 'diff --git a b' });
    await diff.toggle(checkpoint(2));
    expect(diff.selected).toBeNull();
    expect(diff.result).toBeNull();
  });

  it('shows the newest choice when answers arrive out of order, and failures as problems', async () => {
    let release: () => void = () => {};
    const source = vi.fn<DiffSource>(async (_id, cp) => {
      if (cp.seq === 1) await new Promise<void>((resolve) => (release = resolve));
      if (cp.seq === 3) throw new Error('unreachable');
      return { state: 'ready', diff: `diff ${cp.seq}` };
    });
    const diff = new CheckpointDiff('s1', source);
    const slow = diff.toggle(checkpoint(1));
    await diff.toggle(checkpoint(2));
    release();
    await slow;
    expect(diff.selected).toBe(2);
    expect(diff.result).toEqual({ state: 'ready', diff: 'diff 2' });
    await diff.toggle(checkpoint(3));
    expect(diff.error?.detail).toBe('unreachable');
    expect(diff.loading).toBe(false);
  });
});

describe('gatewayDiffSource', () => {
  it('says why there is no diff without asking when the step made no commit or no change', async () => {
    const getCheckpointDiff = vi.fn();
    const source = gatewayDiffSource({ getCheckpointDiff });
    expect(await source('s1', checkpoint(1, { commitSha: null }))).toMatchObject({
      state: 'unavailable',
      reason: expect.stringContaining('no commit'),
    });
    expect(await source('s1', checkpoint(1, { changed: false }))).toMatchObject({
      reason: expect.stringContaining('changed no file'),
    });
    expect(getCheckpointDiff).not.toHaveBeenCalled();
  });

  it('reads the patch of a checkpoint from the gateway, truncated or not', async () => {
    const getCheckpointDiff = vi.fn(async () => answer('diff --git a/x b/x\n+alpha\n', true));
    const source = gatewayDiffSource({ getCheckpointDiff });
    expect(await source('s1', checkpoint(4))).toEqual({
      state: 'ready',
      diff: 'diff --git a/x b/x\n+alpha\n',
      truncated: true,
    });
    expect(getCheckpointDiff).toHaveBeenCalledWith('s1', 4, undefined);
    getCheckpointDiff.mockResolvedValueOnce(answer(''));
    expect(await source('s1', checkpoint(4))).toMatchObject({ state: 'unavailable' });
  });

  it('shows a 503 or 409 problem’s message as the reason, and throws anything else', async () => {
    const failing = (status: number, detail: string) =>
      gatewayDiffSource({
        getCheckpointDiff: async () => {
          throw new ApiError({ type: 'about:blank', title: 'No', status, detail });
        },
      });
    expect(await failing(503, 'needs the workspaces directory')('s1', checkpoint(2))).toEqual({
      state: 'unavailable',
      reason: 'needs the workspaces directory',
    });
    expect(await failing(409, 'commit gone')('s1', checkpoint(2))).toEqual({
      state: 'unavailable',
      reason: 'commit gone',
    });
    await expect(failing(500, 'boom')('s1', checkpoint(2))).rejects.toBeInstanceOf(ApiError);
  });
});
