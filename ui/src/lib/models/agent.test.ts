import { describe, expect, it } from 'vitest';
import { agentView } from '$lib/testing/fixtures';
import { activeAgents, formatRate, loadRatio, toAgent, toAgents } from './agent';

describe('agent views', () => {
  it('keeps a full AgentView as the gateway sends it', () => {
    const view = agentView('echo');
    expect(toAgent(JSON.parse(JSON.stringify(view)))).toEqual(view);
  });

  it('reads an older gateway that lists names and kinds only', () => {
    expect(toAgent({ name: 'demo', kind: 'command', description: 'prints' })).toEqual({
      name: 'demo',
      kind: 'command',
      description: 'prints',
      model: null,
      capabilities: [],
      maxConcurrency: 0,
      config: { name: 'demo', kind: 'command', description: 'prints' },
      tier: null,
      availability: null,
      load: null,
      createdAt: null,
      updatedAt: null,
    });
  });

  it('drops entries that are not agents and unknown tier levels', () => {
    const items = toAgents({
      items: [{ name: 'a', kind: 'command', tier: { level: 'legendary', steps: 3 } }, { x: 1 }, 7],
    });
    expect(items.map((agent) => agent.name)).toEqual(['a']);
    expect(items[0]?.tier).toEqual({ level: 'unrated', successRate: null, steps: 3 });
    expect(toAgents(null)).toEqual([]);
  });

  it('measures load against slots, a queue with no slots as full', () => {
    const load = { running: 1, backlog: 0, pollers: 1, slots: 4 };
    expect(loadRatio(load)).toBe(0.25);
    expect(loadRatio({ ...load, running: 9 })).toBe(1);
    expect(loadRatio({ ...load, running: 0, slots: 0 })).toBe(0);
    expect(loadRatio({ ...load, running: 0, backlog: 2, slots: 0 })).toBe(1);
    expect(formatRate(0.876)).toBe('88%');
    expect(formatRate(null)).toBe('—');
  });

  it('lists busy agents first, then available ones, and hides idle unavailable ones', () => {
    const idle = agentView('idle', { load: { running: 0, backlog: 0, pollers: 1, slots: 2 } });
    const busy = agentView('busy', { load: { running: 2, backlog: 3, pollers: 1, slots: 2 } });
    const down = agentView('down', {
      availability: { available: false, reason: 'no worker', workers: 0, version: null },
      load: { running: 0, backlog: 0, pollers: 0, slots: 0 },
    });
    const stuck = agentView('stuck', {
      availability: { available: false, reason: 'no worker', workers: 0, version: null },
      load: { running: 0, backlog: 1, pollers: 0, slots: 0 },
    });
    expect(activeAgents([idle, down, busy, stuck]).map((agent) => agent.name)).toEqual([
      'busy',
      'stuck',
      'idle',
    ]);
  });
});
