import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type {
  Budget,
  CheckpointList,
  DecisionRequest,
  ForkRequest,
  LogLine,
  LogPage,
  RetriedSession,
  SessionDetail,
  SessionTree,
} from '$lib/types/api';
import { ApiError } from '$lib/services/problem';
import { LiveClient } from '$lib/services/ws';
import { FakeSocket } from '$lib/testing/fake-socket';
import { checkpoint, sessionDetail, taskNode } from '$lib/testing/fixtures';

const fake = vi.hoisted(() => ({
  sockets: [] as FakeSocket[],
  api: {
    getSession: vi.fn<(id: string) => Promise<SessionDetail>>(),
    getLogs: vi.fn<(id: string, query: { after?: string | null }) => Promise<LogPage>>(),
    stopSession: vi.fn<(id: string, options: { force?: boolean }) => Promise<unknown>>(),
    retrySession:
      vi.fn<(id: string, options?: { checkpoint?: number }) => Promise<RetriedSession>>(),
    getTree: vi.fn<(id: string) => Promise<SessionTree>>(),
    getCheckpoints: vi.fn<(id: string) => Promise<CheckpointList>>(),
    pauseSession: vi.fn<(id: string) => Promise<unknown>>(),
    resumeSession: vi.fn<(id: string) => Promise<unknown>>(),
    approve: vi.fn<(id: string, request: DecisionRequest) => Promise<unknown>>(),
    reject: vi.fn<(id: string, request: DecisionRequest) => Promise<unknown>>(),
    setBudget: vi.fn<(id: string, budget: Budget) => Promise<Budget>>(),
    forkSession: vi.fn<(id: string, request: ForkRequest) => Promise<SessionDetail>>(),
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
  return sessionDetail('s1', {
    title: 'Fix it',
    agent: 'shell',
    temporalUrl: 'http://temporal/s1',
    ...overrides,
  });
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
  fake.api.getCheckpoints.mockResolvedValue({ items: [], verification: verified(0) });
  fake.api.getTree.mockResolvedValue(tree());
});

function verified(checked: number): CheckpointList['verification'] {
  return {
    verified: true,
    checked,
    links: Array.from({ length: checked }, (_, i) => ({ seq: i + 1, ok: true, problem: null })),
    firstBroken: null,
  };
}

function tree(patch: Partial<SessionTree> = {}): SessionTree {
  return {
    sessionId: 's1',
    status: 'running',
    usage: { tokens: 0, costUsd: 0 },
    budget: {},
    outcome: null,
    nodes: [taskNode('1'), taskNode('2')],
    ...patch,
  };
}

const planned = (patch: Partial<SessionDetail> = {}) =>
  detail({ plan: { planner: 'planner' }, agent: '', ...patch });

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

  it('keeps a live status that arrived while a detail read was out, then trusts newer reads', async () => {
    fake.api.getLogs.mockResolvedValue({ items: [], nextAfter: null });
    fake.api.getSession.mockResolvedValue(detail({ status: 'pending' }));
    const view = new SessionView('s1');
    const stop = view.start({ pollMs: 60_000 });
    await vi.waitFor(() => expect(fake.sockets).toHaveLength(1));
    socket().open();
    await vi.waitFor(() => expect(view.status).toBe('pending'));

    // A read goes out, then the session's next status is pushed before the read answers.
    let answer: (value: SessionDetail) => void = () => {};
    fake.api.getSession.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    const slow = view.reload();
    fake.api.getSession.mockResolvedValue(detail({ status: 'awaiting_approval' }));
    socket().receive({ type: 'status', sessionId: 's1', id: '1-0', status: 'awaiting_approval' });
    answer(detail({ status: 'running' }));
    await slow;
    expect(view.status).toBe('awaiting_approval');

    // A read that started after the last message is at least as new as it.
    fake.api.getSession.mockResolvedValue(detail({ status: 'completed' }));
    await view.reload();
    expect(view.status).toBe('completed');
    stop();
  });

  it('keeps a status pushed by the new run while a rewind was being answered', async () => {
    fake.api.getLogs.mockResolvedValue({ items: [], nextAfter: null });
    fake.api.getSession.mockResolvedValue(
      planned({ status: 'completed', closedAt: '2025-01-01T00:01:00Z' }),
    );
    const view = new SessionView('s1');
    const stop = view.start({ pollMs: 60_000 });
    await vi.waitFor(() => expect(fake.sockets).toHaveLength(1));
    socket().open();
    await vi.waitFor(() => expect(view.status).toBe('completed'));
    fake.api.getSession.mockResolvedValue(planned({ status: 'awaiting_approval', runId: 'run-2' }));
    fake.api.retrySession.mockImplementationOnce(async () => {
      // The new run reaches its approval gate before the gateway answers the rewind.
      socket().receive({ type: 'status', sessionId: 's1', id: '9-0', status: 'awaiting_approval' });
      return {
        ...planned({ status: 'running', runId: 'run-2' }),
        resetTo: { checkpoint: 1, eventId: 7 },
      };
    });
    await view.rewind(1);
    expect(view.status).toBe('awaiting_approval');
    expect(view.session?.runId).toBe('run-2');
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

  it('pauses and resumes, reading the detail again after each', async () => {
    const view = new SessionView('s1');
    await view.reload();
    fake.api.pauseSession.mockResolvedValueOnce({ id: 's1', status: 'running' });
    fake.api.getSession.mockResolvedValue(detail({ status: 'paused', paused: true }));
    expect(await view.pause()).toBe(true);
    expect(fake.api.pauseSession).toHaveBeenCalledWith('s1');
    expect(view.status).toBe('paused');
    fake.api.resumeSession.mockResolvedValueOnce({ id: 's1', status: 'paused' });
    fake.api.getSession.mockResolvedValue(detail({ status: 'running' }));
    expect(await view.resume()).toBe(true);
    expect(view.status).toBe('running');
    expect(view.pending).toBeNull();
  });

  it('decides a gate with its path and the trimmed comment, and shows a refusal', async () => {
    const gate = { gate: 'plan' as const, taskPath: '', reason: 'plan ready', since: 'x' };
    fake.api.getSession.mockResolvedValue(
      planned({ status: 'awaiting_approval', pending: [gate] }),
    );
    const view = new SessionView('s1');
    await view.reload();
    fake.api.approve.mockResolvedValueOnce({});
    expect(await view.decide('approved', gate, '  looks right ')).toBe(true);
    expect(fake.api.approve).toHaveBeenCalledWith('s1', {
      gate: 'plan',
      taskPath: '',
      comment: 'looks right',
    });
    fake.api.reject.mockRejectedValueOnce(
      new ApiError({
        type: 'about:blank',
        title: 'Conflict',
        status: 409,
        detail: 'nothing waits',
      }),
    );
    expect(await view.decide('rejected', { gate: 'merge', taskPath: '2' })).toBe(false);
    expect(fake.api.reject).toHaveBeenCalledWith('s1', { gate: 'merge', taskPath: '2' });
    expect(view.actionError?.detail).toBe('nothing waits');
  });

  it('replaces the budget', async () => {
    const view = new SessionView('s1');
    await view.reload();
    fake.api.setBudget.mockResolvedValueOnce({ maxTokens: 5000 });
    expect(await view.setBudget({ maxTokens: 5000 })).toBe(true);
    expect(fake.api.setBudget).toHaveBeenCalledWith('s1', { maxTokens: 5000 });
  });

  it('rewinds to a checkpoint: the new run shows, with where it was reset to', async () => {
    fake.api.getSession.mockResolvedValue(
      planned({ status: 'completed', closedAt: '2025-01-01T00:01:00Z' }),
    );
    const view = new SessionView('s1');
    await view.reload();
    fake.api.retrySession.mockResolvedValueOnce({
      ...planned({ status: 'running', runId: 'run-2' }),
      resetTo: { checkpoint: 1, eventId: 12 },
    });
    expect(await view.rewind(1)).toBe(true);
    expect(fake.api.retrySession).toHaveBeenCalledWith('s1', { checkpoint: 1 });
    expect(view.status).toBe('running');
    expect(view.session?.runId).toBe('run-2');
    expect(view.rewound).toEqual({ checkpoint: 1, eventId: 12 });
  });

  it('forks from a checkpoint with only the options given', async () => {
    const view = new SessionView('s1');
    await view.reload();
    fake.api.forkSession.mockResolvedValueOnce(detail({ id: 'f1' }));
    expect((await view.fork(3, { agent: 'writer', title: '  ' }))?.id).toBe('f1');
    expect(fake.api.forkSession).toHaveBeenCalledWith('s1', { checkpoint: 3, agent: 'writer' });
    fake.api.forkSession.mockRejectedValueOnce(
      new ApiError({ type: 'about:blank', title: 'Bad request', status: 400 }),
    );
    expect(await view.fork(99)).toBeNull();
    expect(view.actionError?.status).toBe(400);
  });

  it('reads the tree of a planned session with the detail, not of an unplanned one', async () => {
    const plain = new SessionView('s1');
    await plain.reload();
    expect(fake.api.getTree).not.toHaveBeenCalled();

    fake.api.getSession.mockResolvedValue(planned());
    const view = new SessionView('s1');
    await view.reload();
    await vi.waitFor(() => expect(view.tree.tree?.nodes.map((n) => n.path)).toEqual(['1', '2']));
    fake.api.getTree.mockResolvedValue(tree({ nodes: [taskNode('1', { status: 'failed' })] }));
    await view.reload();
    await vi.waitFor(() => expect(view.tree.tree?.nodes[0]?.status).toBe('failed'));
  });

  it('verifies the checkpoint chain again only when it changed', async () => {
    const one = [checkpoint(1)];
    fake.api.getSession.mockResolvedValue(detail({ checkpoints: one }));
    fake.api.getCheckpoints.mockResolvedValue({ items: one, verification: verified(1) });
    const view = new SessionView('s1');
    await view.reload();
    await vi.waitFor(() => expect(view.chain.verification?.checked).toBe(1));
    await view.reload();
    await view.reload();
    expect(fake.api.getCheckpoints).toHaveBeenCalledTimes(1);
    expect(view.chain.marks.get(1)).toEqual({ state: 'verified' });

    const two = [checkpoint(1), checkpoint(2)];
    fake.api.getSession.mockResolvedValue(detail({ checkpoints: two }));
    fake.api.getCheckpoints.mockResolvedValue({
      items: two,
      verification: {
        verified: false,
        checked: 2,
        links: [
          { seq: 1, ok: true, problem: null },
          { seq: 2, ok: false, problem: 'no runAgentStep result with that digest' },
        ],
        firstBroken: 2,
      },
    });
    await view.reload();
    await vi.waitFor(() => expect(view.chain.verification?.firstBroken).toBe(2));
    expect(fake.api.getCheckpoints).toHaveBeenCalledTimes(2);
    expect(view.chain.marks.get(2)).toEqual({
      state: 'broken',
      problem: 'no runAgentStep result with that digest',
    });
  });
});
