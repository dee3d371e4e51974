import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LogLine, LogPage, SessionDetail } from '$lib/types/api';
import { ApiError } from '$lib/services/problem';
import { LiveClient } from '$lib/services/ws';
import { FakeSocket } from '$lib/testing/fake-socket';

const fake = vi.hoisted(() => ({
  sockets: [] as FakeSocket[],
  api: {
    getSession: vi.fn<(id: string) => Promise<SessionDetail>>(),
    getLogs: vi.fn<(id: string, query: { after?: string | null }) => Promise<LogPage>>(),
    stopSession: vi.fn<(id: string, options: { force?: boolean }) => Promise<unknown>>(),
    retrySession: vi.fn<(id: string) => Promise<SessionDetail>>(),
  },
  live: null as unknown as LiveClient,
}));

vi.mock('./gateway.svelte', () => ({
  api: fake.api,
  get live() {
    return fake.live;
  },
}));

const { SessionView } = await import('./session-view.svelte');

function detail(overrides: Partial<SessionDetail> = {}): SessionDetail {
  return {
    id: 's1',
    title: 'Fix it',
    agent: 'shell',
    repository: '/repo',
    status: 'running',
    startedAt: '2025-01-01T00:00:00Z',
    closedAt: null,
    workflowId: 'session-s1',
    runId: 'run-1',
    temporalUrl: 'http://temporal/s1',
    tokensUsed: 0,
    goal: 'Make the tests pass',
    checkpoints: [],
    error: null,
    ...overrides,
  };
}

const line = (id: string): LogLine => ({ id, stream: 'stdout', line: `line ${id}`, ts: 0 });

function socket(): FakeSocket {
  const last = fake.sockets[fake.sockets.length - 1];
  if (!last) throw new Error('no socket');
  return last;
}

beforeEach(() => {
  fake.sockets.length = 0;
  fake.live = new LiveClient({
    url: () => 'ws://test/ws',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      fake.sockets.push(s);
      return s;
    },
  });
  for (const fn of Object.values(fake.api)) fn.mockReset();
  fake.api.getSession.mockResolvedValue(detail());
});

afterEach(() => {
  fake.live.close();
});

