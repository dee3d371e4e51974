import { describe, expect, it, vi } from 'vitest';
import { ApiClient, buildPath } from './api';
import { ApiError } from './problem';

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

function fakeFetch(respond: (call: Call) => Response) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const call: Call = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: (init?.headers ?? {}) as Record<string, string>,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    calls.push(call);
    return respond(call);
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

function json(body: unknown, status = 200, type = 'application/json'): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': type } });
}

describe('buildPath', () => {
  it('leaves out empty parameters and encodes the rest', () => {
    expect(buildPath('/api/sessions')).toBe('/api/sessions');
    expect(buildPath('/api/sessions', { status: null, cursor: undefined, limit: 25 })).toBe(
      '/api/sessions?limit=25',
    );
    expect(buildPath('/api/sessions', { cursor: 'a+b/c=', status: 'running' })).toBe(
      '/api/sessions?cursor=a%2Bb%2Fc%3D&status=running',
    );
  });
});

describe('ApiClient', () => {
  it('lists sessions with filter, cursor and limit', async () => {
    const { fetch, calls } = fakeFetch(() => json({ items: [], nextCursor: null, total: 0 }));
    const api = new ApiClient({ fetch });
    await expect(api.listSessions({ status: 'failed', cursor: 'abc', limit: 10 })).resolves.toEqual(
      { items: [], nextCursor: null, total: 0 },
    );
    expect(calls[0]?.url).toBe('/api/sessions?status=failed&cursor=abc&limit=10');
    expect(calls[0]?.headers.authorization).toBeUndefined();
  });

  it('sends every session filter, trims the search and leaves out empty ones', async () => {
    const { fetch, calls } = fakeFetch(() => json({ items: [], nextCursor: null }));
    const api = new ApiClient({ fetch });
    const page = await api.listSessions({
      agent: 'echo',
      repository: '/srv/a b',
      q: '  7f3 ',
      status: null,
      closedAfter: '2025-01-31T00:00:00.000Z',
      startedAfter: '',
    });
    // An older gateway that does not count: no total rather than a wrong one.
    expect(page.total).toBeNull();
    const url = new URL(calls[0]?.url ?? '', 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      agent: 'echo',
      repository: '/srv/a b',
      q: '7f3',
      closedAfter: '2025-01-31T00:00:00.000Z',
    });
  });

  it('reads, creates, replaces and deletes agents', async () => {
    const view = {
      name: 'echo',
      kind: 'command',
      description: 'prints',
      model: null,
      capabilities: ['code'],
      maxConcurrency: 2,
      config: { name: 'echo', kind: 'command', command: ['echo'] },
      tier: { level: 'competent', successRate: 0.5, steps: 4 },
      availability: { available: true, reason: null, workers: 1, version: '1.0' },
      load: { running: 1, backlog: 0, pollers: 1, slots: 2 },
      createdAt: '2025-01-01T00:00:00Z',
      updatedAt: '2025-01-02T00:00:00Z',
    };
    const { fetch, calls } = fakeFetch((call) =>
      call.method === 'DELETE'
        ? new Response(null, { status: 204 })
        : json(call.url === '/api/agents' && call.method === 'GET' ? { items: [view] } : view),
    );
    const api = new ApiClient({ fetch });
    expect((await api.listAgents()).items).toEqual([view]);
    expect(await api.getAgent('echo')).toEqual(view);
    await api.createAgent(view.config);
    await api.updateAgent('echo', view.config);
    await expect(api.deleteAgent('echo')).resolves.toBeUndefined();
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      'GET /api/agents',
      'GET /api/agents/echo',
      'POST /api/agents',
      'PUT /api/agents/echo',
      'DELETE /api/agents/echo',
    ]);
    expect(calls[2]?.body).toEqual(view.config);
  });

  it('refuses an agent response that is not an agent', async () => {
    const { fetch } = fakeFetch(() => json({ nope: true }));
    const api = new ApiClient({ fetch });
    await expect(api.getAgent('echo')).rejects.toMatchObject({
      problem: { title: 'Unreadable response' },
    });
  });

  it('sends the token as a bearer header and JSON bodies', async () => {
    const { fetch, calls } = fakeFetch(() => json({ id: 's1' }, 201));
    const api = new ApiClient({ fetch, getToken: () => 'secret' });
    await api.createSession({ title: 't', goal: 'g', repository: 'r', agent: 'a' });
    expect(calls[0]).toMatchObject({
      url: '/api/sessions',
      method: 'POST',
      headers: { authorization: 'Bearer secret', 'content-type': 'application/json' },
      body: { title: 't', goal: 'g', repository: 'r', agent: 'a' },
    });
  });

  it('builds the action and log URLs', async () => {
    const { fetch, calls } = fakeFetch(() => json({ id: 'a/b', status: 'running' }, 202));
    const api = new ApiClient({ fetch });
    await api.stopSession('a/b');
    await api.stopSession('a/b', { force: true });
    await api.retrySession('s1');
    await api.getLogs('s1', { after: '12-0', limit: 500 });
    expect(calls.map((call) => `${call.method} ${call.url}`)).toEqual([
      'POST /api/sessions/a%2Fb/stop',
      'POST /api/sessions/a%2Fb/stop?force=true',
      'POST /api/sessions/s1/retry',
      'GET /api/sessions/s1/logs?after=12-0&limit=500',
    ]);
  });

  it('throws problem details as ApiError and reports 401', async () => {
    const onUnauthorized = vi.fn();
    const { fetch } = fakeFetch(() =>
      json(
        { type: 'about:blank', title: 'Unauthorized', status: 401, detail: 'Missing token' },
        401,
        'application/problem+json',
      ),
    );
    const api = new ApiClient({ fetch, onUnauthorized });
    const error = await api.getConfig().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).problem.detail).toBe('Missing token');
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('does not report 401 for other failures', async () => {
    const onUnauthorized = vi.fn();
    const { fetch } = fakeFetch(() =>
      json({ title: 'Conflict', status: 409 }, 409, 'application/problem+json'),
    );
    const api = new ApiClient({ fetch, onUnauthorized });
    await expect(api.retrySession('s1')).rejects.toMatchObject({ status: 409 });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('turns a network failure into a problem that says what to do', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof globalThis.fetch;
    const api = new ApiClient({ fetch });
    await expect(api.listAgents()).rejects.toMatchObject({
      status: 0,
      problem: { title: 'Cannot reach the gateway' },
    });
  });

  it('rethrows an abort as is', async () => {
    const controller = new AbortController();
    const fetch = vi.fn(async () => {
      controller.abort();
      throw new DOMException('aborted', 'AbortError');
    }) as unknown as typeof globalThis.fetch;
    const api = new ApiClient({ fetch });
    await expect(api.getSession('s1', controller.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('explains a response that is not JSON (the console served instead of the API)', async () => {
    const { fetch } = fakeFetch(
      () =>
        new Response('<!doctype html>', { status: 200, headers: { 'content-type': 'text/html' } }),
    );
    const api = new ApiClient({ fetch });
    await expect(api.getConfig()).rejects.toMatchObject({
      problem: { title: 'Unreadable response' },
    });
  });
});

describe('ApiClient: trees, gates, budgets and time travel', () => {
  it('calls each route with its method and body', async () => {
    const { fetch, calls } = fakeFetch(() => json({}));
    const api = new ApiClient({ fetch });
    await api.getTree('a b');
    await api.getCheckpoints('s1');
    await api.getCheckpointDiff('s1', 3);
    await api.approve('s1', { gate: 'plan', comment: 'ok' });
    await api.reject('s1');
    await api.pauseSession('s1');
    await api.resumeSession('s1');
    await api.setBudget('s1', { maxTokens: 10 });
    await api.retrySession('s1', { checkpoint: 2 });
    await api.retrySession('s1');
    await api.forkSession('s1', { checkpoint: 2, agent: 'writer' });
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['GET', '/api/sessions/a%20b/tree', undefined],
      ['GET', '/api/sessions/s1/checkpoints', undefined],
      ['GET', '/api/sessions/s1/diff?checkpoint=3', undefined],
      ['POST', '/api/sessions/s1/approve', { gate: 'plan', comment: 'ok' }],
      ['POST', '/api/sessions/s1/reject', {}],
      ['POST', '/api/sessions/s1/pause', undefined],
      ['POST', '/api/sessions/s1/resume', undefined],
      ['PUT', '/api/sessions/s1/budget', { maxTokens: 10 }],
      ['POST', '/api/sessions/s1/retry', { checkpoint: 2 }],
      ['POST', '/api/sessions/s1/retry', undefined],
      ['POST', '/api/sessions/s1/fork', { checkpoint: 2, agent: 'writer' }],
    ]);
  });

  it('starts a planned session with its budget and approvals', async () => {
    const { fetch, calls } = fakeFetch(() => json({ id: 'x' }, 201));
    const api = new ApiClient({ fetch });
    await api.createSession({
      title: 't',
      goal: 'g',
      repository: '/r',
      plan: { planner: 'planner' },
      budget: { maxCostUsd: 1 },
      approvals: { afterPlan: true },
    });
    expect(calls[0]?.body).toEqual({
      title: 't',
      goal: 'g',
      repository: '/r',
      plan: { planner: 'planner' },
      budget: { maxCostUsd: 1 },
      approvals: { afterPlan: true },
    });
  });
});
