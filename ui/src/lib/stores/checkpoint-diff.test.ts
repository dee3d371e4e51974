import { describe, expect, it, vi } from 'vitest';
import { gatewayDiffSource, type DiffSource } from '$lib/services/checkpoint-diff';
import { checkpoint } from '$lib/testing/fixtures';
import { CheckpointDiff } from './checkpoint-diff.svelte';

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

  it('says why there is no diff until the gateway serves one', async () => {
    expect(await gatewayDiffSource('s1', checkpoint(1, { commitSha: null }))).toMatchObject({
      state: 'unavailable',
      reason: expect.stringContaining('no commit'),
    });
    expect(await gatewayDiffSource('s1', checkpoint(1, { changed: false }))).toMatchObject({
      reason: expect.stringContaining('changed no file'),
    });
    const changed = checkpoint(1);
    expect(await gatewayDiffSource('s1', changed)).toMatchObject({
      reason: expect.stringContaining(`git show ${changed.commitSha}`),
    });
  });
});