describe('SessionView', () => {
  it('reads the log history page by page, then follows live after its last id', async () => {
    fake.api.getLogs
      .mockResolvedValueOnce({ items: [line('1-0'), line('1-1')], nextAfter: '1-1' })
      .mockResolvedValueOnce({ items: [line('2-0')], nextAfter: null });
    const view = new SessionView('s1');
    const stop = view.start();
    await vi.waitFor(() => expect(fake.sockets).toHaveLength(1));
    expect(view.session?.title).toBe('Fix it');
    expect(view.status).toBe('running');
    expect(fake.api.getLogs.mock.calls.map(([, query]) => query.after)).toEqual([null, '1-1']);

    socket().open();
    expect(socket().sent).toEqual([{ type: 'subscribe', sessionId: 's1', after: '2-0' }]);
    socket().receive({ type: 'subscribed', sessionId: 's1', status: 'running' });
    socket().receive({ type: 'log', sessionId: 's1', ...line('2-0') }); // already have it
    socket().receive({ type: 'log', sessionId: 's1', ...line('3-0') });
    expect(view.logs.lines.map((l) => l.id)).toEqual(['1-0', '1-1', '2-0', '3-0']);
    stop();
    expect(socket().sent.at(-1)).toEqual({ type: 'unsubscribe', sessionId: 's1' });
  });

  it('takes live status changes and reads the detail again for checkpoints', async () => {
    fake.api.getLogs.mockResolvedValue({ items: [], nextAfter: null });
    const view = new SessionView('s1');
    const stop = view.start();
    await vi.waitFor(() => expect(fake.sockets).toHaveLength(1));
    socket().open();
    expect(socket().sent).toEqual([{ type: 'subscribe', sessionId: 's1' }]);
    fake.api.getSession.mockResolvedValue(
      detail({ status: 'completed', closedAt: '2025-01-01T00:01:00Z' }),
    );
    socket().receive({ type: 'status', sessionId: 's1', id: '4-0', status: 'completed' });
    expect(view.status).toBe('completed');
    await vi.waitFor(() => expect(view.session?.closedAt).toBe('2025-01-01T00:01:00Z'));
    expect(fake.api.getSession).toHaveBeenCalledTimes(2);
    stop();
  });

  it('keeps reading after a terminal status until the detail shows the session closed', async () => {
    fake.api.getLogs.mockResolvedValue({ items: [], nextAfter: null });
    const view = new SessionView('s1');
    const stop = view.start({ pollMs: 20 });
    await vi.waitFor(() => expect(fake.sockets).toHaveLength(1));
    socket().open();
    // The push arrives while the workflow is still closing: the first read has no closedAt.
    fake.api.getSession.mockResolvedValue(detail({ status: 'completed' }));
    socket().receive({ type: 'status', sessionId: 's1', id: '4-0', status: 'completed' });
    await vi.waitFor(() => expect(fake.api.getSession.mock.calls.length).toBeGreaterThan(3));
    fake.api.getSession.mockResolvedValue(
      detail({ status: 'completed', closedAt: '2025-01-01T00:01:00Z' }),
    );
    await vi.waitFor(() => expect(view.session?.closedAt).toBe('2025-01-01T00:01:00Z'));
    const calls = fake.api.getSession.mock.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.api.getSession.mock.calls.length).toBe(calls);
    stop();
  });

  it('prefers the live status over a lagging detail read', async () => {
    fake.api.getLogs.mockResolvedValue({ items: [], nextAfter: null });
    fake.api.getSession.mockResolvedValue(detail({ status: 'pending' }));
    const view = new SessionView('s1');
    const stop = view.start();
    await vi.waitFor(() => expect(fake.sockets).toHaveLength(1));
    socket().open();
    socket().receive({ type: 'status', sessionId: 's1', id: '1-0', status: 'running' });
    await vi.waitFor(() => expect(fake.api.getSession).toHaveBeenCalledTimes(2));
    await view.reload();
    expect(view.status).toBe('running');
    stop();
  });

  it('reports a missing session without subscribing', async () => {
    fake.api.getSession.mockRejectedValue(
      new ApiError({ type: 'about:blank', title: 'Not found', status: 404 }),
    );
    const view = new SessionView('nope');
    const stop = view.start();
    await vi.waitFor(() => expect(view.loading).toBe(false));
    expect(view.notFound).toBe(true);
    await Promise.resolve();
    expect(fake.sockets).toHaveLength(0);
    expect(fake.api.getLogs).not.toHaveBeenCalled();
    stop();
  });

  it('stops (or force stops) and shows a 409 as an action error, then reads the status again', async () => {
    const view = new SessionView('s1');
    await view.reload();
    fake.api.stopSession.mockResolvedValueOnce({ id: 's1', status: 'running' });
    await view.stop(true);
    expect(fake.api.stopSession).toHaveBeenCalledWith('s1', { force: true });
    expect(view.pending).toBeNull();

    fake.api.stopSession.mockRejectedValueOnce(
      new ApiError({ type: 'about:blank', title: 'Conflict', status: 409, detail: 'finished' }),
    );
    fake.api.getSession.mockResolvedValue(detail({ status: 'completed' }));
    await view.stop();
    expect(view.actionError?.status).toBe(409);
    expect(view.status).toBe('completed');
  });

  it('retries and returns the session that now runs', async () => {
    fake.api.getSession.mockResolvedValue(detail({ status: 'failed', error: 'exit 1' }));
    const view = new SessionView('s1');
    await view.reload();
    fake.api.retrySession.mockResolvedValueOnce(detail({ status: 'pending' }));
    const next = await view.retry();
    expect(next?.id).toBe('s1');
    expect(view.status).toBe('pending');
    expect(view.session?.error).toBeNull();

    fake.api.retrySession.mockResolvedValueOnce(detail({ id: 's2', status: 'pending' }));
    expect((await view.retry())?.id).toBe('s2');
  });
});
