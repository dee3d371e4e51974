/**
 * Property-based fuzzing of every REST operation in /api/openapi.json (path parameters, query,
 * body, content type and encoding, tokens) and of undocumented paths, over real HTTP against a
 * real gateway, Temporal, Postgres and Redis. fast-check draws the cases from the printed seed;
 * they go out eight at a time (so races between requests are probed too) and each answer goes
 * through the oracle in http-oracle.ts. FUZZ_SEED=<n> replays a run, FUZZ_CASE=<i> one case.
 *
 * No worker runs: a random body that happens to be valid starts a session that stays pending in
 * Temporal (no agent runs, no random URL is cloned), so the fuzzer reaches valid starts, stops
 * and retries without running anything; a run starts a few dozen such workflows at most, on a
 * dev server that is thrown away with the stack.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAgents } from '../support/agents.js';
import { startStack, type Stack } from '../support/stack.js';
import { operationCase, undocumentedCase, type HintsFor, type HttpCase } from './http-cases.js';
import { checkAnswer } from './http-oracle.js';
import { operationsFrom, type OpenApiDocument, type Operation } from './operations.js';
import { createRawClient, type RawResponse } from './raw-http.js';
import { inPool } from './pool.js';
import { fuzzSettings } from './seed.js';
import type { SchemaResolver } from './schema-values.js';

const REST_CASES = 10_000;
/** Requests in flight at once: concurrent requests also probe races between them. */
const CONCURRENCY = 8;
/** An agent the fuzzer may replace or delete. */
const FUZZ_AGENT = 'fuzz-victim';
const settings = fuzzSettings('rest', 'tests/fuzz/rest.test.ts');

let stack: Stack;
let client: ReturnType<typeof createRawClient>;
let operations: Operation[];
let resolve: SchemaResolver;
let document: OpenApiDocument;
const known = {
  sessions: [] as string[],
  entryIds: [] as string[],
  cursors: [] as string[],
  tokens: [] as string[],
};

