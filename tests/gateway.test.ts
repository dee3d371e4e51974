/**
 * The gateway over real HTTP and WebSocket, against a real Temporal dev server, Postgres and
 * Redis, with a worker in this process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentConfig } from '@orchestrator/activities/agents/types';
import { isAlive, testAgents } from './support/agents.js';
import { eventually, startStack, type Stack } from './support/stack.js';
import { isLog, isStatus, TestSocket, type WsMessage } from './support/ws-client.js';

/** `ORCHESTRATOR_USAGE` lines, as a script wrapping a model reports what it spent. */
const reportUsage = (input: number, output: number, costUsd: number) =>
  `echo 'ORCHESTRATOR_USAGE {"inputTokens":${input},"outputTokens":${output},"costUsd":${costUsd}}'`;

const spendingAgents: AgentConfig[] = [
  {
    name: 'spend-then-retry',
    kind: 'command',
    description:
      'spends tokens on every attempt; the first then stalls (retried), the second succeeds',
    // A stall is retryable; a non-zero exit is not, for the workflow (AgentExitError).
    stallTimeoutMs: 1000,
    command: [
      'sh',
      '-c',
      `${reportUsage(1000, 200, 0.01)}; marker="$(git rev-parse --git-dir)/io-attempted"; ` +
        'if [ -e "$marker" ]; then echo "second time lucky"; else touch "$marker"; sleep 60; fi',
    ],
  },
  {
    name: 'spend-then-fail',
    kind: 'command',
    description: 'spends tokens, then fails for good',
    command: ['sh', '-c', `${reportUsage(500, 100, 0.02)}; echo "gave up" >&2; exit 3`],
  },
];

let stack: Stack;
const serverErrors: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    agents: [...testAgents, ...spendingAgents],
    heartbeatTimeoutMs: 5000,
  });
});
afterAll(async () => {
  await stack?.stop();
});

/** Every response is checked: no input may ever produce a 5xx. */
async function call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response> {
  const response = await stack.api(path, init);
  if (response.status >= 500)
    serverErrors.push(`${init?.method ?? 'GET'} ${path} → ${response.status}`);
  return response;
}

