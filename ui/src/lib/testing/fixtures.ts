/** Contract-shaped values for tests: one place that knows what the gateway sends. */
import type { Agent, Checkpoint, SessionSummary } from '$lib/types/api';

export function sessionSummary(id: string, patch: Partial<SessionSummary> = {}): SessionSummary {
  return {
    id,
    title: `Session ${id}`,
    agent: 'echo',
    repository: '/repo',
    status: 'running',
    startedAt: '2025-01-01T00:00:00Z',
    closedAt: null,
    workflowId: `session-${id}`,
    runId: `run-${id}`,
    temporalUrl: `http://temporal/${id}`,
    tokensUsed: 0,
    ...patch,
  };
}

/** An AgentView as GET /api/agents returns it. */
export function agentView(name: string, patch: Partial<Agent> = {}): Agent {
  return {
    name,
    kind: 'command',
    description: `${name} agent`,
    model: null,
    capabilities: ['code'],
    maxConcurrency: 2,
    config: { name, kind: 'command', description: `${name} agent`, command: ['echo', name] },
    tier: { level: 'competent', successRate: 0.75, steps: 8 },
    availability: { available: true, reason: null, workers: 1, version: '1.0.0' },
    load: { running: 1, backlog: 0, pollers: 1, slots: 2 },
    createdAt: '2025-01-01T00:00:00Z',
    updatedAt: '2025-01-02T00:00:00Z',
    ...patch,
  };
}

export function checkpoint(seq: number, patch: Partial<Checkpoint> = {}): Checkpoint {
  return {
    seq,
    agent: 'echo',
    commitSha: `${String(seq).repeat(7)}abcdef0123456789abcdef0123456789a`.slice(0, 40),
    changed: true,
    exitCode: 0,
    summary: `step ${seq} done`,
    usage: null,
    startedAt: '2025-01-01T00:00:00Z',
    finishedAt: '2025-01-01T00:00:09Z',
    ...patch,
  };
}