async function startPendingSession(title: string): Promise<string> {
  const response = await stack.api('/api/sessions', {
    method: 'POST',
    json: { title, goal: 'nothing runs', repository: stack.sampleRepository, agent: 'echo' },
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

beforeAll(async () => {
  // Thousands of mutating requests from one token would mostly meet the rate limiter (a 429
  // problem, checked like any other); without it the fuzzer reaches validation. This file runs
  // in its own process, so the setting stays here.
  process.env.RATE_LIMIT_PER_MINUTE = '0';
  stack = await startStack({ agents: testAgents, auth: true, worker: 'none' });
  client = createRawClient(stack.baseUrl);
  document = (await (await stack.api('/api/openapi.json')).json()) as OpenApiDocument;
  ({ operations, resolve } = operationsFrom(document));

  // Sessions in each state the routes distinguish: pending (running), and cancelled.
  const pending = await startPendingSession('pending');
  const cancelled = await startPendingSession('cancelled');
  expect(
    (await stack.api(`/api/sessions/${cancelled}/stop?force=true`, { method: 'POST' })).status,
  ).toBe(202);
  known.sessions.push(pending, cancelled);
  const base = Date.now();
  known.entryIds = Array.from({ length: 5 }, (_, i) => `${base}-${i}`);
  await stack.storage.archive.insert(
    pending,
    known.entryIds.map((id, i) => ({
      id,
      sessionId: pending,
      kind: 'log' as const,
      stream: 'stdout' as const,
      line: i === 0 ? '\u0000 odd \ud800 line' : `line ${i}`,
      ts: base,
    })),
  );
  const page = (await (await stack.api('/api/sessions?limit=1')).json()) as { nextCursor: string };
  known.cursors.push(page.nextCursor);
  const victim = await stack.api('/api/tokens', {
    method: 'POST',
    json: { name: 'fuzz-victim', role: 'viewer' },
  });
  expect(victim.status).toBe(201);
  known.tokens.push(((await victim.json()) as { id: string }).id);
  const agent = await stack.api('/api/agents', {
    method: 'POST',
    json: { name: FUZZ_AGENT, kind: 'command', command: ['true'] },
  });
  expect(agent.status, await agent.text()).toBe(201);
});

afterAll(async () => {
  client?.close();
  await stack?.stop();
});

function send(testCase: HttpCase): Promise<RawResponse> {
  const headers = { ...testCase.headers };
  if (testCase.auth === 'valid' && stack.token) headers.authorization = `Bearer ${stack.token}`;
  return client.send({ ...testCase, headers });
}

/** Answers per operation and status, and the latency of each operation (a figure, not a check). */
class Tally {
  private readonly byLabel = new Map<string, { statuses: Map<number, number>; ms: number[] }>();
  cases = 0;

  add(label: string, status: number, ms: number): void {
    const entry = this.byLabel.get(label) ?? { statuses: new Map<number, number>(), ms: [] };
    entry.statuses.set(status, (entry.statuses.get(status) ?? 0) + 1);
    entry.ms.push(ms);
    this.byLabel.set(label, entry);
    this.cases += 1;
    if (this.cases % 2000 === 0) console.log(`[fuzz] rest: ${this.cases} requests…`);
  }

  statuses(label: string): number[] {
    return [...(this.byLabel.get(label)?.statuses.keys() ?? [])];
  }

  print(): void {
    for (const [label, { statuses, ms }] of [...this.byLabel].sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      const counts = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
      const sorted = [...ms].sort((a, b) => a - b);
      const at = (q: number) => (sorted[Math.floor((sorted.length - 1) * q)] ?? 0).toFixed(0);
      console.log(
        `  ${label.padEnd(30)} p50 ${at(0.5).padStart(4)} ms p99 ${at(0.99).padStart(5)} ms  ${counts.join(' ')}`,
      );
    }
  }
}

describe('REST fuzzing', () => {
  it(`answers ${REST_CASES} random requests without a 5xx, each 4xx a problem naming the field`, async () => {
    const sessionIds = fc.constantFrom(...known.sessions, 'nosuchsession', 'a', 'z'.repeat(64));
    const hints: HintsFor = (operation) => ({
      id: operation.path.startsWith('/api/tokens') ? fc.constantFrom(...known.tokens) : sessionIds,
      // Only the throwaway agent may be replaced or deleted: the others keep sessions startable.
      name:
        operation.method === 'GET'
          ? fc.constantFrom(FUZZ_AGENT, ...testAgents.map((a) => a.name), 'nosuchagent')
          : fc.constantFrom(FUZZ_AGENT, 'nosuchagent'),
      agent: fc.constantFrom(...testAgents.map((a) => a.name), 'nosuchagent'),
      repository: fc.constantFrom(
        stack.sampleRepository,
        `${stack.sampleRepository}/../../../../etc`,
        '/etc',
        'repos/sample',
        'https://127.0.0.1:1/repo.git',
        'git@127.0.0.1:repo.git',
        'file:///etc',
      ),
      // Real ids, and ids of the right shape at the edges of what JavaScript and Postgres hold.
      after: fc.constantFrom(
        ...known.entryIds,
        '0-0',
        '9007199254740991-2147483647',
        '9007199254740992-0',
        '99999999999999999999-0',
        '1-2147483648',
        '1-9999999999',
      ),
      cursor: fc.constantFrom(...known.cursors),
    });
    const context = { resolve, hints, authRequired: stack.token !== null };
    const arbitrary = fc.oneof(
      ...operations.map((operation) => operationCase(operation, context)),
      undocumentedCase(operations),
    );
    // The cases come from the seed alone, then go out CONCURRENCY at a time: a slow answer
    // (a state query waits up to 3 s for a worker that is not there) holds one slot, not a batch.
    const cases = fc.sample(arbitrary, {
      seed: settings.seed,
      numRuns: REST_CASES * settings.scale,
    });
    const tally = new Tally();
    const failures: string[] = [];
    const only = settings.caseIndex;
    await inPool(cases, CONCURRENCY, async (testCase, index) => {
      if ((only !== null && index !== only) || failures.length >= 10) return;
      const started = performance.now();
      const response = await send(testCase);
      tally.add(testCase.label, response.status, performance.now() - started);
      const problems = checkAnswer(testCase, response);
      if (problems.length > 0) {
        failures.push(
          `case ${index} (replay: FUZZ_SEED=${settings.seed} FUZZ_CASE=${index}): ` +
            `${fc.stringify(testCase)} → ${response.status}\n  ${problems.join('\n  ')}\n` +
            `  answer: ${response.text.slice(0, 500)}`,
        );
      }
    });
    expect(failures, failures.join('\n\n')).toEqual([]);

    console.log(`[fuzz] rest: ${tally.cases} requests, seed ${settings.seed}`);
    tally.print();
    if (only !== null) return;
    expect(tally.cases).toBeGreaterThanOrEqual(REST_CASES * settings.scale);
    // Every documented operation was called, and got past the token check at least once.
    for (const operation of operations) {
      expect(
        tally.statuses(operation.key).filter((status) => status !== 401),
        operation.key,
      ).not.toEqual([]);
    }
    const health = await fetch(`${stack.baseUrl}/healthz`);
    expect(health.status).toBe(200);
  }, 900_000);
});

interface ProblemAnswer {
  status: number;
  type: string;
  errors?: Array<{ path: string; message: string }>;
}

/** Sends one raw request (with the token) and reads the problem it must answer with. */
async function problemFor(
  method: string,
  target: string,
  init: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<{ status: number; problem: ProblemAnswer; paths: string[] }> {
  const body = init.body === undefined ? null : Buffer.from(init.body);
  const response = await send({
    label: 'regression',
    operation: null,
    method,
    target,
    headers: init.headers ?? {},
    body,
    invalid: [],
    doubtful: false,
    routed: true,
    auth: 'valid',
  });
  expect(response.headers['content-type'], response.text).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(response.text) as ProblemAnswer;
  expect(problem.status).toBe(response.status);
  return { status: response.status, problem, paths: (problem.errors ?? []).map((e) => e.path) };
}

describe('answers the fuzzer once got wrong', () => {
  it('refuses log ids beyond what the archive holds with a 400, not a 500 (seed 763797083)', async () => {
    const session = known.sessions[0]!;
    for (const after of ['317854042-7074553281', '99999999999999999999-0', '9007199254740992-0']) {
      const { status, paths } = await problemFor(
        'GET',
        `/api/sessions/${session}/logs?after=${after}`,
      );
      expect(status, after).toBe(400);
      expect(paths).toEqual(['query.after']);
    }
    const edge = await stack.api(`/api/sessions/${session}/logs?after=9007199254740991-2147483647`);
    expect(edge.status).toBe(200);
  });

  it('answers concurrent retries of one session with one 201 and 409s, not a 500 (seed 442887463)', async () => {
    const id = await startPendingSession('raced');
    expect(
      (await stack.api(`/api/sessions/${id}/stop?force=true`, { method: 'POST' })).status,
    ).toBe(202);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => stack.api(`/api/sessions/${id}/retry`, { method: 'POST' })),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const answer of answers.filter((a) => a.status === 409)) {
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
  });

  it('names the path parameter when a segment is not valid percent-encoding', async () => {
    const { status, paths } = await problemFor('POST', '/api/sessions/%s%s%s%n/stop');
    expect(status).toBe(400);
    expect(paths).toEqual(['params']);
  });

  it('answers unknown paths outside /api with a problem, not an HTML page', async () => {
    for (const [method, target] of [
      ['GET', '/ws/x'],
      ['POST', '/anything'],
      ['DELETE', '/healthz/x'],
    ] as const) {
      expect((await problemFor(method, target)).status, `${method} ${target}`).toBe(404);
    }
  });

  it('names each unknown field, in the body and in the query', async () => {
    const body = JSON.stringify({
      title: 't',
      goal: 'g',
      repository: '/r',
      agent: 'echo',
      'a.b': 1,
      extra: 2,
    });
    const created = await problemFor('POST', '/api/sessions', {
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(created.paths).toEqual(expect.arrayContaining(['body.a.b', 'body.extra']));
    const listed = await problemFor('GET', '/api/sessions?bogus=1');
    expect(listed.paths).toEqual(['query.bogus']);
  });

  it('names the header or the body when the framework refuses a body', async () => {
    const json = { 'content-type': 'application/json' };
    const cases: Array<[Record<string, string>, string | Buffer, number, string]> = [
      [
        { 'content-type': 'application/json; charset=iso-8859-1' },
        '{}',
        415,
        'headers.content-type',
      ],
      [{ ...json, 'content-encoding': 'bogus' }, '{}', 415, 'headers.content-encoding'],
      [{ ...json, 'content-encoding': 'gzip' }, 'not gzip', 400, 'body'],
      [json, '{"title":', 400, 'body'],
      [json, JSON.stringify({ goal: 'x'.repeat(70_000) }), 413, 'body'],
    ];
    for (const [headers, body, status, path] of cases) {
      const answer = await problemFor('POST', '/api/sessions', { headers, body });
      expect(answer.status, JSON.stringify(headers)).toBe(status);
      expect(answer.paths).toEqual([path]);
    }
  });

  it('documents only patterns that its own examples match', () => {
    const mismatches: string[] = [];
    const visit = (node: unknown, where: string): void => {
      if (Array.isArray(node)) return node.forEach((item, i) => visit(item, `${where}[${i}]`));
      if (node === null || typeof node !== 'object') return;
      const schema = node as { pattern?: string; example?: unknown };
      if (typeof schema.pattern === 'string' && typeof schema.example === 'string') {
        if (!new RegExp(schema.pattern, 'u').test(schema.example)) {
          mismatches.push(`${where}: ${schema.pattern} does not match ${schema.example}`);
        }
      }
      for (const [key, value] of Object.entries(node)) visit(value, `${where}.${key}`);
    };
    visit(document, 'openapi');
    expect(mismatches).toEqual([]);
  });
});
