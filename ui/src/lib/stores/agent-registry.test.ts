import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentList } from '$lib/types/api';
import { ApiError } from '$lib/services/problem';
import { agentView } from '$lib/testing/fixtures';

const fake = vi.hoisted(() => ({
  listAgents: vi.fn<(signal?: AbortSignal) => Promise<AgentList>>(),
  deleteAgent: vi.fn<(name: string) => Promise<void>>(),
}));
vi.mock('./gateway.svelte', () => ({ api: fake }));

const { AgentRegistry } = await import('./agent-registry.svelte');

beforeEach(() => {
  fake.listAgents.mockReset();
  fake.deleteAgent.mockReset();
});

describe('AgentRegistry', () => {
  it('loads the agents and keeps a saved one in name order before the next poll', async () => {
    fake.listAgents.mockResolvedValue({ items: [agentView('b'), agentView('d')] });
    const registry = new AgentRegistry();
    await registry.refresh();
    expect(registry.loaded).toBe(true);
    registry.upsert(agentView('c'));
    registry.upsert(agentView('b', { description: 'changed' }));
    expect(registry.items.map((agent) => agent.name)).toEqual(['b', 'c', 'd']);
    expect(registry.find('b')?.description).toBe('changed');
  });

  it('removes an agent, or keeps it and says why not', async () => {
    fake.listAgents.mockResolvedValue({ items: [agentView('a'), agentView('b')] });
    const registry = new AgentRegistry();
    await registry.refresh();
    fake.deleteAgent.mockResolvedValueOnce(undefined);
    expect(await registry.remove('a')).toBe(true);
    expect(registry.items.map((agent) => agent.name)).toEqual(['b']);

    fake.deleteAgent.mockRejectedValueOnce(
      new ApiError({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'gone' }),
    );
    expect(await registry.remove('b')).toBe(false);
    expect(registry.items.map((agent) => agent.name)).toEqual(['b']);
    expect(registry.removeError?.status).toBe(404);
    expect(registry.removing).toBeNull();
  });
});
