import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionDetail, SessionPage, SessionTree } from '$lib/types/api';
import type { ListSessionsQuery } from '$lib/services/api';
import { sessionDetail, sessionSummary, taskNode } from '$lib/testing/fixtures';

const fake = vi.hoisted(() => ({
  listSessions: vi.fn<(query: ListSessionsQuery, signal?: AbortSignal) => Promise<SessionPage>>(),
  getSession: vi.fn<(id: string) => Promise<SessionDetail>>(),
  getTree: vi.fn<(id: string, signal?: AbortSignal) => Promise<SessionTree>>(),
}));
vi.mock('./gateway.svelte', () => ({ api: fake }));

const { TaskForest } = await import('./task-forest.svelte');

const sessions = [
  sessionSummary('p1', { title: 'Planned one', status: 'completed', closedAt: 'x' }),
  sessionSummary('u1', { title: 'Plain' }),
  sessionSummary('p2', { title: 'Planned two', status: 'running' }),
];

function tree(id: string, patch: Partial<SessionTree> = {}): SessionTree {
  return {
    sessionId: id,
    status: id === 'p1' ? 'completed' : 'running',
    usage: { tokens: 0, costUsd: 0 },
    budget: {},
    outcome: null,
    nodes:
      id === 'p1'
        ? [taskNode('1'), taskNode('2', { status: 'failed', agent: 'coder' })]
        : [taskNode('1', { status: 'running' })],
    ...patch,
  };
}

beforeEach(() => {
  for (const fn of Object.values(fake)) fn.mockReset();
  fake.listSessions.mockResolvedValue({ items: sessions, nextCursor: null, total: 3 });
  fake.getSession.mockImplementation(async (id) =>
    sessionDetail(id, { plan: id.startsWith('p') ? { planner: 'planner' } : null }),
  );
  fake.getTree.mockImplementation(async (id) => tree(id));
});

describe('TaskForest', () => {
  it('lists the planned sessions of the page, reading each detail once', async () => {
    const forest = new TaskForest(20);
    await forest.refresh();
    expect(forest.rows.map((row) => row.session.id)).toEqual(['p1', 'p2']);
    expect(forest.unplanned).toBe(1);
    expect(forest.unknown).toBe(0);
    await forest.refresh();
    expect(fake.getSession).toHaveBeenCalledTimes(3);
    // Trees are read only when a session is expanded.
    expect(fake.getTree).not.toHaveBeenCalled();
  });

  it('takes which sessions planned from the list when it says, reading no detail', async () => {
    fake.listSessions.mockResolvedValue({
      items: sessions.map((s) => ({ ...s, planned: s.id.startsWith('p') })),
      nextCursor: null,
      total: 3,
    });
    const forest = new TaskForest(20);
    await forest.refresh();
    expect(forest.rows.map((row) => row.session.id)).toEqual(['p1', 'p2']);
    expect(forest.unplanned).toBe(1);
    expect(fake.getSession).not.toHaveBeenCalled();
  });

  it('reads a tree when its session is expanded, and the open sessions’ trees on refresh', async () => {
    const forest = new TaskForest(20);
    await forest.refresh();
    forest.toggle('p1');
    forest.toggle('p2');
    await vi.waitFor(() => expect(forest.rows.every((row) => row.view?.loaded)).toBe(true));
    expect(forest.rows.map((row) => row.expanded)).toEqual([true, true]);
    expect(forest.rows[0]?.filtered?.nodes.map((n) => n.path)).toEqual(['1', '2']);
    fake.getTree.mockClear();
    await forest.refresh();
    await vi.waitFor(() => expect(fake.getTree).toHaveBeenCalledTimes(1));
    // The completed session's tree was read after it closed: only the running one again.
    expect(fake.getTree).toHaveBeenCalledWith('p2', expect.any(AbortSignal));
    forest.toggle('p1');
    expect(forest.rows[0]?.expanded).toBe(false);
  });

  it('filters by session text, and by node status or agent once the trees are read', async () => {
    const forest = new TaskForest(20);
    await forest.refresh();
    forest.setFilters({ session: 'two', status: null, agent: null });
    expect(forest.rows.map((row) => row.session.id)).toEqual(['p2']);
    expect(fake.getTree).not.toHaveBeenCalled();

    // A status filter reads every planned tree of the page, then keeps the matching ones.
    forest.setFilters({ session: null, status: 'failed', agent: null });
    await vi.waitFor(() => expect(fake.getTree).toHaveBeenCalledTimes(2));
    await vi.waitFor(() => expect(forest.rows.map((row) => row.session.id)).toEqual(['p1']));
    const [row] = forest.rows;
    expect(row?.filtered?.nodes.map((n) => n.path)).toEqual(['2']);
    forest.setFilters({ session: null, status: null, agent: 'coder' });
    expect(forest.rows.map((row) => row.session.id)).toEqual(['p1']);
  });

  it('asks again about sessions whose detail could not be read', async () => {
    fake.getSession.mockRejectedValueOnce(new Error('down'));
    const forest = new TaskForest(20);
    await forest.refresh();
    expect(forest.unknown).toBe(1);
    await forest.refresh();
    expect(forest.unknown).toBe(0);
  });

  it('expands, after “expand all”, the sessions found planned later too', async () => {
    const forest = new TaskForest(20);
    forest.expandAll();
    await forest.refresh();
    expect(forest.rows.map((row) => row.expanded)).toEqual([true, true]);
    await vi.waitFor(() => expect(forest.rows.every((row) => row.view?.loaded)).toBe(true));
    forest.collapseAll();
    expect(forest.rows.map((row) => row.expanded)).toEqual([false, false]);
  });
});
