/**
 * Access control, audit trail and browser safety of a gateway that requires tokens, over real
 * HTTP and WebSocket against the real stack (Temporal, Postgres, Redis):
 * - the role matrix: every route of the app, with no token, a bad one, a revoked one and each
 *   role, answers 401 / 403 / allowed as the route table (gateway/src/roles.ts) says;
 * - token management (shown once, listed without secrets, revocable), the audit trail;
 * - security headers, Origin checks, per-token rate limits (on Redis).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAppRoutes } from '@orchestrator/gateway/roles-routes';
import { ROUTE_PERMISSIONS, allows, type Role } from '@orchestrator/gateway/roles';
import { TEST_REDIS_URL } from './support/services.js';
import { launchConsoleBrowser, openConsolePage } from './support/console-browser.js';
import { testAgents } from './support/agents.js';
import { inlineScriptHashes } from '@orchestrator/gateway/security-headers';
import { eventually, ROOT, startStack, type Stack } from './support/stack.js';
import { TestSocket } from './support/ws-client.js';

const ALLOWED_ORIGIN = 'https://console.example.test';
/**
 * The admin token makes 14 changing requests in the matrix (one per mutating route it may use)
 * and about as many in the tests after it: the burst covers them all, so only the rate-limit
 * test's own token is ever refused.
 */
const BURST = 40;

let stack: Stack;
/** What the gateway logged (debug: every request), to look for tokens in. */
const gatewayLog: string[] = [];
/** Every token secret the tests saw. */
const secrets = new Set<string>();
/** A live token per role, one revoked token. */
const tokens = {} as Record<Role | 'revoked', { id: string; token: string }>;

beforeAll(async () => {
  stack = await startStack({
    agents: testAgents,
    auth: true,
    serveConsole: true,
    logger: pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          gatewayLog.push(chunk.toString());
          done();
        },
      }),
    ),
    env: {
      ALLOWED_ORIGINS: ALLOWED_ORIGIN,
      // One mutating request every 10 s after the burst: a loop reaches the limit for sure.
      RATE_LIMIT_PER_MINUTE: '6',
      RATE_LIMIT_BURST: String(BURST),
    },
  });
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    tokens[role] = await stack.storage.tokens.create(`matrix-${role}`, role);
  }
  tokens.revoked = await stack.storage.tokens.create('matrix-revoked', 'admin');
  await stack.storage.tokens.revoke(tokens.revoked.id);
});
afterAll(async () => {
  await stack?.stop();
});

function call(
  method: string,
  path: string,
  token: string | null,
  init: { json?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) {
    headers.set('authorization', `Bearer ${token}`);
    secrets.add(token);
  }
  let body: string | null = null;
  if (init.json !== undefined || ['POST', 'PUT', 'PATCH'].includes(method)) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(init.json ?? {});
  }
  return fetch(`${stack.baseUrl}${path}`, { method, headers, body });
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** A concrete path for a table path: parameters get values that name nothing that exists. */
function concrete(path: string): string {
  return path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    if (path.startsWith('/api/tokens/')) return randomUUID();
    if (name === 'name') return 'no-such-agent';
    return 'nosuchthing1';
  });
}

const httpRoutes = ROUTE_PERMISSIONS.filter((route) => route.transport !== 'websocket');
const key = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

describe('the route table covers every route', () => {
  it('lists exactly the /api routes the Express app serves', () => {
    const app = listAppRoutes(stack.gateway.gateway.app);
    const api = app.filter((route) => route.path.startsWith('/api'));
    expect(api.map(key).sort()).toEqual(httpRoutes.map(key).sort());
    // Outside /api: health and metrics (scraped without tokens, like any exporter) and the
    // console's pages. A new route here must be thought about too: change this list knowingly.
    const others = app.filter((route) => !route.path.startsWith('/api')).map(key);
    const health = ['GET /healthz', 'GET /metrics', 'GET /readyz'];
    expect(others.filter((route) => health.includes(route)).sort()).toEqual(health);
    expect(others.filter((route) => !health.includes(route))).toEqual([
      expect.stringMatching(/^GET \//),
    ]);
  });

  it('is what the OpenAPI document describes, each operation with its x-required-role', async () => {
    const document = await json<{
      paths: Record<string, Record<string, { 'x-required-role'?: string }>>;
    }>(await call('GET', '/api/openapi.json', null));
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        access: operation['x-required-role'],
      })),
    );
    expect(operations.map((o) => `${key(o)} ${o.access}`).sort()).toEqual(
      httpRoutes.map((route) => `${key(route)} ${route.access}`).sort(),
    );
  });
});