async function createSession(
  agent: string,
  title = `session with ${agent}`,
): Promise<{ id: string; runId: string }> {
  const response = await call('/api/sessions', {
    method: 'POST',
    json: { title, goal: `do the ${agent} thing`, repository: stack.sampleRepository, agent },
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; runId: string };
}

async function sessionStatus(id: string): Promise<string> {
  const response = await call(`/api/sessions/${id}`);
  return ((await response.json()) as { status: string }).status;
}

function waitForStatus(id: string, status: string, timeoutMs = 30_000): Promise<true> {
  return eventually(
    async () => ((await sessionStatus(id)) === status ? true : undefined),
    timeoutMs,
    `status ${status}`,
  );
}

function entryIds(messages: WsMessage[]): string[] {
  return messages.filter((m) => m.type === 'log' || m.type === 'status').map((m) => String(m.id));
}

describe('sessions over HTTP and WebSocket', () => {
  it('starts a session, streams its logs in order and completes', async () => {
    const socket = await TestSocket.open(stack.wsUrl);
    const { id } = await createSession('echo');
    socket.send({ type: 'subscribe', sessionId: id });
    const subscribed = await socket.waitFor((m) => m.type === 'subscribed');
    expect(subscribed.sessionId).toBe(id);
    await socket.waitFor(isStatus('completed'));
    await socket.close();

    const stdout = socket.messages
      .filter((m) => isLog(m) && m.stream === 'stdout')
      .map((m) => m.line);
    expect(stdout.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 1}`));
    expect(
      socket.messages.some(
        (m) => isLog(m) && m.stream === 'stderr' && m.line === 'warning on stderr',
      ),
    ).toBe(true);
    const statuses = socket.messages.filter((m) => m.type === 'status').map((m) => m.status);
    expect(statuses).toEqual(['running', 'completed']);
    const ids = entryIds(socket.messages);
    expect(new Set(ids).size).toBe(ids.length);

    const detail = (await (await call(`/api/sessions/${id}`)).json()) as Record<string, unknown> & {
      checkpoints: Array<{ commitSha: string; exitCode: number }>;
    };
    expect(detail).toMatchObject({
      id,
      status: 'completed',
      agent: 'echo',
      goal: 'do the echo thing',
    });
    expect(detail.checkpoints).toHaveLength(1);
    expect(detail.checkpoints[0]?.commitSha).toMatch(/^[0-9a-f]{40}$/);
    // A command agent reports no model usage.
    expect(detail.checkpoints[0]).toMatchObject({ usage: null });
    expect(detail.tokensUsed).toBe(0);
    expect(String(detail.temporalUrl)).toContain(`/workflows/session-${id}`);

    // The archive holds the same lines under the same ids.
    const logs = (await (await call(`/api/sessions/${id}/logs?limit=1000`)).json()) as {
      items: Array<{ id: string; line: string }>;
    };
    const wsLogIds = socket.messages.filter(isLog).map((m) => m.id);
    expect(logs.items.map((l) => l.id)).toEqual(wsLogIds);
    // Paging through the archive with `after` gives the same sequence.
    const firstPage = (await (await call(`/api/sessions/${id}/logs?limit=5`)).json()) as {
      items: Array<{ id: string }>;
      nextAfter: string;
    };
    expect(firstPage.items).toHaveLength(5);
    const rest = (await (
      await call(`/api/sessions/${id}/logs?after=${firstPage.nextAfter}&limit=1000`)
    ).json()) as {
      items: Array<{ id: string }>;
    };
    expect([...firstPage.items, ...rest.items].map((l) => l.id)).toEqual(wsLogIds);
  });

  it('resumes a live stream from the last id with no gap and no duplicate', async () => {
    const { id } = await createSession('steady');
    const first = await TestSocket.open(stack.wsUrl);
    first.send({ type: 'subscribe', sessionId: id });
    // Read a few ticks, then drop the connection mid-stream.
    await first.waitFor((m) => isLog(m) && m.line === 'tick 5');
    await first.close();
    const seen = entryIds(first.messages);
    const lastId = seen.at(-1);

    await new Promise((resolve) => setTimeout(resolve, 500)); // entries keep arriving meanwhile
    const second = await TestSocket.open(stack.wsUrl);
    second.send({ type: 'subscribe', sessionId: id, after: lastId });
    await second.waitFor(isStatus('completed'));
    await second.close();

    const resumed = entryIds(second.messages);
    const all = [...seen, ...resumed];
    expect(new Set(all).size).toBe(all.length);
    // Together they are exactly what a fresh subscriber from the start receives.
    const full = await TestSocket.open(stack.wsUrl);
    full.send({ type: 'subscribe', sessionId: id });
    await full.waitFor(isStatus('completed'));
    await full.close();
    expect(all).toEqual(entryIds(full.messages));
    const ticks = [...first.messages, ...second.messages]
      .filter(isLog)
      .map((m) => m.line)
      .filter((l) => String(l).startsWith('tick'));
    expect(ticks).toEqual(Array.from({ length: 30 }, (_, i) => `tick ${i + 1}`));
  });

  it('stops a running session: the agent dies, the session is cancelled, a second stop is 409', async () => {
    const { id } = await createSession('slow');
    await waitForStatus(id, 'running');
    const socket = await TestSocket.open(stack.wsUrl);
    socket.send({ type: 'subscribe', sessionId: id });
    await socket.waitFor((m) => isLog(m) && m.line === 'sleeping');
    const stop = await call(`/api/sessions/${id}/stop`, { method: 'POST' });
    expect(stop.status).toBe(202);
    await socket.waitFor(isStatus('cancelled'));
    await socket.close();
    await waitForStatus(id, 'cancelled');
    const again = await call(`/api/sessions/${id}/stop`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
  });

  it('force stop terminates the workflow and the agent is killed at its next heartbeat', async () => {
    const { id } = await createSession('slow');
    const socket = await TestSocket.open(stack.wsUrl);
    socket.send({ type: 'subscribe', sessionId: id });
    await socket.waitFor((m) => isLog(m) && m.line === 'sleeping');
    await socket.close();
    const stop = await call(`/api/sessions/${id}/stop?force=true`, { method: 'POST' });
    expect(stop.status).toBe(202);
    await waitForStatus(id, 'cancelled');
    const workspace = `${stack.settings.workspacesDir}/${id}`;
    const { readFile } = await import('node:fs/promises');
    const pid = Number((await readFile(`${workspace}/agent.pid`, 'utf8')).trim());
    await eventually(async () => (isAlive(pid) ? undefined : true), 20_000, 'agent killed');
  });

  it('retries a failed session as a new run of the same session', async () => {
    const { id, runId } = await createSession('fail');
    await waitForStatus(id, 'failed');
    const detail = (await (await call(`/api/sessions/${id}`)).json()) as { error: string };
    expect(detail.error).toMatch(/3/);

    const retry = await call(`/api/sessions/${id}/retry`, { method: 'POST' });
    expect(retry.status).toBe(201);
    const retried = (await retry.json()) as { id: string; runId: string };
    expect(retried.id).toBe(id);
    expect(retried.runId).not.toBe(runId);
    await eventually(async () => {
      const d = (await (await call(`/api/sessions/${id}`)).json()) as {
        runId: string;
        status: string;
      };
      return d.runId === retried.runId && d.status === 'failed' ? true : undefined;
    });

    // The list shows the session once, as its latest run.
    const page = (await (await call('/api/sessions?limit=100')).json()) as {
      items: Array<{ id: string; runId: string }>;
    };
    const rows = page.items.filter((item) => item.id === id);
    expect(rows).toEqual([expect.objectContaining({ runId: retried.runId })]);
  });

  it('refuses to retry a completed session', async () => {
    const { id } = await createSession('echo');
    await waitForStatus(id, 'completed');
    const retry = await call(`/api/sessions/${id}/retry`, { method: 'POST' });
    expect(retry.status).toBe(409);
  });

  it('pages through sessions with a cursor and filters by status', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await createSession('echo', `paging ${i}`)).id);
    for (const id of created) await waitForStatus(id, 'completed');
    // A run closes a moment after it reports completed, and visibility follows later still: a
    // run closing between two pages would move to the closed ones and be listed twice.
    await eventually(
      async () => {
        const listed = (await (await call('/api/sessions?status=completed&limit=100')).json()) as {
          items: Array<{ id: string; closedAt: string | null }>;
        };
        const closed = (id: string) => listed.items.some((s) => s.id === id && s.closedAt);
        return created.every(closed) ? true : undefined;
      },
      30_000,
      'the list to show the five sessions closed',
    );

    const seen: string[] = [];
    const rows: Array<{ id: string; startedAt: string; closedAt: string | null }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const response = await call(`/api/sessions?limit=2${query}`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as {
        items: Array<{ id: string; startedAt: string; closedAt: string | null }>;
        nextCursor: string | null;
      };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((s) => s.id));
      rows.push(...page.items);
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 50);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of created) expect(seen).toContain(id);
    // Newest first, in Temporal's SQL visibility order: open runs first, then by close time
    // descending. Sessions run in parallel, so they need not close in the order they started;
    // and the API's times are rounded to the millisecond, so equal ones may come in any order.
    const ours = rows.filter((row) => created.includes(row.id));
    expect(ours).toHaveLength(created.length);
    // A session reports completed a moment before its workflow run closes: such a run is
    // still open, and open runs come first.
    const closes = ours.map((row) => row.closedAt ?? '9999-12-31T23:59:59.999Z');
    expect(closes).toEqual([...closes].sort().reverse());

    const completed = (await (await call('/api/sessions?status=completed&limit=100')).json()) as {
      items: Array<{ id: string; status: string }>;
    };
    expect(completed.items.every((s) => s.status === 'completed')).toBe(true);
    for (const id of created) expect(completed.items.map((s) => s.id)).toContain(id);
    const failed = (await (await call('/api/sessions?status=failed&limit=100')).json()) as {
      items: Array<{ id: string; status: string }>;
    };
    expect(failed.items.every((s) => s.status === 'failed')).toBe(true);
    expect(failed.items.some((s) => created.includes(s.id))).toBe(false);
  });
});

describe('usage of failed attempts', () => {
  interface Detail {
    status: string;
    tokensUsed: number;
    usage: { tokens: number; costUsd: number };
  }
  /** The usage ledger's rows for the session (bigint columns come back as strings). */
  const ledgerRows = async (sessionId: string) =>
    (
      await stack.storage.db
        .selectFrom('agent_steps')
        .select(['attempt', 'outcome', 'error_type', 'input_tokens', 'output_tokens'])
        .where('session_id', '=', sessionId)
        .orderBy('attempt')
        .execute()
    ).map((row) => ({
      ...row,
      input_tokens: Number(row.input_tokens),
      output_tokens: Number(row.output_tokens),
    }));

  it('a failed (stalled) attempt that a retry follows is counted in the ledger and the session', async () => {
    const { id } = await createSession('spend-then-retry');
    await waitForStatus(id, 'completed');
    const detail = (await (await call(`/api/sessions/${id}`)).json()) as Detail;
    // Both attempts: (1000 + 200) tokens and $0.01 each.
    expect(detail.usage.tokens).toBe(2400);
    expect(detail.usage.costUsd).toBeCloseTo(0.02, 10);
    expect(detail.tokensUsed).toBe(2400);
    const rows = await ledgerRows(id);
    expect(rows).toEqual([
      {
        attempt: 1,
        outcome: 'stalled',
        error_type: 'AgentStalledError',
        input_tokens: 1000,
        output_tokens: 200,
      },
      {
        attempt: 2,
        outcome: 'succeeded',
        error_type: null,
        input_tokens: 1000,
        output_tokens: 200,
      },
    ]);
  });

  it('a step that fails for good still counts what it spent', async () => {
    const { id } = await createSession('spend-then-fail');
    await waitForStatus(id, 'failed');
    const detail = (await (await call(`/api/sessions/${id}`)).json()) as Detail;
    expect(detail.usage.tokens).toBe(600);
    expect(detail.usage.costUsd).toBeCloseTo(0.02, 10);
    expect(detail.tokensUsed).toBe(600);
    expect(await ledgerRows(id)).toEqual([
      {
        attempt: 1,
        outcome: 'failed',
        error_type: 'AgentExitError',
        input_tokens: 500,
        output_tokens: 100,
      },
    ]);
  });
});

describe('bad input', () => {
  const valid = () => ({
    title: 'ok',
    goal: 'ok',
    repository: stack.sampleRepository,
    agent: 'echo',
  });

  async function expectProblem(response: Response, status: number, path?: string): Promise<void> {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = (await response.json()) as {
      status: number;
      detail: string;
      errors?: Array<{ path: string }>;
    };
    expect(problem.status).toBe(status);
    expect(problem.detail.length).toBeGreaterThan(0);
    if (path) expect(problem.errors?.map((e) => e.path)).toContain(path);
  }

  const post = (json: unknown) => call('/api/sessions', { method: 'POST', json });

  it('names a missing, oversized or wrongly typed field', async () => {
    const { title: _omit, ...noTitle } = valid();
    await expectProblem(await post(noTitle), 400, 'body.title');
    await expectProblem(await post({ ...valid(), goal: 'x'.repeat(20_001) }), 400, 'body.goal');
    await expectProblem(await post({ ...valid(), title: 42 }), 400, 'body.title');
    await expectProblem(await post({ ...valid(), agent: ['echo'] }), 400, 'body.agent');
    await expectProblem(await post({ ...valid(), title: '   ' }), 400, 'body.title');
    await expectProblem(await post([1, 2, 3]), 400);
    await expectProblem(await post(null), 400);
  });

  it('rejects unknown agents, disallowed repositories and unknown fields', async () => {
    await expectProblem(await post({ ...valid(), agent: 'nope' }), 400, 'body.agent');
    await expectProblem(await post({ ...valid(), repository: '/etc' }), 400, 'body.repository');
    await expectProblem(
      await post({ ...valid(), repository: 'relative/path' }),
      400,
      'body.repository',
    );
    await expectProblem(await post({ ...valid(), command: 'rm -rf /' }), 400);
  });

  it('rejects malformed JSON and oversized bodies', async () => {
    const headers = { 'content-type': 'application/json' };
    await expectProblem(
      await call('/api/sessions', { method: 'POST', headers, body: '{"title": ' }),
      400,
      'body',
    );
    await expectProblem(
      await call('/api/sessions', {
        method: 'POST',
        headers,
        body: JSON.stringify({ ...valid(), goal: 'x'.repeat(200_000) }),
      }),
      413,
    );
  });

  it('validates queries and ids', async () => {
    await expectProblem(await call('/api/sessions?limit=0'), 400, 'query.limit');
    await expectProblem(await call('/api/sessions?limit=abc'), 400, 'query.limit');
    await expectProblem(await call('/api/sessions?status=sleeping'), 400, 'query.status');
    await expectProblem(await call('/api/sessions?cursor=not-a-real-cursor'), 400, 'query.cursor');
    await expectProblem(await call('/api/sessions/UPPER!case'), 400, 'params.id');
    await expectProblem(await call('/api/sessions/doesnotexist1'), 404);
    await expectProblem(await call('/api/sessions/doesnotexist1/logs'), 404);
    await expectProblem(await call('/api/sessions/doesnotexist1/stop', { method: 'POST' }), 404);
    await expectProblem(await call('/api/sessions/doesnotexist1/retry', { method: 'POST' }), 404);
    await expectProblem(await call('/api/sessions/x/logs?after=zzz'), 400, 'query.after');
    await expectProblem(await call('/api/nothing-here'), 404);
  });

  it('answers malformed WebSocket frames with an error and keeps the socket open', async () => {
    const socket = await TestSocket.open(stack.wsUrl);
    socket.send('this is not json');
    await socket.waitFor((m) => m.type === 'error' && m.code === 'bad_message');
    socket.send({ type: 'subscribe' });
    socket.send({ type: 'dance' });
    socket.send({ type: 'subscribe', sessionId: 'nosuchsession1' });
    await socket.waitFor((m) => m.type === 'error' && m.code === 'not_found');
    socket.send({ type: 'ping' });
    await socket.waitFor((m) => m.type === 'pong');
    expect(
      socket.messages.filter((m) => m.type === 'error' && m.code === 'bad_message'),
    ).toHaveLength(3);
    await socket.close();
  });

  it('never answered with a 5xx', () => {
    expect(serverErrors).toEqual([]);
  });
});

describe('operations endpoints', () => {
  it('serves health, readiness, metrics and the OpenAPI document', async () => {
    expect((await call('/healthz')).status).toBe(200);
    // Every response carries a request id (the caller's, when it sent a sane one).
    const traced = await call('/api/config', { headers: { 'x-request-id': 'req-123' } });
    expect(traced.headers.get('x-request-id')).toBe('req-123');
    const generated = await call('/api/config', {
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const ready = await call('/readyz');
    expect(ready.status).toBe(200);
    const readiness = (await ready.json()) as { checks: Array<{ name: string; ok: boolean }> };
    expect(readiness.checks.map((c) => c.name).sort()).toEqual(['postgres', 'redis', 'temporal']);
    const metrics = await (await call('/metrics')).text();
    expect(metrics).toContain('orchestrator_http_requests_total');
    expect(metrics).toContain('orchestrator_sessions_started_total');
    const openapi = (await (await call('/api/openapi.json')).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/api/sessions',
        '/api/sessions/{id}',
        '/api/sessions/{id}/stop',
        '/api/sessions/{id}/logs',
      ]),
    );
  });
});
