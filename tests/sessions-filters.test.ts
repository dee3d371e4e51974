/**
 * The session list's filters (agent, repository, text in ids and titles, time) and its total, over real HTTP
 * against a real Temporal dev server's visibility store, with a worker in this process.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAgents } from './support/agents.js';
import { eventually, startStack, type Stack } from './support/stack.js';

interface Page {
  items: Array<{ id: string; agent: string; repository: string; status: string; planned: boolean }>;
  nextCursor: string | null;
  total: number;
}

let stack: Stack;
let otherRepository: string;
const serverErrors: string[] = [];
const echo: string[] = [];
const failed: string[] = [];
const other: string[] = [];
let beforeAll_: string;
let afterFirstBatch: string;

async function call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response> {
  const response = await stack.api(path, init);
  if (response.status >= 500) serverErrors.push(`${path} → ${response.status}`);
  return response;
}

async function list(query: Record<string, string>): Promise<Page> {
  const response = await call(`/api/sessions?${new URLSearchParams(query).toString()}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Page;
}

async function create(agent: string, repository: string): Promise<string> {
  const response = await call('/api/sessions', {
    method: 'POST',
    json: { title: `filters ${agent}`, goal: 'filter me', repository, agent },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

/** Waits until a filtered list holds exactly these ids (visibility is eventually consistent). */
function expectIds(query: Record<string, string>, ids: string[]): Promise<Page> {
  const want = [...ids].sort();
  return eventually(
    async () => {
      const page = await list({ limit: '100', ...query });
      const got = page.items.map((item) => item.id).sort();
      return JSON.stringify(got) === JSON.stringify(want) && page.total === ids.length
        ? page
        : undefined;
    },
    30_000,
    `${JSON.stringify(query)} to list ${want.join(', ')}`,
  );
}

beforeAll(async () => {
  stack = await startStack({ agents: testAgents });
  // Inside the allowed root but not a repository: the gateway accepts it, the step fails.
  otherRepository = join(stack.sampleRepository, '..', 'other');
  beforeAll_ = new Date(Date.now() - 1000).toISOString();
  echo.push(await create('echo', stack.sampleRepository));
  echo.push(await create('echo', stack.sampleRepository));
  failed.push(await create('fail', stack.sampleRepository));
  await new Promise((resolve) => setTimeout(resolve, 1100));
  afterFirstBatch = new Date().toISOString();
  other.push(await create('echo', otherRepository));
  other.push(await create('echo', otherRepository));
  for (const id of [...echo, ...failed, ...other]) {
    await eventually(
      async () => {
        const detail = (await (await call(`/api/sessions/${id}`)).json()) as {
          closedAt: string | null;
        };
        return detail.closedAt ? true : undefined;
      },
      60_000,
      `session ${id} to close`,
    );
  }
});
afterAll(async () => {
  await stack?.stop();
});

describe('session list filters', () => {
  it('filters by agent and by repository, with a total', async () => {
    const byAgent = await expectIds({ agent: 'fail' }, failed);
    expect(byAgent.items.every((item) => item.agent === 'fail')).toBe(true);
    // None of these was started with a plan, and the list says so.
    expect(byAgent.items.map((item) => item.planned)).toEqual([false]);
    await expectIds({ agent: 'echo' }, [...echo, ...other]);
    const byRepository = await expectIds({ repository: otherRepository }, other);
    expect(byRepository.items.every((item) => item.repository === otherRepository)).toBe(true);
    await expectIds({ agent: 'fail', repository: otherRepository }, []);
    // Statuses combine with the rest: the other repository is no git repository, so it failed.
    await expectIds({ status: 'failed', repository: otherRepository }, other);
    await expectIds({ status: 'completed' }, echo);
  });

  it('searches by a prefix of the id, the agent or the repository', async () => {
    const id = failed[0] ?? '';
    const byId = await list({ q: id.slice(0, 6) });
    expect(byId.items.map((item) => item.id)).toContain(id);
    await expectIds({ q: 'fai' }, failed);
    await expectIds({ q: otherRepository }, other);
    await expectIds({ q: 'no-such-thing' }, []);
  });

  it('searches the words of the title, whole, in any order, case ignored', async () => {
    // Titles are "filters <agent>"; the agent is also matched by prefix, the title by words.
    await expectIds({ q: 'FAIL Filters' }, failed);
    await expectIds({ q: 'filters' }, [...echo, ...failed, ...other]);
    await expectIds({ q: 'filters "echo" *' }, [...echo, ...other]);
    // Only whole words: a word's prefix is no match.
    await expectIds({ q: 'filt' }, []);
    // The full-text index's own syntax is text here: no error, and no match of its own.
    await expectIds({ q: '" OR * NEAR(' }, []);
  });

  it('filters by start and close time', async () => {
    await expectIds({ startedAfter: afterFirstBatch }, other);
    await expectIds({ startedAfter: beforeAll_ }, [...echo, ...failed, ...other]);
    await expectIds({ status: 'failed', closedAfter: beforeAll_ }, [...failed, ...other]);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    await expectIds({ closedAfter: tomorrow }, []);
  });

  it('pages a filtered list with cursors bound to that filter', async () => {
    const first = await list({ agent: 'echo', limit: '3' });
    expect(first.items).toHaveLength(3);
    expect(first.total).toBe(4);
    expect(first.nextCursor).not.toBeNull();
    const second = await list({ agent: 'echo', limit: '3', cursor: first.nextCursor ?? '' });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const all = [...first.items, ...second.items].map((item) => item.id).sort();
    expect(all).toEqual([...echo, ...other].sort());

    // The same cursor with another filter is refused, naming the cursor.
    const mixed = await call(
      `/api/sessions?agent=fail&limit=3&cursor=${encodeURIComponent(first.nextCursor ?? '')}`,
    );
    expect(mixed.status).toBe(400);
    const problem = (await mixed.json()) as { errors: Array<{ path: string }> };
    expect(problem.errors.map((error) => error.path)).toContain('query.cursor');
  });

  it('treats quotes and backslashes in a filter as text, never as query syntax', async () => {
    for (const repository of [
      `x' OR WorkflowType = 'session`,
      `x\\' OR WorkflowType = \\'session`,
      `it's`,
    ]) {
      const page = await list({ repository });
      expect(page).toEqual({ items: [], nextCursor: null, total: 0 });
      expect((await list({ q: repository })).total).toBe(0);
    }
  });

  it('names each bad filter', async () => {
    const cases: Array<[string, string]> = [
      ['agent=Not_An_Agent', 'query.agent'],
      ['startedAfter=yesterday', 'query.startedAfter'],
      ['closedAfter=2025-13-40T00:00:00Z', 'query.closedAfter'],
      [`q=${'x'.repeat(201)}`, 'query.q'],
      ['repository=', 'query.repository'],
      ['owner=me', 'query'],
    ];
    for (const [query, path] of cases) {
      const response = await call(`/api/sessions?${query}`);
      expect(response.status, query).toBe(400);
      const problem = (await response.json()) as { errors?: Array<{ path: string }> };
      const paths = problem.errors?.map((error) => error.path) ?? [];
      // An unknown parameter is named as `query` or `query.<name>`.
      expect(
        paths.some((found) => found === path || found.startsWith(`${path}.owner`)),
        `${query}: ${paths.join(', ')}`,
      ).toBe(true);
    }
  });

  it('never answered with a 5xx', () => {
    expect(serverErrors).toEqual([]);
  });
});
