import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentList, SessionDetail, SessionPage } from '$lib/types/api';
import type { ListSessionsQuery } from '$lib/services/api';
import { agentView, sessionDetail, sessionSummary } from '$lib/testing/fixtures';

const fake = vi.hoisted(() => ({
  listSessions: vi.fn<(query: ListSessionsQuery, signal?: AbortSignal) => Promise<SessionPage>>(),
  getSession: vi.fn<(id: string, signal?: AbortSignal) => Promise<SessionDetail>>(),
  listAgents: vi.fn<(signal?: AbortSignal) => Promise<AgentList>>(),
}));
vi.mock('./gateway.svelte', () => ({ api: fake }));

const { Overview } = await import('./overview.svelte');

const NOW = new Date(2025, 4, 17, 15, 0, 0).getTime();
const MIDNIGHT = new Date(2025, 4, 17).toISOString();

const failedA = sessionSummary('a', { status: 'failed', closedAt: '2025-05-17T10:00:00Z' });
const failedB = sessionSummary('b', { status: 'failed', closedAt: '2025-05-17T09:00:00Z' });

/** A gateway whose counts depend on the filter, like visibility's. */
function gateway(options: { todayPages?: number } = {}) {
  fake.listSessions.mockImplementation(async (query) => {
    const page = (items: SessionPage['items'], total: number, nextCursor: string | null = null) =>
      ({ items, total, nextCursor }) satisfies SessionPage;
    if (query.startedAfter) {
      const index = query.cursor ? Number(query.cursor) : 0;
      const last = index + 1 >= (options.todayPages ?? 1);
      return page(
        [sessionSummary(`t${index}`, { tokensUsed: 100 })],
        0,
        last ? null : `${index + 1}`,
      );
    }
    if (query.status === 'failed' && !query.closedAfter) return page([failedA, failedB], 2);
    if (query.status === 'running') return page([sessionSummary('r1')], 3);
    const totals: Record<string, number> = {
      running: 3,
      pending: 2,
      awaiting_approval: 1,
      failed: 1,
      completed: 3,
    };
    return page([], totals[query.status ?? ''] ?? 0);
  });
  fake.getSession.mockImplementation(async (id) =>
    sessionDetail(id, {
      ...(id === 'a' ? failedA : failedB),
      goal: 'g',
      error: id === 'a' ? 'agent exited with status 3' : null,
    }),
  );
  fake.listAgents.mockResolvedValue({ items: [agentView('echo')] });
}

beforeEach(() => {
  fake.listSessions.mockReset();
  fake.getSession.mockReset();
  fake.listAgents.mockReset();
});

describe('Overview', () => {
  it('counts from the list totals, with today starting at local midnight', async () => {
    gateway();
    const overview = new Overview(() => NOW);
    await overview.refresh();
    expect(overview.counts).toEqual({
      running: 3,
      pending: 2,
      awaitingApproval: 1,
      failedToday: 1,
      completedToday: 3,
    });
    expect(overview.successRate).toBe(0.75);
    expect(overview.running.map((session) => session.id)).toEqual(['r1']);
    const queries = fake.listSessions.mock.calls.map(([query]) => query);
    expect(queries).toContainEqual({ status: 'failed', closedAfter: MIDNIGHT, limit: 1 });
    expect(queries).toContainEqual({ status: 'completed', closedAfter: MIDNIGHT, limit: 1 });
    expect(overview.error).toBeNull();
  });

  it('lists recent failures with their reasons and asks for a known reason only once', async () => {
    gateway();
    const overview = new Overview(() => NOW);
    await overview.refresh();
    expect(overview.failures).toEqual([
      { session: failedA, reason: 'agent exited with status 3' },
      { session: failedB, reason: null },
    ]);
    await overview.refresh();
    // 'a' is known; 'b' is unknown and was asked less than a minute ago.
    expect(fake.getSession.mock.calls.map(([id]) => id)).toEqual(['a', 'b']);
  });

  it('sums the tokens of today’s sessions over a bounded number of pages', async () => {
    gateway({ todayPages: 2 });
    const overview = new Overview(() => NOW);
    await overview.refresh();
    expect(overview.tokens).toEqual({ tokens: 200, sessions: 2, partial: false });

    gateway({ todayPages: 50 });
    await overview.refresh();
    expect(overview.tokens).toEqual({ tokens: 500, sessions: 5, partial: true });
  });

  it('keeps the last figures and shows the problem when the gateway fails', async () => {
    gateway();
    const overview = new Overview(() => NOW);
    await overview.refresh();
    fake.listSessions.mockRejectedValue(new Error('down'));
    await overview.refresh();
    expect(overview.counts?.running).toBe(3);
    expect(overview.error?.detail).toBe('down');
  });
});
