/** Contract-shaped values for tests: one place that knows what the gateway sends. */
import type { Agent, Checkpoint, SessionDetail, SessionSummary, TaskNode } from '$lib/types/api';

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
    workflowId: 'session-s1',
    eventId: seq * 10,
    taskPath: '',
    role: 'work',
    agent: 'echo',
    commitSha: `${String(seq).repeat(7)}abcdef0123456789abcdef0123456789a`.slice(0, 40),
    changed: true,
    exitCode: 0,
    summary: `step ${seq} done`,
    usage: null,
    startedAt: '2025-01-01T00:00:00Z',
    finishedAt: '2025-01-01T00:00:09Z',
    resultDigest: `digest-${seq}`,
    prevHash: `hash-${seq - 1}`,
    hash: `${String(seq).repeat(4)}f00dcafe`.slice(0, 64),
    ...patch,
  };
}

/** A session detail as GET /api/sessions/:id returns it (no plan, nothing pending). */
export function sessionDetail(id: string, patch: Partial<SessionDetail> = {}): SessionDetail {
  return {
    ...sessionSummary(id),
    goal: 'Make the tests pass',
    checkpoints: [],
    error: null,
    usage: { tokens: 0, costUsd: 0 },
    budget: {},
    pending: [],
    decisions: [],
    paused: false,
    outcome: null,
    plan: null,
    approvals: null,
    forkedFrom: null,
    ...patch,
  };
}

/** A task tree node (a leaf unless given children); its subtree usage adds theirs. */
export function taskNode(path: string, patch: Partial<TaskNode> = {}): TaskNode {
  const children = patch.children ?? [];
  const usage = patch.usage ?? { tokens: 100, costUsd: 0.01 };
  const subtreeUsage = children.reduce(
    (sum, child) => ({
      tokens: sum.tokens + child.subtreeUsage.tokens,
      costUsd: sum.costUsd + child.subtreeUsage.costUsd,
    }),
    usage,
  );
  return {
    path,
    planId: `t${path.replace(/\./g, '-')}`,
    workflowId: `session-s1.${path}`,
    title: `task ${path}`,
    status: 'completed',
    agent: 'writer',
    dependsOn: [],
    usage,
    subtreeUsage,
    startedAt: '2025-01-01T00:00:00Z',
    finishedAt: '2025-01-01T00:00:05Z',
    error: null,
    temporalUrl: `http://temporal/session-s1.${path}`,
    ...patch,
    children,
  };
}