describe('role matrix', () => {
  const credentials = ['none', 'bad', 'revoked', 'viewer', 'operator', 'admin'] as const;
  const tokenOf = (credential: (typeof credentials)[number]): string | null => {
    if (credential === 'none') return null;
    if (credential === 'bad') return 'io_this-token-was-never-issued-by-anyone';
    return tokens[credential].token;
  };

  it.each(httpRoutes.map((route) => [key(route), route] as const))(
    '%s answers 401 / 403 / allowed as the table says',
    async (_name, route) => {
      const outcomes: string[] = [];
      const expected: string[] = [];
      for (const credential of credentials) {
        const response = await call(route.method, concrete(route.path), tokenOf(credential));
        const status = response.status;
        expect(status, `${credential}: no 5xx`).toBeLessThan(500);
        expect(status, `${credential}: not rate limited`).not.toBe(429);
        if (status === 401 || status === 403) {
          expect(response.headers.get('content-type')).toContain('application/problem+json');
        }
        outcomes.push(`${credential}: ${status === 401 || status === 403 ? status : 'allowed'}`);
        const role = ['viewer', 'operator', 'admin'].includes(credential)
          ? (credential as Role)
          : null;
        const verdict = allows(role, route.access) ? 'allowed' : role === null ? '401' : '403';
        expected.push(`${credential}: ${verdict}`);
      }
      expect(outcomes).toEqual(expected);
    },
  );

  it('GET /ws: no, bad or revoked token 401; every role may watch', async () => {
    for (const token of [null, 'io_bad', tokens.revoked.token]) {
      const url = token ? `${stack.wsUrl}?token=${token}` : stack.wsUrl;
      await expect(TestSocket.open(url)).rejects.toThrow(/HTTP 401/);
    }
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const socket = await TestSocket.open(`${stack.wsUrl}?token=${tokens[role].token}`);
      socket.send({ type: 'ping' });
      await socket.waitFor((message) => message.type === 'pong');
      await socket.close();
    }
  });

  it('a 403 names the role needed and the token role, and is kept in the audit trail', async () => {
    const response = await call('POST', '/api/sessions/nosuchthing1/stop', tokens.viewer.token);
    expect(response.status).toBe(403);
    const problem = await json<{ detail: string }>(response);
    expect(problem.detail).toBe(
      'POST /api/sessions/nosuchthing1/stop needs the operator role or above; the token ' +
        '"matrix-viewer" is a viewer. Ask an admin for a token with that role.',
    );
    const audit = await json<{ items: Array<{ action: string; target: string }> }>(
      await call('GET', `/api/audit?actorTokenId=${tokens.viewer.id}`, tokens.admin.token),
    );
    expect(audit.items).toContainEqual(
      expect.objectContaining({
        action: 'access.deny',
        target: 'POST /api/sessions/nosuchthing1/stop',
      }),
    );
  });
});

