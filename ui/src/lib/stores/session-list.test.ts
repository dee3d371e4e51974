import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionPage, SessionSummary } from '$lib/types/api';
import type { ListSessionsQuery } from '$lib/services/api';
import { ApiError } from '$lib/services/problem';

const fake = vi.hoisted(() => ({
  listSessions: vi.fn<(query: ListSessionsQuery, signal?: AbortSignal) => Promise<SessionPage>>(),
}));

vi.mock('./gateway.svelte', () => ({ api: { listSessions: fake.listSessions } }));

const { SessionList } = await import('./session-list.svelte');

function summary(id: string): SessionSummary {
  return {
    id,
    title: `Session ${id}`,
    agent: 'shell',
    repository: '/repo',
    status: 'running',
    startedAt: '2025-01-01T00:00:00Z',
    closedAt: null,
    workflowId: `session-${id}`,
    runId: 'run',
    temporalUrl: `http://temporal/${id}`,
    tokensUsed: 0,
  };
}

/** A fake gateway with 5 sessions, 2 per page; cursors are the index to start at. */
function paged(all: SessionSummary[]) {
  fake.listSessions.mockImplementation(async (query) => {
    const start = query.cursor ? Number(query.cursor) : 0;
    const limit = query.limit ?? 2;
    const items = all.filter(
      (s) =>
        (!query.status || s.status === query.status) && (!query.agent || s.agent === query.agent),
    );
    const next = start + limit < items.length ? String(start + limit) : null;
    return { items: items.slice(start, start + limit), nextCursor: next, total: items.length };
  });
}

const ids = (list: { items: SessionSummary[] }) => list.items.map((s) => s.id);

beforeEach(() => {
  fake.listSessions.mockReset();
});

describe('SessionList', () => {
  it('pages forward and back with the cursors the gateway returned', async () => {
    paged(['a', 'b', 'c', 'd', 'e'].map(summary));
    const list = new SessionList(2);
    await list.refresh();
    expect(ids(list)).toEqual(['a', 'b']);
    expect(list.hasPrevious).toBe(false);
    expect(list.hasNext).toBe(true);

    list.next();
    await vi.waitFor(() => expect(list.loaded).toBe(true));
    expect(ids(list)).toEqual(['c', 'd']);
    list.next();
    await vi.waitFor(() => expect(list.loaded).toBe(true));
    expect(ids(list)).toEqual(['e']);
    expect(list.hasNext).toBe(false);
    expect(list.page).toBe(3);

    list.previous();
    await vi.waitFor(() => expect(list.loaded).toBe(true));
    expect(ids(list)).toEqual(['c', 'd']);
    list.previous();
    await vi.waitFor(() => expect(list.loaded).toBe(true));
    expect(ids(list)).toEqual(['a', 'b']);
    expect(list.hasPrevious).toBe(false);
    expect(fake.listSessions.mock.calls.map(([query]) => query.cursor)).toEqual([
      null,
      '2',
      '4',
      '2',
      null,
    ]);
  });

  it('goes back to the first page when the status filter changes', async () => {
    const all = ['a', 'b', 'c'].map(summary);
    all[2] = { ...summary('c'), status: 'failed' };
    paged(all);
    const list = new SessionList(2);
    await list.refresh();
    list.next();
    await vi.waitFor(() => expect(list.page).toBe(2));
    list.setStatus('failed');
    expect(list.page).toBe(1);
    await vi.waitFor(() => expect(list.loaded).toBe(true));
    expect(ids(list)).toEqual(['c']);
    expect(fake.listSessions.mock.calls.at(-1)?.[0]).toEqual({
      status: 'failed',
      agent: null,
      repository: null,
      q: null,
      cursor: null,
      limit: 2,
    });
    expect(list.total).toBe(1);
  });

  it('offers no next page when the total says this page was the last', async () => {
    fake.listSessions.mockResolvedValue({
      items: [summary('a'), summary('b')],
      nextCursor: 'an-empty-page',
      total: 4,
    });
    const list = new SessionList(2);
    await list.refresh();
    expect(list.hasNext).toBe(true);
    list.next();
    await vi.waitFor(() => expect(list.loaded).toBe(true));
    expect(list.page).toBe(2);
    expect(list.hasNext).toBe(false);
    // Without a total, the cursor alone decides.
    fake.listSessions.mockResolvedValue({ items: [summary('c')], nextCursor: 'x', total: null });
    await list.refresh();
    expect(list.hasNext).toBe(true);
  });

  it('sends every filter, keeps the total, and ignores the same filters again', async () => {
    const all = ['a', 'b', 'c'].map(summary);
    all[1] = { ...summary('b'), agent: 'echo' };
    paged(all);
    const list = new SessionList(2);
    await list.refresh();
    expect(list.total).toBe(3);
    const filters = { status: null, agent: 'echo', repository: null, q: null };
    list.setFilters(filters);
    await vi.waitFor(() => expect(list.loaded).toBe(true));
    expect(ids(list)).toEqual(['b']);
    expect(list.total).toBe(1);
    const calls = fake.listSessions.mock.calls.length;
    list.setFilters({ ...filters, q: '  ' });
    expect(fake.listSessions.mock.calls.length).toBe(calls);
    expect(list.loaded).toBe(true);
  });

  it('keeps only the newest response when refreshes overlap', async () => {
    let release: (page: SessionPage) => void = () => {};
    fake.listSessions
      .mockImplementationOnce(() => new Promise((resolve) => (release = resolve)))
      .mockResolvedValueOnce({ items: [summary('new')], nextCursor: null, total: 1 });
    const list = new SessionList(2);
    const slow = list.refresh();
    await list.refresh();
    release({ items: [summary('old')], nextCursor: 'x', total: 1 });
    await slow;
    expect(ids(list)).toEqual(['new']);
    expect(list.hasNext).toBe(false);
    expect(list.loading).toBe(false);
  });

  it('keeps the last page and shows the problem when a refresh fails', async () => {
    fake.listSessions
      .mockResolvedValueOnce({ items: [summary('a')], nextCursor: null, total: 1 })
      .mockRejectedValueOnce(
        new ApiError({ type: 'about:blank', title: 'Bad gateway', status: 502 }),
      )
      .mockResolvedValueOnce({ items: [summary('a')], nextCursor: null, total: 1 });
    const list = new SessionList(2);
    await list.refresh();
    await list.refresh();
    expect(ids(list)).toEqual(['a']);
    expect(list.error?.status).toBe(502);
    await list.refresh();
    expect(list.error).toBeNull();
  });

  it('polls on an interval until stopped', async () => {
    vi.useFakeTimers();
    try {
      fake.listSessions.mockResolvedValue({ items: [], nextCursor: null, total: 0 });
      const list = new SessionList(2);
      const stop = list.poll(3000);
      await vi.advanceTimersByTimeAsync(9000);
      expect(fake.listSessions).toHaveBeenCalledTimes(4);
      stop();
      await vi.advanceTimersByTimeAsync(9000);
      expect(fake.listSessions).toHaveBeenCalledTimes(4);
    } finally {
      vi.useRealTimers();
    }
  });
});
