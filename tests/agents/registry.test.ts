/**
 * The agent registry end to end: CRUD over REST against Postgres, availability measured by the
 * worker (an agent it cannot run is reported with the reason and its queue is not polled),
 * tiers measured from the step ledger, and routing by capability, tier and load inside an
 * activity, with the reason in the checkpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentView } from '@orchestrator/activities/agents/agent-overview';
import { testAgents } from '../support/agents.js';
import { eventually, startStack, type Stack } from '../support/stack.js';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ agents: testAgents, heartbeatTimeoutMs: 5000 });
});
afterAll(async () => {
  await stack?.stop();
});

interface Problem {
  status: number;
  detail: string;
  errors?: Array<{ path: string; message: string }>;
}

async function json<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return (text ? JSON.parse(text) : null) as T;
}

async function agents(): Promise<Record<string, AgentView>> {
  const { items } = await json<{ items: AgentView[] }>(await stack.api('/api/agents'), 200);
  return Object.fromEntries(items.map((agent) => [agent.name, agent]));
}

function agentWhen(name: string, check: (agent: AgentView) => boolean, what: string) {
  return eventually(
    async () => {
      const agent = (await agents())[name];
      return agent && check(agent) ? agent : undefined;
    },
    20_000,
    what,
  );
}

async function startSession(body: Record<string, unknown>): Promise<string> {
  const created = await json<{ id: string }>(
    await stack.api('/api/sessions', {
      method: 'POST',
      json: { title: 'registry test', goal: 'go', repository: stack.sampleRepository, ...body },
    }),
    201,
  );
  return created.id;
}

interface SessionDetail {
  status: string;
  agent: string;
  error: string | null;
  checkpoints: Array<{ agent: string; routing?: { agent: string; reason: string } }>;
}

function finished(id: string, timeoutMs = 60_000): Promise<SessionDetail> {
  return eventually(
    async () => {
      const detail = await json<SessionDetail>(await stack.api(`/api/sessions/${id}`), 200);
      return ['completed', 'failed', 'cancelled'].includes(detail.status) ? detail : undefined;
    },
    timeoutMs,
    `session ${id} to finish`,
  );
}

describe('agent registry over REST', () => {
  it('lists the seeded agents with availability, tier and live load', async () => {
    const echo = await agentWhen('echo', (a) => a.load.pollers > 0, 'echo polled');
    expect(echo).toMatchObject({
      kind: 'command',
      capabilities: [],
      maxConcurrency: 2,
      tier: { level: 'unrated', steps: 0 },
      availability: { available: true, reason: null, workers: 1 },
      load: { running: 0, backlog: 0, slots: 2 },
    });
    expect(echo.config).toMatchObject({ name: 'echo', kind: 'command' });
    expect(Object.keys(await agents()).sort()).toEqual(['echo', 'fail', 'slow', 'steady']);
  });

  it('creates, reads, replaces and deletes entries, naming the field at fault', async () => {
    const entry = { name: 'lint', kind: 'command', command: ['true'], capabilities: ['review'] };
    const created = await stack.api('/api/agents', { method: 'POST', json: entry });
    expect(created.headers.get('location')).toBe('/api/agents/lint');
    expect(await json<AgentView>(created, 201)).toMatchObject({
      name: 'lint',
      capabilities: ['review'],
    });

    const duplicate = await json<Problem>(
      await stack.api('/api/agents', { method: 'POST', json: entry }),
      409,
    );
    expect(duplicate.errors?.[0]?.path).toBe('body.name');

    const bad = await stack.api('/api/agents', {
      method: 'POST',
      json: { name: 'broken', kind: 'command', command: [] },
    });
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await json<Problem>(bad, 400)).errors?.[0]?.path).toBe('body.command');

    // Every independent mistake of an entry is named in one answer, not only the first.
    const several = await json<Problem>(
      await stack.api('/api/agents', {
        method: 'POST',
        json: {
          name: 'sloppy',
          kind: 'codex',
          maxConcurrency: 0,
          sandbox: 'everything',
          binary: '',
          colour: 'blue',
          // A field name is whatever the client sent: named as it is, dots and colons too.
          'odd.field: x': 1,
        },
      }),
      400,
    );
    expect((several.errors ?? []).map((error) => error.path).sort()).toEqual([
      'body.binary',
      'body.colour',
      'body.maxConcurrency',
      'body.model',
      'body.odd.field: x',
      'body.sandbox',
    ]);

    const secret = await json<Problem>(
      await stack.api('/api/agents', {
        method: 'POST',
        json: { name: 'leaky', kind: 'claude-code', model: 'sonnet', apiKey: 'sk-ant-planted' },
      }),
      400,
    );
    expect(secret.errors?.[0]?.path).toBe('body.apiKey');
    expect(JSON.stringify(await agents())).not.toContain('sk-ant-planted');

    const replaced = await json<AgentView>(
      await stack.api('/api/agents/lint', {
        method: 'PUT',
        json: {
          kind: 'command',
          command: ['true'],
          capabilities: ['review', 'test'],
          maxConcurrency: 3,
        },
      }),
      200,
    );
    expect(replaced).toMatchObject({ capabilities: ['review', 'test'], maxConcurrency: 3 });
    // The worker restarts the queue with the new slot count.
    await agentWhen(
      'lint',
      (a) => a.load.slots === 3 && a.load.pollers > 0,
      'lint polled with 3 slots',
    );

    const renamed = await json<Problem>(
      await stack.api('/api/agents/lint', {
        method: 'PUT',
        json: { name: 'other', kind: 'command', command: ['true'] },
      }),
      400,
    );
    expect(renamed.errors?.[0]?.path).toBe('body.name');
    await json(
      await stack.api('/api/agents/nope', {
        method: 'PUT',
        json: { kind: 'command', command: ['x'] },
      }),
      404,
    );

    expect(await json<AgentView>(await stack.api('/api/agents/lint'), 200)).toMatchObject({
      name: 'lint',
    });
    expect((await stack.api('/api/agents/lint', { method: 'DELETE' })).status).toBe(204);
    const audit = await json<{ items: Array<{ action: string; target: string }> }>(
      await stack.api('/api/audit?limit=50'),
      200,
    );
    const lint = audit.items
      .filter((event) => event.target === 'lint')
      .map((event) => event.action);
    expect(lint).toEqual(['agent.delete', 'agent.update', 'agent.create']);
    await json(await stack.api('/api/agents/lint'), 404);
    await json(await stack.api('/api/agents/lint', { method: 'DELETE' }), 404);
    // Its queue is no longer polled, and sessions cannot name it.
    const refused = await json<Problem>(
      await stack.api('/api/sessions', {
        method: 'POST',
        json: { title: 't', goal: 'g', repository: stack.sampleRepository, agent: 'lint' },
      }),
      400,
    );
    expect(refused.errors?.[0]?.path).toBe('body.agent');
  });

  it('reports an agent this worker cannot run as unavailable, with why, and does not poll it', async () => {
    await json(
      await stack.api('/api/agents', {
        method: 'POST',
        json: {
          name: 'ghost',
          kind: 'claude-code',
          model: 'sonnet',
          binary: '/nonexistent/claude',
        },
      }),
      201,
    );
    const ghost = await agentWhen(
      'ghost',
      (a) =>
        a.availability.reason !== null &&
        a.availability.workers === 0 &&
        a.availability.reason.includes('/nonexistent/claude'),
      'ghost checked',
    );
    expect(ghost.availability.available).toBe(false);
    expect(ghost.availability.reason).toMatch(/was not found.*Install Claude Code/);
    expect(ghost.load.pollers).toBe(0);
    await stack.api('/api/agents/ghost', { method: 'DELETE' });
  });
});

describe('routing and measured tiers', () => {
  it('routes by capability to the agent with a free slot, and says why in the checkpoint', async () => {
    for (const name of ['busy-a', 'idle-b']) {
      await json(
        await stack.api('/api/agents', {
          method: 'POST',
          json: {
            name,
            kind: 'command',
            capabilities: ['lint', 'code'],
            maxConcurrency: 1,
            command:
              name === 'busy-a'
                ? ['sh', '-c', 'echo busy; sleep 300']
                : ['sh', '-c', 'echo linted'],
          },
        }),
        201,
      );
    }
    await agentWhen('idle-b', (a) => a.load.pollers > 0, 'idle-b polled');
    await agentWhen('busy-a', (a) => a.load.pollers > 0, 'busy-a polled');
    // Occupy busy-a's only slot.
    const occupying = await startSession({ agent: 'busy-a' });
    await agentWhen('busy-a', (a) => a.load.running === 1, 'busy-a running');

    const routed = await startSession({ capabilities: ['lint'] });
    const detail = await finished(routed);
    expect(detail.status).toBe('completed');
    expect(detail.agent).toBe('idle-b');
    const routing = detail.checkpoints[0]?.routing;
    expect(routing?.agent).toBe('idle-b');
    expect(routing?.reason).toMatch(/^idle-b for lint: tier unrated .*free slot; over busy-a/);
    const logs = await json<{ items: Array<{ line: string }> }>(
      await stack.api(`/api/sessions/${routed}/logs`),
      200,
    );
    expect(logs.items.map((item) => item.line)).toContain(`▶ routed to ${routing?.reason ?? ''}`);

    await json(await stack.api(`/api/sessions/${occupying}/stop`, { method: 'POST' }), 202);
    expect((await finished(occupying)).status).toBe('cancelled');
    // The cancelled attempt is finished in the ledger: nothing runs on busy-a any more.
    await agentWhen('busy-a', (a) => a.load.running === 0, 'busy-a idle again');
    // So is one whose workflow was terminated (force stop): its heartbeat learns it and ends it.
    const terminated = await startSession({ agent: 'busy-a' });
    await agentWhen('busy-a', (a) => a.load.running === 1, 'busy-a running again');
    await json(
      await stack.api(`/api/sessions/${terminated}/stop?force=true`, { method: 'POST' }),
      202,
    );
    await agentWhen('busy-a', (a) => a.load.running === 0, 'busy-a idle after force stop');
  });

  it('measures tiers from the ledger and routes around a degraded agent', async () => {
    await json(
      await stack.api('/api/agents', {
        method: 'POST',
        json: {
          name: 'flaky',
          kind: 'command',
          capabilities: ['docs'],
          command: ['sh', '-c', 'exit 7'],
        },
      }),
      201,
    );
    await json(
      await stack.api('/api/agents', {
        method: 'POST',
        json: {
          name: 'writer',
          kind: 'command',
          capabilities: ['docs'],
          maxConcurrency: 1,
          command: ['sh', '-c', 'echo written'],
        },
      }),
      201,
    );
    await agentWhen('flaky', (a) => a.load.pollers > 0, 'flaky polled');
    await agentWhen('writer', (a) => a.load.pollers > 0, 'writer polled');
    const failures = await Promise.all(
      Array.from({ length: 5 }, () => startSession({ agent: 'flaky' })),
    );
    for (const id of failures) expect((await finished(id)).status).toBe('failed');
    const flaky = (await agents()).flaky;
    expect(flaky?.tier).toEqual({ level: 'degraded', successRate: 0, steps: 5 });

    const routed = await finished(await startSession({ capabilities: ['docs'] }));
    expect(routed.agent).toBe('writer');
    expect(routed.checkpoints[0]?.routing?.reason).toContain('passed over flaky (degraded (0%))');

    const ledger = await stack.storage.ledger.usageByAgent(new Date(0));
    expect(ledger.get('flaky')?.steps).toBe(5);
    expect(ledger.get('writer')?.steps).toBe(1);
  });

  it('fails a session no agent can take, listing every candidate and why', async () => {
    const detail = await finished(await startSession({ capabilities: ['translate'] }), 90_000);
    expect(detail.status).toBe('failed');
    expect(detail.error).toMatch(
      /No agent can take a step asking for translate: .*echo lacks translate/,
    );
  }, 120_000);

  it('refuses a session that names an agent and asks for capabilities, or neither', async () => {
    for (const body of [{ agent: 'echo', capabilities: ['code'] }, {}]) {
      const problem = await json<Problem>(
        await stack.api('/api/sessions', {
          method: 'POST',
          json: { title: 't', goal: 'g', repository: stack.sampleRepository, ...body },
        }),
        400,
      );
      expect(problem.errors?.[0]?.path).toMatch(/^body\.(agent|capabilities)$/);
    }
  });
});