describe('API tokens', () => {
  it('an admin creates a token whose secret is shown once; it works with its role', async () => {
    const response = await call('POST', '/api/tokens', tokens.admin.token, {
      json: { name: 'ci reader', role: 'viewer' },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const created = await json<{ id: string; token: string; role: string; name: string }>(response);
    expect(created).toMatchObject({ name: 'ci reader', role: 'viewer' });
    expect(created.token).toMatch(/^io_[\w-]{43}$/);
    expect(response.headers.get('location')).toBe(`/api/tokens/${created.id}`);

    const me = await json<{ tokenId: string; role: string }>(
      await call('GET', '/api/me', created.token),
    );
    expect(me).toMatchObject({ tokenId: created.id, name: 'ci reader', role: 'viewer' });
    expect((await call('GET', '/api/sessions', created.token)).status).toBe(200);
    expect((await call('POST', '/api/sessions', created.token)).status).toBe(403);

    // Listed (by admins only), never with its secret; the database has only the hash.
    const listing = await call('GET', '/api/tokens', tokens.admin.token);
    const text = await listing.text();
    expect(text).not.toContain(created.token);
    const list = JSON.parse(text) as { items: Array<Record<string, unknown>> };
    const entry = list.items.find((item) => item.id === created.id);
    expect(entry).toEqual({
      id: created.id,
      name: 'ci reader',
      role: 'viewer',
      createdAt: expect.any(String),
      lastUsedAt: expect.any(String),
      revokedAt: null,
    });
    expect(list.items.every((item) => !('token' in item) && !('tokenHash' in item))).toBe(true);
    const rows = await stack.storage.db.selectFrom('api_tokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(created.token);
    expect((await call('GET', '/api/tokens', tokens.operator.token)).status).toBe(403);
  });

  it('revokes a token at once; a second revoke is a conflict, an unknown id a 404', async () => {
    const created = await json<{ id: string; token: string }>(
      await call('POST', '/api/tokens', tokens.admin.token, {
        json: { name: 'short-lived', role: 'operator' },
      }),
    );
    expect((await call('GET', '/api/me', created.token)).status).toBe(200);
    expect((await call('DELETE', `/api/tokens/${created.id}`, tokens.admin.token)).status).toBe(
      204,
    );
    expect((await call('GET', '/api/me', created.token)).status).toBe(401);
    const again = await call('DELETE', `/api/tokens/${created.id}`, tokens.admin.token);
    expect(again.status).toBe(409);
    expect((await json<{ detail: string }>(again)).detail).toMatch(/already revoked/);
    expect((await call('DELETE', `/api/tokens/${randomUUID()}`, tokens.admin.token)).status).toBe(
      404,
    );
    const listed = await json<{ items: Array<{ id: string; revokedAt: string | null }> }>(
      await call('GET', '/api/tokens', tokens.admin.token),
    );
    expect(listed.items.find((item) => item.id === created.id)?.revokedAt).toEqual(
      expect.any(String),
    );
  });

  it('refuses a bad name or role, naming the field', async () => {
    const response = await call('POST', '/api/tokens', tokens.admin.token, {
      json: { name: '', role: 'root' },
    });
    expect(response.status).toBe(400);
    const problem = await json<{ errors: Array<{ path: string }> }>(response);
    expect([...new Set(problem.errors.map((e) => e.path))].sort()).toEqual([
      'body.name',
      'body.role',
    ]);
  });
});

interface AuditPage {
  items: Array<{
    id: number;
    at: string;
    actor: { tokenId: string | null; name: string; role: string };
    action: string;
    target: string | null;
    detail: Record<string, unknown>;
    requestId: string | null;
  }>;
  nextBefore: number | null;
}

describe('audit trail', () => {
  async function sessionStatus(id: string, want: string): Promise<void> {
    await eventually(
      async () => {
        const detail = await json<{ status: string }>(
          await call('GET', `/api/sessions/${id}`, tokens.viewer.token),
        );
        return detail.status === want ? true : undefined;
      },
      60_000,
      `session ${id} to be ${want}`,
    );
  }

  it('records who started, retried and stopped which session, in which request', async () => {
    const operator = await stack.storage.tokens.create('audited operator', 'operator');
    const start = (agent: string) =>
      call('POST', '/api/sessions', operator.token, {
        json: { title: `audited ${agent}`, goal: 'g', repository: stack.sampleRepository, agent },
      });
    const started = await start('fail');
    expect(started.status).toBe(201);
    const failing = await json<{ id: string }>(started);
    await sessionStatus(failing.id, 'failed');
    const retried = await call('POST', `/api/sessions/${failing.id}/retry`, operator.token);
    expect(retried.status).toBe(201);
    const slowStart = await start('slow');
    const slow = await json<{ id: string }>(slowStart);
    const stopped = await call('POST', `/api/sessions/${slow.id}/stop?force=true`, operator.token);
    expect(stopped.status).toBe(202);

    const page = await json<AuditPage>(
      await call('GET', `/api/audit?actorTokenId=${operator.id}`, tokens.admin.token),
    );
    const actor = { tokenId: operator.id, name: 'audited operator', role: 'operator' };
    expect(page.items.map(({ action, target }) => [action, target])).toEqual([
      ['session.stop', slow.id],
      ['session.start', slow.id],
      ['session.retry', failing.id],
      ['session.start', failing.id],
    ]);
    expect(page.items.every((event) => JSON.stringify(event.actor) === JSON.stringify(actor))).toBe(
      true,
    );
    const [stopEvent, slowEvent, retryEvent, startEvent] = page.items;
    expect(stopEvent!.detail).toEqual({ force: true });
    expect(stopEvent!.requestId).toBe(stopped.headers.get('x-request-id'));
    expect(retryEvent!.requestId).toBe(retried.headers.get('x-request-id'));
    expect(startEvent!.requestId).toBe(started.headers.get('x-request-id'));
    expect(slowEvent!.detail).toEqual({
      title: 'audited slow',
      agent: 'slow',
      repository: stack.sampleRepository,
    });
    expect(Date.parse(startEvent!.at)).toBeLessThanOrEqual(Date.parse(stopEvent!.at));

    // Paged newest first: `nextBefore` leads to the next page.
    const first = await json<AuditPage>(
      await call('GET', `/api/audit?actorTokenId=${operator.id}&limit=3`, tokens.admin.token),
    );
    expect(first.items).toHaveLength(3);
    expect(first.nextBefore).toBe(first.items[2]!.id);
    const second = await json<AuditPage>(
      await call(
        'GET',
        `/api/audit?actorTokenId=${operator.id}&limit=3&before=${first.nextBefore}`,
        tokens.admin.token,
      ),
    );
    expect(second.items.map((e) => e.action)).toEqual(['session.start']);
    expect(second.nextBefore).toBeNull();

    // In Postgres, where it lasts.
    const rows = await stack.storage.db
      .selectFrom('audit_events')
      .select(['action', 'actor_name', 'actor_role'])
      .where('actor_token_id', '=', operator.id)
      .execute();
    expect(rows).toHaveLength(4);
    expect(new Set(rows.map((row) => `${row.actor_name}/${row.actor_role}`))).toEqual(
      new Set(['audited operator/operator']),
    );
  });

  it('records token creation and revocation, and only admins read it', async () => {
    const created = await json<{ id: string }>(
      await call('POST', '/api/tokens', tokens.admin.token, {
        json: { name: 'to revoke', role: 'viewer' },
      }),
    );
    await call('DELETE', `/api/tokens/${created.id}`, tokens.admin.token);
    const page = await json<AuditPage>(
      await call('GET', `/api/audit?action=token.revoke&limit=5`, tokens.admin.token),
    );
    expect(page.items[0]).toMatchObject({
      action: 'token.revoke',
      target: created.id,
      actor: { tokenId: tokens.admin.id, role: 'admin' },
      detail: { name: 'to revoke', role: 'viewer' },
    });
    const creations = await json<AuditPage>(
      await call('GET', `/api/audit?action=token.create&limit=50`, tokens.admin.token),
    );
    expect(creations.items.map((e) => e.target)).toContain(created.id);
    for (const role of ['viewer', 'operator'] as const) {
      expect((await call('GET', '/api/audit', tokens[role].token)).status).toBe(403);
    }
    const bad = await call('GET', '/api/audit?limit=0&action=nope', tokens.admin.token);
    expect(bad.status).toBe(400);
  });
});

describe('browser safety', () => {
  it('sends security headers: a closed CSP on the API, nosniff, no framing, no caching', async () => {
    const response = await call('GET', '/api/sessions', tokens.viewer.token);
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    const health = await fetch(`${stack.baseUrl}/healthz`);
    expect(health.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('refuses changing requests and WebSockets from foreign pages, not from its own', async () => {
    const stop = (origin: string) =>
      call('POST', '/api/sessions/nosuchthing1/stop', tokens.operator.token, {
        headers: { origin },
      });
    const foreign = await stop('https://evil.example');
    expect(foreign.status).toBe(403);
    expect((await json<{ detail: string }>(foreign)).detail).toMatch(
      /Requests from pages on https:\/\/evil.example are not allowed/,
    );
    expect((await stop(stack.baseUrl)).status).toBe(404);
    expect((await stop(ALLOWED_ORIGIN)).status).toBe(404);
    // Reading is safe: the browser keeps a foreign page from seeing the answer (no CORS).
    const read = await call('GET', '/api/sessions', tokens.viewer.token, {
      headers: { origin: 'https://evil.example' },
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();

    const url = `${stack.wsUrl}?token=${tokens.viewer.token}`;
    await expect(TestSocket.open(url, { origin: 'https://evil.example' })).rejects.toThrow(
      /HTTP 403/,
    );
    for (const origin of [stack.baseUrl, ALLOWED_ORIGIN]) {
      const socket = await TestSocket.open(url, { origin });
      await socket.close();
    }
  });

  it('limits each token’s changing requests: 429 problem+json with Retry-After', async () => {
    const limited = await stack.storage.tokens.create('hasty', 'operator');
    let refused: Response | undefined;
    const statuses: number[] = [];
    for (let i = 0; i < BURST * 2 && !refused; i += 1) {
      const response = await call('POST', '/api/sessions/nosuchthing1/stop', limited.token);
      statuses.push(response.status);
      if (response.status === 429) refused = response;
    }
    expect(refused, `statuses: ${statuses.join(',')}`).toBeDefined();
    expect(statuses.slice(0, BURST)).toEqual(Array(BURST).fill(404));
    expect(refused!.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const problem = await json<{ status: number; detail: string }>(refused!);
    expect(problem.status).toBe(429);
    expect(problem.detail).toMatch(/too many changing requests; try again in \d+ s/);
    // Reads are not limited, and other tokens have budgets of their own.
    expect((await call('GET', '/api/sessions', limited.token)).status).toBe(200);
    expect(
      (await call('POST', '/api/sessions/nosuchthing1/stop', tokens.operator.token)).status,
    ).toBe(404);
    // The count lives in Redis (REDIS_URL is set), shared by every gateway replica.
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const key = `${stack.env.REDIS_KEY_PREFIX}:ratelimit:token:${limited.id}`;
      expect(Number(await redis.get(key))).toBeGreaterThan(Date.now());
    } finally {
      redis.disconnect();
    }
  });
});

describe('the console in a browser, under its CSP, with a token', () => {
  it('runs a session end to end with no CSP violation, the token never in a cookie', async () => {
    const browser = await launchConsoleBrowser();
    try {
      const { page, errors } = await openConsolePage(browser);
      const problems: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) {
          problems.push(`console: ${message.text()}`);
        }
      });
      // Runs in the page (a string: this file is compiled without the DOM types).
      await page.addInitScript({
        content:
          "document.addEventListener('securitypolicyviolation', (event) => console.error(" +
          "'Refused to load: CSP ' + event.violatedDirective + ' ' + event.blockedURI));",
      });
      const response = await page.goto(`${stack.baseUrl}/sessions`);
      // The policy carries the hash of the built page's inline bootstrap, or nothing would run.
      const html = readFileSync(join(ROOT, 'ui/build/index.html'), 'utf8');
      const policy = response?.headers()['content-security-policy'] ?? '';
      for (const hash of inlineScriptHashes(html)) expect(policy).toContain(hash);
      expect(policy).toContain("frame-ancestors 'none'");

      await page.getByTestId('token-prompt').waitFor();
      await page.getByTestId('token-input').fill(tokens.operator.token);
      await page.getByTestId('token-submit').click();
      await page.getByTestId('new-session-form').waitFor();
      await page.getByTestId('session-title-input').fill('Under CSP');
      await page.getByTestId('session-goal-input').fill('print the lines');
      await page.getByTestId('session-repository-input').fill(stack.sampleRepository);
      await page.getByTestId('session-agent-select').selectOption('echo');
      await page.getByTestId('session-submit').click();
      await page.waitForURL(/\/sessions\/[a-z0-9]+$/);
      // Live lines arrive over /ws (same origin, ?token=): connect-src and the Origin check agree.
      await expect
        .poll(async () => page.getByTestId('log-lines').textContent(), { timeout: 30_000 })
        .toContain('line 20');
      expect(problems).toEqual([]);
      expect(errors).toEqual([]);
      expect(await page.context().cookies()).toEqual([]);

      // Framing is refused: a page that embeds the console gets an error page in the frame.
      const { page: framing } = await openConsolePage(browser);
      await framing.setContent(
        `<iframe src="${stack.baseUrl}/" width="400" height="300"></iframe>`,
      );
      await expect
        .poll(() => framing.frames().at(1)?.url() ?? '', { timeout: 10_000 })
        .toMatch(/^chrome-error:/);
    } finally {
      await browser.close();
    }
  });
});

describe('the last admin', () => {
  it('cannot be revoked: somebody must be able to manage tokens', async () => {
    const admins = await stack.storage.tokens.list();
    const live = admins.filter((t) => t.role === 'admin' && !t.revokedAt);
    const keep = tokens.admin.id;
    for (const token of live.filter((t) => t.id !== keep)) {
      expect((await call('DELETE', `/api/tokens/${token.id}`, tokens.admin.token)).status).toBe(
        204,
      );
    }
    const last = await call('DELETE', `/api/tokens/${keep}`, tokens.admin.token);
    expect(last.status).toBe(409);
    expect((await json<{ detail: string }>(last)).detail).toMatch(
      /"matrix-admin" is the last live admin token/,
    );
    expect((await call('GET', '/api/me', tokens.admin.token)).status).toBe(200);
  });
});

describe('logs', () => {
  it('never hold an API token, though every request above was logged', () => {
    const log = gatewayLog.join('');
    expect(log).toContain('"url":"/api/me"');
    expect(secrets.size).toBeGreaterThan(5);
    for (const secret of secrets) expect(log).not.toContain(secret.slice(3));
  });
});
