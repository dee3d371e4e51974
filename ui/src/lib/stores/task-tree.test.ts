import { describe, expect, it, vi } from 'vitest';
import type { SessionTree } from '$lib/types/api';
import { taskNode } from '$lib/testing/fixtures';
import { TaskTreeView } from './task-tree.svelte';

const tree = (status: SessionTree['status']): SessionTree => ({
  sessionId: 's1',
  status,
  usage: { tokens: 0, costUsd: 0 },
  budget: {},
  outcome: null,
  nodes: [taskNode('1', { status: status === 'completed' ? 'completed' : 'running' })],
});

describe('TaskTreeView', () => {
  it('reads again after the read in flight when a poll came meanwhile, so the last is not lost', async () => {
    let release: () => void = () => {};
    const load = vi
      .fn<(id: string, signal: AbortSignal) => Promise<SessionTree>>()
      .mockImplementationOnce(
        () => new Promise((resolve) => (release = () => resolve(tree('running')))),
      )
      .mockResolvedValue(tree('completed'));
    const view = new TaskTreeView('s1', load);
    const first = view.refresh({ ifIdle: true });
    // The session closes while the first read is out: this poll must not be dropped.
    await view.refresh({ ifIdle: true });
    expect(load).toHaveBeenCalledTimes(1);
    release();
    await first;
    expect(load).toHaveBeenCalledTimes(2);
    expect(view.tree?.status).toBe('completed');
    expect(view.tree?.nodes[0]?.status).toBe('completed');
    expect(view.loading).toBe(false);
  });

  it('keeps the last tree and shows a failed read as a problem', async () => {
    const load = vi
      .fn<(id: string, signal: AbortSignal) => Promise<SessionTree>>()
      .mockResolvedValueOnce(tree('running'))
      .mockRejectedValueOnce(new Error('gateway away'));
    const view = new TaskTreeView('s1', load);
    await view.refresh();
    await view.refresh();
    expect(view.tree?.status).toBe('running');
    expect(view.error?.detail).toBe('gateway away');
  });
});
